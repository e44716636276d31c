package io.corerouter.http;

import io.corerouter.core.config.HttpFeatures;
import io.corerouter.core.server.HandlerNames;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The pipeline of one HTTP listener, read top to bottom: idle timeout, PROXY header (optional),
 * stud prefix (listed peers only), HTTP/1.1 codec, connection limit, session.
 * One initializer per listener, because SERVER_PORT (inside the translator) is per listener.
 */
final class HttpRouterInitializer extends ChannelInitializer<Channel> {
    /** Handler name of the stud prefix decoder (spec §4.11). */
    static final String STUD_PREFIX = "stud-prefix";
    /** Handler name of the connection limiter. */
    static final String CONNECTION_LIMIT = "connection-limit";

    private final HttpRouterContext router;
    /** Both translators in one field, so a connection never sees one updated without the other. */
    private volatile Translators translators;

    private record Translators(HttpToUwsgi plain, HttpToUwsgi stud) {
    }

    /**
     * @param studTranslator the translator for connections behind stud ({@code HTTPS=on}), or null
     *                       without {@code --http-stud-prefix}
     */
    HttpRouterInitializer(HttpRouterContext router, HttpToUwsgi translator, HttpToUwsgi studTranslator) {
        this.router = router;
        this.translators = new Translators(translator, studTranslator);
    }

    /** Replaces the translators once the real port of a listener configured with port 0 is known. */
    void translators(HttpToUwsgi translator, HttpToUwsgi studTranslator) {
        this.translators = new Translators(translator, studTranslator);
    }

    @Override
    protected void initChannel(Channel ch) {
        ChannelPipeline pipeline = ch.pipeline();
        addTimeouts(pipeline);
        addProxyProtocol(pipeline);
        Translators current = translators;
        addStudPrefix(ch, pipeline, current.stud());
        addCodec(pipeline);
        addConnectionLimit(pipeline);
        addRouter(pipeline, current);
    }

    private void addTimeouts(ChannelPipeline pipeline) {
        // idle-based, like uWSGI's per-peer timer: traffic either way (backend output written to the
        // client included) resets it
        long idleNanos = router.config().common().timeouts().idle().toNanos();
        pipeline.addLast(HandlerNames.IDLE_TIMEOUT, new IdleStateHandler(0, 0, idleNanos, TimeUnit.NANOSECONDS));
    }

    private void addProxyProtocol(ChannelPipeline pipeline) {
        if (router.features().proxyProtocol()) {
            pipeline.addLast(HandlerNames.PROXY_PROTOCOL, new ProxyProtocolDetector());
        }
    }

    private void addStudPrefix(Channel ch, ChannelPipeline pipeline, HttpToUwsgi studTranslator) {
        HttpFeatures features = router.features();
        if (studTranslator != null && ch.remoteAddress() instanceof InetSocketAddress peer
                && features.studPrefixes().contains(peer.getAddress())) {
            pipeline.addLast(STUD_PREFIX, new StudPrefixDecoder());
        }
    }

    private void addCodec(ChannelPipeline pipeline) {
        pipeline.addLast(HandlerNames.HTTP_CODEC, router.features().manageRtsp()
                ? new RtspServerCodec(router.requestDecoderConfig())
                : new HttpServerCodec(router.requestDecoderConfig()));
    }

    private void addConnectionLimit(ChannelPipeline pipeline) {
        int max = router.features().maxConnections();
        if (max > 0) {
            pipeline.addLast(CONNECTION_LIMIT, new ConnectionLimiter(router.openConnections(), max));
        }
    }

    private void addRouter(ChannelPipeline pipeline, Translators current) {
        pipeline.addLast(HandlerNames.ROUTER, new HttpSession(router, current.plain(), current.stud()));
    }
}
