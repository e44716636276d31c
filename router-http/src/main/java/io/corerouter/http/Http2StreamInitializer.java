package io.corerouter.http;

import io.corerouter.core.observe.Exchange;
import io.corerouter.core.observe.Http2Counters;
import io.corerouter.core.server.HandlerNames;
import io.corerouter.core.server.HarakiriHandler;
import io.corerouter.core.timer.IdleTimeoutHandler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import java.time.Duration;

/**
 * The pipeline of one HTTP/2 stream (issue 11), read top to bottom: its idle timeout
 * ({@code --http2-stream-timeout}), harakiri, Netty's frames-to-HTTP-objects codec, the
 * {@link Http2RequestAdapter}, the access log and metrics observer, and an {@link HttpSession} in stream
 * mode: the same session that serves HTTP/1.1 requests, here for exactly one request. Node choice,
 * retries, error answers, bodies of unknown length and backpressure are therefore the HTTP/1.1 ones;
 * a stream's flow-control window stands in for the socket (the stream channel is writable while the
 * client's window is open, and its read requests return window to the client).
 *
 * <p>One per HTTP/2 connection, shared by its streams ({@link ChannelHandler.Sharable}): it holds only
 * what the connection knows (translator, client address) and the counters.
 */
@ChannelHandler.Sharable
final class Http2StreamInitializer extends ChannelInitializer<Channel> {
    /**
     * Closes a stream once its whole response went out (the listener of the last write). A stream whose
     * request is still coming (an error answered early, a node that answered before the whole body) is
     * reset with NO_ERROR first, which asks the client to stop sending and keep the response (RFC 9113
     * §8.1); closed as it is, Netty would reset it with CANCEL, and clients (curl) drop the response.
     */
    static final ChannelFutureListener CLOSE_STREAM = future -> {
        if (future.channel() instanceof Http2StreamChannel stream && future.isSuccess()
                && stream.stream().state() == Http2Stream.State.HALF_CLOSED_LOCAL) {
            stream.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.NO_ERROR)).addListener(ChannelFutureListener.CLOSE);
        } else {
            future.channel().close();
        }
    };

    private final HttpRouterContext router;
    private final Http2FrameCodec codec;
    private final HttpToUwsgi translator;
    private final String remoteAddr;
    private final int remotePort;
    private final Http2Counters counters;
    private final Duration streamTimeout;

    /** @param counters the listener's HTTP/2 counters, or null */
    Http2StreamInitializer(HttpRouterContext router, Http2Front front, Http2FrameCodec codec, HttpToUwsgi translator,
            String remoteAddr, int remotePort, Http2Counters counters) {
        this.router = router;
        this.codec = codec;
        this.translator = translator;
        this.remoteAddr = remoteAddr;
        this.remotePort = remotePort;
        this.counters = counters;
        this.streamTimeout = front.streamTimeout();
    }

    @Override
    protected void initChannel(Channel stream) {
        if (counters != null) {
            counters.streamOpened();
        }
        if (codec.connection().goAwaySent()) {
            // the connection is ending on an error (its GOAWAY names no last stream): the rest of the client's
            // read can still open streams (Netty stops decoding after a limit it finds while reading, not
            // after one it finds while writing, as --http2-max-resets for the resets the router sends);
            // they get no node connection
            stream.close();
            return;
        }
        stream.config().setOption(ChannelOption.AUTO_READ, false); // the session reads as its node takes the body
        ChannelPipeline pipeline = stream.pipeline();
        pipeline.addLast(HandlerNames.IDLE_TIMEOUT, new IdleTimeoutHandler(streamTimeout));
        Duration harakiri = router.config().common().harakiri();
        if (!harakiri.isZero()) {
            pipeline.addLast(HandlerNames.HARAKIRI, new HarakiriHandler("http", harakiri));
        }
        pipeline.addLast(HandlerNames.HTTP_CODEC, new Http2StreamFrameToHttpObjectCodec(true, false));
        pipeline.addLast(Http2RequestAdapter.NAME, Http2RequestAdapter.INSTANCE);
        Exchange exchange = Exchange.forStream(stream, stream.parent());
        if (exchange != null) {
            pipeline.addLast(HttpExchangeObserver.NAME, new HttpExchangeObserver());
            // a stream reset or timed out before its response still counts (status class "none")
            stream.closeFuture().addListener(f -> exchange.end(System.nanoTime()));
        }
        pipeline.addLast(HandlerNames.ROUTER, HttpSession.forStream(router, translator, remoteAddr, remotePort));
    }
}
