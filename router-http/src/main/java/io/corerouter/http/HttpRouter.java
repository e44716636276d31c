package io.corerouter.http;

import io.corerouter.core.route.KeyMapper;
import io.corerouter.core.server.Router;
import io.corerouter.core.server.RouterRuntime;
import io.corerouter.core.transport.Transport;
import io.corerouter.http.HttpRouterInitializer.Translators;
import io.corerouter.ssl.TlsFront;
import io.corerouter.ssl.TlsListener;
import io.corerouter.ssl.TlsService;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

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
    private final Executor offload;
    private RouterRuntime runtime;

    /**
     * A plain HTTP router whose blocking work runs on the common pool (tests, embedding).
     *
     * @param externalMapper the mapper that overrides static nodes (subscriptions), or null
     */
    public HttpRouter(HttpRouterConfig config, Transport transport, KeyMapper externalMapper, String serverName) {
        this(config, HttpsConfig.NONE, null, transport, externalMapper, serverName, ForkJoinPool.commonPool());
    }

    /** A plain HTTP router whose blocking work runs on {@code offload}. */
    public HttpRouter(HttpRouterConfig config, Transport transport, KeyMapper externalMapper, String serverName,
            Executor offload) {
        this(config, HttpsConfig.NONE, null, transport, externalMapper, serverName, offload);
    }

    /** An HTTP router with {@code --https} listeners, blocking work on the common pool. */
    public HttpRouter(HttpRouterConfig config, HttpsConfig https, TlsService tls, Transport transport,
            KeyMapper externalMapper, String serverName) {
        this(config, https, tls, transport, externalMapper, serverName, ForkJoinPool.commonPool());
    }

    /**
     * An HTTP router with {@code --https} and {@code --http-to-https} listeners too (spec §5, §4.12).
     *
     * @param https   the TLS and redirect listeners
     * @param tls     the process's TLS service; required when {@code https} has TLS listeners
     * @param offload runs the router's blocking work (temporary files of de-chunked request bodies)
     *                off the event loops: the launcher's offload pool
     */
    public HttpRouter(HttpRouterConfig config, HttpsConfig https, TlsService tls, Transport transport,
            KeyMapper externalMapper, String serverName, Executor offload) {
        if (!https.listeners().isEmpty() && tls == null) {
            throw new IllegalArgumentException("https listeners need a TlsService");
        }
        this.config = config;
        this.https = https;
        this.tls = tls;
        this.transport = transport;
        this.externalMapper = externalMapper;
        this.serverName = serverName;
        this.offload = Objects.requireNonNull(offload, "offload");
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
                runtime.connector(), runtime.nodePools(), serverName, offload);
        runtime.serve(listener -> new HttpRouterInitializer(context, listener, this::plainTranslators, null));
        for (TlsListener listener : https.listeners()) {
            TlsFront front = tls.front(HttpRouterConfig.KIND, listener, https.sessionContext());
            runtime.bind(listener.endpoint(),
                    new HttpRouterInitializer(context, listener.endpoint(), this::httpsTranslators, front));
        }
        for (HttpsConfig.Redirect redirect : https.redirects()) {
            runtime.bind(redirect.endpoint(), new HttpsRedirectInitializer(context, redirect.httpsPort()));
        }
    }

    /** Plain listeners; connections behind stud get {@code HTTPS=on} (spec §4.11). */
    private Translators plainTranslators(String serverPort) {
        HttpToUwsgi stud = config.features().studPrefixes().isEmpty() ? null : translator(serverPort, true);
        return new Translators(translator(serverPort, false), stud);
    }

    private Translators httpsTranslators(String serverPort) {
        return new Translators(translator(serverPort, true), null);
    }

    private HttpToUwsgi translator(String serverPort, boolean secure) {
        return new HttpToUwsgi(serverPort, serverName, config.serverNameAsHttpHost(), config.vars(), secure,
                secure && https.exportCert());
    }

    @Override
    public RouterRuntime runtime() {
        return runtime;
    }
}
