package io.corerouter.http;

import io.corerouter.core.config.Endpoint;
import io.corerouter.core.server.HandlerNames;
import io.corerouter.core.server.HarakiriHandler;
import io.corerouter.core.timer.IdleTimeoutHandler;
import io.corerouter.ssl.TlsFront;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * The pipeline of one HTTP listener, read top to bottom: idle timeout, harakiri, PROXY header
 * (optional), TLS (https listeners), stud prefix (listed peers only), the HTTP/2 switch (ALPN or h2c
 * preface, with HTTP/2 on), HTTP/1.1 codec, connection limit, session. One initializer per listener, because SERVER_PORT (inside the translators) is per
 * listener.
 *
 * <p>Each connection is set up with the router's context at the time it is accepted: a reload
 * (SIGHUP) swaps the context (and, for an https listener whose files changed, the TLS front), and
 * the connections accepted from then on get the new one.
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

    /** The translators made for one context (they depend on its config). */
    private record Made(HttpRouterContext context, Translators translators) {
    }

    private final Supplier<HttpRouterContext> contexts;
    private final BiFunction<HttpRouterContext, String, Translators> factory;
    /** SERVER_PORT as configured, or null for a listener on port 0 (SERVER_PORT = the port bound). */
    private final String serverPort;
    /** HTTP/2 on this listener: h2 by ALPN (https) or h2c (plain), issue 11. */
    private final boolean http2;
    private volatile TlsFront tls;
    /** Null until the first connection, and after a reload swapped the context. */
    private volatile Made made;

    /**
     * @param contexts the router's context now (a reload swaps it)
     * @param listener the socket served; its name gives SERVER_PORT
     * @param factory  makes the translators of a context for a SERVER_PORT text
     * @param tls      the TLS front of an https listener, or null for plain HTTP
     * @param http2    whether the listener speaks HTTP/2 too (its TLS front offers h2 by ALPN)
     */
    HttpRouterInitializer(Supplier<HttpRouterContext> contexts, Endpoint listener,
            BiFunction<HttpRouterContext, String, Translators> factory, TlsFront tls, boolean http2) {
        this.contexts = contexts;
        this.http2 = http2;
        this.factory = factory;
        this.tls = tls;
        boolean portFromSocket = listener.kind() == Endpoint.Kind.TCP && listener.port() == 0;
        this.serverPort = portFromSocket ? null : listener.serverPort();
    }

    /** The TLS front of an https listener, null for plain HTTP. */
    TlsFront tls() {
        return tls;
    }

    /** A reload rebuilt this https listener's default context (other files): new connections get it. */
    void tls(TlsFront front) {
        this.tls = front;
    }

    @Override
    protected void initChannel(Channel ch) {
        ChannelPipeline pipeline = ch.pipeline();
        HttpRouterContext router = contexts.get();
        Translators current = translators(ch, router);
        addTimeouts(pipeline, router);
        addProxyProtocol(pipeline, router);
        addTls(pipeline, router);
        addStudPrefix(ch, pipeline, router, current.stud());
        addHttp2(pipeline, router);
        addCodec(pipeline, router);
        pipeline.addLast(HttpExchangeObserver.NAME, new HttpExchangeObserver()); // metrics and access log per request
        addConnectionLimit(pipeline, router);
        addRouter(pipeline, router, current);
    }

    private Translators translators(Channel ch, HttpRouterContext router) {
        Made current = made;
        if (current != null && current.context() == router) {
            return current.translators();
        }
        // first connection, or the first after a reload (racing connections build equal translators)
        String port = serverPort;
        if (port == null && ch.localAddress() instanceof InetSocketAddress local) {
            port = Integer.toString(local.getPort()); // port 0: the kernel chose it, SERVER_PORT tells it
        }
        Translators translators = factory.apply(router, port);
        made = new Made(router, translators);
        return translators;
    }

    private void addTimeouts(ChannelPipeline pipeline, HttpRouterContext router) {
        // idle-based, like uWSGI's per-peer timer: traffic either way (backend output written to the
        // client included) resets it; one timer wheel per event loop, not a timer per connection
        pipeline.addLast(HandlerNames.IDLE_TIMEOUT, new IdleTimeoutHandler(router.config().common().timeouts().idle()));
        Duration harakiri = router.config().common().harakiri();
        if (!harakiri.isZero()) {
            pipeline.addLast(HandlerNames.HARAKIRI, new HarakiriHandler("http", harakiri));
        }
    }

    private void addProxyProtocol(ChannelPipeline pipeline, HttpRouterContext router) {
        if (router.features().proxyProtocol()) {
            // before TLS: a PROXY header travels in clear ahead of the handshake
            pipeline.addLast(HandlerNames.PROXY_PROTOCOL, new ProxyProtocolDetector());
        }
    }

    private void addTls(ChannelPipeline pipeline, HttpRouterContext router) {
        TlsFront tls = this.tls;
        if (tls != null) {
            // the head timeout (armed when the connection opens) covers the handshake as well
            tls.addTo(pipeline, router.headersTimeoutNanos() / 1_000_000);
        }
    }

    private void addStudPrefix(Channel ch, ChannelPipeline pipeline, HttpRouterContext router,
            HttpToUwsgi studTranslator) {
        HttpFeatures features = router.features();
        if (studTranslator != null && ch.remoteAddress() instanceof InetSocketAddress peer
                && features.studPrefixes().contains(peer.getAddress())) {
            pipeline.addLast(STUD_PREFIX, new StudPrefixDecoder());
        }
    }

    /**
     * HTTP/2 (issue 11): the handler that decides, once, whether this connection speaks it (ALPN after
     * the handshake, or the h2c preface), and switches it over ({@link Http2Front}).
     */
    private void addHttp2(ChannelPipeline pipeline, HttpRouterContext router) {
        if (!http2) {
            return;
        }
        if (tls != null) {
            pipeline.addLast(Http2Front.ALPN, new Http2AlpnSwitch(router.http2(), router));
        } else {
            pipeline.addLast(Http2Front.PREFACE, new Http2PrefaceDetector(router.http2(), router));
        }
    }

    private void addCodec(ChannelPipeline pipeline, HttpRouterContext router) {
        pipeline.addLast(HandlerNames.HTTP_CODEC,
                new ServerCodec(router.requestDecoderConfig(), router.features().manageRtsp()));
    }

    private void addConnectionLimit(ChannelPipeline pipeline, HttpRouterContext router) {
        int max = router.features().maxConnections();
        if (max > 0) {
            pipeline.addLast(CONNECTION_LIMIT, new ConnectionLimiter(router.openConnections(), max));
        }
    }

    private void addRouter(ChannelPipeline pipeline, HttpRouterContext router, Translators current) {
        pipeline.addLast(HandlerNames.ROUTER, new HttpSession(router, current.plain(), current.stud(),
                http2 && tls == null));
    }
}
