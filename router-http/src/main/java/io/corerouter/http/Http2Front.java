package io.corerouter.http;

import io.corerouter.core.observe.Exchange;
import io.corerouter.core.observe.Http2Counters;
import io.corerouter.core.observe.ListenerCounters;
import io.corerouter.core.server.HandlerNames;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.handler.codec.http2.Http2Settings;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns a client connection into an HTTP/2 one (issue 11, docs/http2.md): the HTTP/1.1 handlers of
 * {@link HttpRouterInitializer} leave, Netty's {@link Http2FrameCodec} (frames, HPACK, flow control,
 * the flood limits of {@link Http2Config}) and {@link Http2MultiplexHandler} (one child channel per
 * stream, set up by {@link Http2StreamInitializer}) take their place, and {@link Http2ConnectionGuard}
 * ends the connection gracefully. Three ways in, each deciding once per connection:
 * {@link Http2AlpnSwitch} (TLS, ALPN {@code h2}), {@link Http2PrefaceDetector} (h2c with prior knowledge)
 * and {@link #upgradeHandler} ({@code Upgrade: h2c} on the first request).
 *
 * <p>One per router context: the settings are the config's, the frame counter is shared (it keeps no
 * state of its own).
 */
final class Http2Front {
    private static final Logger LOG = Logger.getLogger(Http2Front.class.getName());
    static final String ALPN = "h2-alpn";
    static final String PREFACE = "h2-preface";
    static final String UPGRADE = "h2c-upgrade";
    static final String CODEC = "h2-codec";
    static final String GUARD = "h2-guard";
    /** The ALPN protocols of an https listener with HTTP/2 on, in preference order. */
    static final java.util.List<String> ALPN_PROTOCOLS = java.util.List.of("h2", "http/1.1");

    private final Http2Config config;
    private final Http2Settings settings;
    private final Duration streamTimeout;
    private final long gracefulMillis;
    private final Http2FrameCounter frameCounter = new Http2FrameCounter();

    /** @param routerConfig the router's config: its {@link Http2Config} and the timeouts streams default to */
    Http2Front(HttpRouterConfig routerConfig) {
        this.config = routerConfig.http2();
        Duration idle = routerConfig.common().timeouts().idle();
        this.streamTimeout = config.streamTimeout().orElse(idle);
        // how long a stop waits for the streams in flight after GOAWAY (the process's own mercy ends it sooner)
        this.gracefulMillis = Math.max(TimeUnit.SECONDS.toMillis(1), idle.toMillis());
        this.settings = Http2Settings.defaultSettings()
                .maxConcurrentStreams(config.maxConcurrentStreams())
                .maxHeaderListSize(config.maxHeaderListSize())
                .headerTableSize(config.headerTableSize())
                .initialWindowSize(config.initialWindowSize());
    }

    Http2Config config() {
        return config;
    }

    /** How long a stream may go without traffic: {@code --http2-stream-timeout}, else {@code --http-timeout}. */
    Duration streamTimeout() {
        return streamTimeout;
    }

    private Http2FrameCodec newCodec() {
        return Http2FrameCodecBuilder.forServer()
                .initialSettings(settings)
                .frameLogger(frameCounter)
                .validateHeaders(true)
                .decoderEnforceMaxRstFramesPerWindow(config.maxResets(), config.resetWindowSeconds())
                .encoderEnforceMaxRstFramesPerWindow(config.maxResets(), config.resetWindowSeconds())
                .encoderEnforceMaxQueuedControlFrames(config.maxControlFrames())
                .decoderEnforceMaxConsecutiveEmptyDataFrames(config.maxEmptyData())
                .decoderEnforceMaxSmallContinuationFrames(config.maxContinuations())
                .gracefulShutdownTimeoutMillis(gracefulMillis)
                .build();
    }

    /**
     * Switches the connection of {@code ctx} (the deciding handler, which leaves after) to HTTP/2: the
     * HTTP/1.1 handlers go, the HTTP/2 ones follow {@code ctx}. Nothing is sent; the client's preface is
     * read by the codec.
     */
    void switchTo(ChannelHandlerContext ctx, HttpRouterContext router) {
        ChannelPipeline pipeline = ctx.pipeline();
        HttpSession session = pipeline.get(HttpSession.class);
        if (session == null) {
            ctx.close(); // refused by the connection limit: nothing to switch
            return;
        }
        Http2FrameCodec codec = newCodec();
        Http2MultiplexHandler streams = streams(pipeline.channel(), session, router, codec);
        leaveHttp1(pipeline, session);
        pipeline.addAfter(ctx.name(), CODEC, codec);
        pipeline.addAfter(CODEC, HandlerNames.ROUTER, streams);
        pipeline.addAfter(HandlerNames.ROUTER, GUARD, new Http2ConnectionGuard(codec, counters(pipeline.channel())));
    }

