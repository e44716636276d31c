package io.corerouter.http;

import io.corerouter.core.config.Endpoint;
import io.corerouter.core.server.HandlerNames;
import io.corerouter.core.server.HarakiriHandler;
import io.corerouter.ssl.TlsFront;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The pipeline of one HTTP listener, read top to bottom: idle timeout, harakiri, PROXY header
 * (optional), TLS (https listeners), stud prefix (listed peers only), HTTP/1.1 codec, connection
 * limit, session. One initializer per listener, because SERVER_PORT (inside the translators) is per
 * listener.
 */
final class HttpRouterInitializer extends ChannelInitializer<Channel> {
    /** Handler name of the stud prefix decoder (spec §4.11). */
    static final String STUD_PREFIX = "stud-prefix";
    /** Handler name of the connection limiter. */
    static final String CONNECTION_LIMIT = "connection-limit";

    /**
     * The vars translators of one listener, in one value so a connection never sees one updated
     * without the other.
     *
     * @param plain for ordinary connections
     * @param stud  for connections behind stud ({@code HTTPS=on}), or null without {@code --http-stud-prefix}
     */
    record Translators(HttpToUwsgi plain, HttpToUwsgi stud) {
    }

    private final HttpRouterContext router;
    private final Function<String, Translators> factory;
    private final TlsFront tls;
    /** Null until the first connection for a listener asking for port 0 (SERVER_PORT = the port bound). */
    private volatile Translators translators;

    /**
     * @param listener the socket served; its name gives SERVER_PORT
     * @param factory  makes the translators for a SERVER_PORT text
     * @param tls      the TLS front of an https listener, or null for plain HTTP
     */
    HttpRouterInitializer(HttpRouterContext router, Endpoint listener, Function<String, Translators> factory,
            TlsFront tls) {
        this.router = router;
        this.factory = factory;
        this.tls = tls;
        boolean portFromSocket = listener.kind() == Endpoint.Kind.TCP && listener.port() == 0;
        this.translators = portFromSocket ? null : factory.apply(listener.serverPort());
    }

    @Override
    protected void initChannel(Channel ch) {
        ChannelPipeline pipeline = ch.pipeline();
        Translators current = translators(ch);
        addTimeouts(pipeline);
        addProxyProtocol(pipeline);
        addTls(pipeline);
        addStudPrefix(ch, pipeline, current.stud());
        addCodec(pipeline);
        pipeline.addLast(HttpExchangeObserver.NAME, new HttpExchangeObserver()); // metrics and access log per request
        addConnectionLimit(pipeline);
        addRouter(pipeline, current);
    }

    private Translators translators(Channel ch) {
        Translators current = translators;
        if (current == null && ch.localAddress() instanceof InetSocketAddress local) {
            // a listener on port 0: the kernel chose the port, SERVER_PORT tells it (racing first
            // connections build equal translators)
            current = factory.apply(Integer.toString(local.getPort()));
            translators = current;
        }
        return current;
    }

    private void addTimeouts(ChannelPipeline pipeline) {
        // idle-based, like uWSGI's per-peer timer: traffic either way (backend output written to the
        // client included) resets it
        long idleNanos = router.config().common().timeouts().idle().toNanos();
        pipeline.addLast(HandlerNames.IDLE_TIMEOUT, new IdleStateHandler(0, 0, idleNanos, TimeUnit.NANOSECONDS));
        Duration harakiri = router.config().common().harakiri();
        if (!harakiri.isZero()) {
            pipeline.addLast(HandlerNames.HARAKIRI, new HarakiriHandler("http", harakiri));
        }
    }

    private void addProxyProtocol(ChannelPipeline pipeline) {
        if (router.features().proxyProtocol()) {
            // before TLS: a PROXY header travels in clear ahead of the handshake
            pipeline.addLast(HandlerNames.PROXY_PROTOCOL, new ProxyProtocolDetector());
        }
    }

    private void addTls(ChannelPipeline pipeline) {
        if (tls != null) {
            // the head timeout (armed when the connection opens) covers the handshake as well
            tls.addTo(pipeline, router.headersTimeoutNanos() / 1_000_000);
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
        pipeline.addLast(HandlerNames.HTTP_CODEC,
                new ServerCodec(router.requestDecoderConfig(), router.features().manageRtsp()));
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
