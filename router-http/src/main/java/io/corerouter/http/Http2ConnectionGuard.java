package io.corerouter.http;

import io.corerouter.core.log.Exceptions;
import io.corerouter.core.observe.Http2Counters;
import io.corerouter.core.server.DrainEvent;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The end of an HTTP/2 connection's pipeline (issue 11): ends it gracefully when the router stops
 * ({@link DrainEvent}: GOAWAY, the streams in flight finish, then close, as
 * {@link io.netty.handler.codec.http2.Http2ConnectionHandler#close} does), at once when the client
 * closes its side (its streams are reset), and when it idles with no
 * stream open for {@code --http-timeout}; logs what the codec could not handle and counts the
 * connection. Each stream has its own timeout ({@link Http2StreamInitializer}).
 */
final class Http2ConnectionGuard extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = Logger.getLogger(Http2ConnectionGuard.class.getName());

    private final Http2FrameCodec codec;
    private final Http2Counters counters;
    private boolean counted;

    /** @param counters the listener's HTTP/2 counters, or null */
    Http2ConnectionGuard(Http2FrameCodec codec, Http2Counters counters) {
        this.codec = codec;
        this.counters = counters;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (counters != null && ctx.channel().isActive()) {
            counted = true;
            counters.connectionOpened();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        uncount();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        uncount();
    }

    private void uncount() {
        if (counted) {
            counted = false;
            counters.connectionClosed();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == DrainEvent.INSTANCE) {
            LOG.log(Level.FINE, () -> ctx.channel() + " stopping: GOAWAY, " + codec.connection().numActiveStreams()
                    + " streams finish first");
            ctx.close(); // the codec sends GOAWAY and closes once the active streams are done
        } else if (evt instanceof ChannelInputShutdownEvent) {
            // the client sent its FIN. HTTP/2 has no half-close (a client ends with GOAWAY), so a FIN is a
            // client that is gone: its streams in flight are reset now and their node connections close,
            // as nginx and Envoy do, instead of keeping nodes busy until --http-timeout for answers
            // nobody reads. GOAWAY still goes out first.
            LOG.log(Level.FINE, () -> ctx.channel() + " h2 client closed its side: "
                    + codec.connection().numActiveStreams() + " streams reset");
            codec.gracefulShutdownTimeoutMillis(0);
            ctx.close();
        } else if (evt instanceof IdleStateEvent) {
            if (codec.connection().numActiveStreams() == 0) {
                LOG.log(Level.FINE, () -> ctx.channel() + " timeout=idle: HTTP/2 connection without streams");
                ctx.close();
            }
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg); // connection frames the multiplexer passed on (SETTINGS, PING...)
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (Http2CodecUtil.getEmbeddedHttp2Exception(cause) != null) {
            // a connection error the codec found (a flood limit, a bad frame): it passes it here first, then
            // sends GOAWAY with the error's code and closes. Closing here would send GOAWAY NO_ERROR first and
            // wait for the streams: the client would never learn why (ENHANCE_YOUR_CALM, PROTOCOL_ERROR)
            LOG.log(Level.INFO, () -> ctx.channel() + " h2 connection error, GOAWAY and close: " + cause);
            return;
        }
        if (Exceptions.isExpected(cause)) {
            LOG.log(Level.FINE, () -> ctx.channel() + " h2 client error: " + cause);
        } else {
            LOG.log(Level.INFO, ctx.channel() + " h2 connection error, closing: " + cause);
        }
        ctx.close();
    }
}