    /**
     * The handler that answers an {@code Upgrade: h2c} request of {@code session} with {@code 101} and
     * switches (RFC 7540 §3.2; the request becomes stream 1). The session puts it behind the HTTP codec
     * and hands it the request; it leaves once done.
     */
    HttpServerUpgradeHandler upgradeHandler(HttpSession session, HttpRouterContext router) {
        Channel channel = session.channel();
        Http2FrameCodec codec = newCodec();
        Http2MultiplexHandler streams = streams(channel, session, router, codec);
        Http2ConnectionGuard guard = new Http2ConnectionGuard(codec, counters(channel));
        HttpServerUpgradeHandler.SourceCodec source = ctx -> leaveHttp1(ctx.pipeline(), session);
        return new HttpServerUpgradeHandler(source,
                protocol -> "h2c".contentEquals(protocol) ? new Http2ServerUpgradeCodec(codec, streams, guard) : null);
    }

    /**
     * Whether {@code request} asks for h2c as Netty's upgrade handler will accept it: HTTP/1.1,
     * {@code Upgrade} naming {@code h2c}, {@code Connection} naming {@code Upgrade} and
     * {@code HTTP2-Settings}, one {@code HTTP2-Settings} header, and no body (a request with a body is
     * served as HTTP/1.1, which RFC 7540 §3.2 allows).
     */
    static boolean wantsUpgrade(HttpRequest request) {
        HttpHeaders headers = request.headers();
        String upgrade = headers.get(HttpHeaderNames.UPGRADE);
        return upgrade != null && request.protocolVersion() == HttpVersion.HTTP_1_1
                && hasToken(upgrade, "h2c")
                && headers.getAll(Http2CodecUtil.HTTP_UPGRADE_SETTINGS_HEADER).size() == 1
                && headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
                && headers.containsValue(HttpHeaderNames.CONNECTION, Http2CodecUtil.HTTP_UPGRADE_SETTINGS_HEADER, true)
                && !HttpUtil.isTransferEncodingChunked(request)
                && HttpUtil.getContentLength(request, 0L) == 0;
    }

    private static boolean hasToken(String list, String token) {
        for (String item : list.split(",")) {
            if (item.trim().equalsIgnoreCase(token)) {
                return true;
            }
        }
        return false;
    }

    private Http2MultiplexHandler streams(Channel channel, HttpSession session, HttpRouterContext router,
            Http2FrameCodec codec) {
        return new Http2MultiplexHandler(new Http2StreamInitializer(router, this, codec, session.translator(),
                session.remoteAddr(), session.remotePort(), counters(channel)));
    }

    private static Http2Counters counters(Channel channel) {
        Exchange exchange = Exchange.of(channel);
        ListenerCounters listener = exchange == null ? null : exchange.listener();
        if (listener == null) {
            return null;
        }
        Http2Counters counters = listener.http2(); // enabled at start-up for the router's h2 listeners
        return counters != null ? counters : listener.enableHttp2();
    }

    /** Takes the HTTP/1.1 handlers out; HTTP/2 reads always from now on (the windows hold streams back). */
    private static void leaveHttp1(ChannelPipeline pipeline, HttpSession session) {
        Exchange exchange = Exchange.of(pipeline.channel());
        if (exchange != null && exchange.active()) {
            // the Upgrade: h2c request got its 101; it goes on as stream 1, logged as its own exchange
            long now = System.nanoTime();
            exchange.responseHead(101, now);
            exchange.end(now);
        }
        pipeline.remove(HandlerNames.HTTP_CODEC);
        if (pipeline.get(HttpExchangeObserver.NAME) != null) {
            pipeline.remove(HttpExchangeObserver.NAME);
        }
        if (pipeline.get(HandlerNames.HARAKIRI) != null) {
            pipeline.remove(HandlerNames.HARAKIRI); // per stream from now on
        }
        pipeline.remove(session);
        Channel channel = pipeline.channel();
        channel.config().setAutoRead(true);
        LOG.log(Level.FINE, () -> channel + " client=" + session.remoteAddr() + ":" + session.remotePort()
                + " speaks HTTP/2");
    }


}
