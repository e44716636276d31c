package io.corerouter.http;

import io.corerouter.core.backend.StaticNodes;
import io.corerouter.core.config.HttpRouterConfig;
import io.corerouter.core.config.HttpsConfig;
import io.corerouter.core.config.TlsListener;
import io.corerouter.core.route.KeyMapper;
import io.corerouter.core.server.Router;
import io.corerouter.core.server.RouterRuntime;
import io.corerouter.core.transport.Transport;
import io.corerouter.ssl.TlsFront;
import io.corerouter.ssl.TlsService;
import io.netty.channel.Channel;
import java.util.List;

/**
 * The HTTP router (spec §4): serves every {@code --http} listener and every {@code --http-zerg} socket
 * on its own event-loop group ({@link RouterRuntime}) and routes each request to a backend chosen by
 * the active mapper. {@code --https} listeners run the same pipeline behind TLS (spec §5),
 * {@code --http-to-https} listeners answer with a redirect (§4.12).
 *
 * <p>Mapper precedence (spec §3.4): {@code --http-use-pattern}, a mapper given by the caller (the
 * subscription table), {@code --http-use-base}, the static {@code --http-to} nodes; with none, every
 * request is answered 503.
 */
public final class HttpRouter implements Router {
    private final HttpRouterConfig config;
    private final HttpsConfig https;
    private final TlsService tls;
    private final Transport transport;
    private final KeyMapper externalMapper;
    private final String serverName;
    private RouterRuntime runtime;

    /**
     * @param externalMapper the mapper that overrides static nodes (subscriptions), or null
     */
    public HttpRouter(HttpRouterConfig config, Transport transport, KeyMapper externalMapper, String serverName) {
        this(config, HttpsConfig.NONE, null, transport, externalMapper, serverName);
    }

    /**
     * An HTTP router with {@code --https} and {@code --http-to-https} listeners too (spec §5, §4.12).
     *
     * @param https the TLS and redirect listeners
     * @param tls   the process's TLS service; required when {@code https} has TLS listeners
     */
    public HttpRouter(HttpRouterConfig config, HttpsConfig https, TlsService tls, Transport transport,
                      KeyMapper externalMapper, String serverName) {
        if (!https.listeners().isEmpty() && tls == null) {
            throw new IllegalArgumentException("https listeners need a TlsService");
        }
        this.https = https;
        this.tls = tls;
        this.config = config;
        this.transport = transport;
        this.externalMapper = externalMapper;
        this.serverName = serverName;
    }

    /**
     * Resolves backend addresses, binds the listeners and attaches to the {@code --http-zerg} servers.
     * Blocking: call from the main thread.
     */
    @Override
    public void start() throws Exception {
        runtime = new RouterRuntime("http", config.common(), transport, externalMapper,
                config.common().timeouts().connect());
        HttpRouterContext context = new HttpRouterContext(config, runtime.mapper(), runtime.fallbacks(),
                runtime.connector(), serverName);
        runtime.serve(listener -> new HttpRouterInitializer(context, listener, port -> translator(port, false), null));
        for (TlsListener listener : https.listeners()) {
            TlsFront front = tls.front(HttpRouterConfig.KIND, listener, https.sessionContext());
            runtime.bind(listener.endpoint(),
                    new HttpRouterInitializer(context, listener.endpoint(), port -> translator(port, true), front));
        }
        for (HttpsConfig.Redirect redirect : https.redirects()) {
            runtime.bind(redirect.endpoint(), new HttpsRedirectInitializer(context, redirect.httpsPort()));
        }
    }

    private HttpToUwsgi translator(String serverPort, boolean secure) {
        return new HttpToUwsgi(serverPort, serverName, config.serverNameAsHttpHost(), config.vars(), secure,
                secure && https.exportCert());
    }

    /** The listening channels, bound and adopted from zerg servers (their local addresses give the real ports). */
    public List<Channel> listeners() {
        return runtime == null ? List.of() : runtime.listeners();
    }

    @Override
    public RouterRuntime runtime() {
        return runtime;
    }

    /** The static nodes, or null when another mapper is active. */
    public StaticNodes staticNodes() {
        return runtime == null ? null : runtime.staticNodes();
    }

    /** Stops accepting, lets the requests in flight finish (up to {@link RouterRuntime#DEFAULT_DRAIN}), stops. */
    @Override
    public void close() {
        if (runtime != null) {
            runtime.close();
        }
    }
}
