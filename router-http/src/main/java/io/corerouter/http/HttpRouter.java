package io.corerouter.http;

import io.corerouter.core.config.Endpoint;
import io.corerouter.core.observe.ListenerCounters;
import io.corerouter.core.route.KeyMapper;
import io.corerouter.core.server.ReloadReport;
import io.corerouter.core.server.Router;
import io.corerouter.core.server.RouterRuntime;
import io.corerouter.core.transport.Transport;
import io.corerouter.http.HttpRouterInitializer.Translators;
import io.corerouter.ssl.TlsFront;
import io.corerouter.ssl.TlsListener;
import io.corerouter.ssl.TlsService;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP router (spec §4): serves every {@code --http} listener and every {@code --http-zerg} socket
 * on its own event-loop group ({@link RouterRuntime}) and routes each request to a backend chosen by
 * the active mapper. {@code --https} listeners run the same pipeline behind TLS (spec §5),
 * {@code --http-to-https} listeners answer with a redirect (§4.12).
 *
 * <p>Mapper precedence (spec §3.4): {@code --http-use-pattern}, a mapper given by the caller (the
 * subscription table), {@code --http-use-base}, the static {@code --http-to} nodes; with none, every
 * request is answered 503.
 *
 * <p>{@link #reconfigure} applies a reloaded config (SIGHUP) without closing a connection: routes
 * for every request that starts from then on, the other settings for connections accepted from then
 * on, listeners added and removed, https listeners with other certificate files.
 */
public final class HttpRouter implements Router {
    /** Config fields a reload does not report here: the common ones (the runtime does) and the services. */
    private static final Set<String> NOT_REPORTED = Set.of("common", "subscriptions", "stats");

    private volatile HttpRouterConfig config;
    private volatile HttpsConfig https;
    private final TlsService tls;
    private final Transport transport;
    private final KeyMapper externalMapper;
    private final String serverName;
    private final Executor offload;
    private final AtomicInteger openConnections = new AtomicInteger();
    /** The context new connections get; swapped by a reload. */
    private volatile HttpRouterContext context;
    /** The initializers of the https listeners (their TLS fronts) and redirect listeners, by listener name. */
    private final Map<String, HttpRouterInitializer> httpsInitializers = new HashMap<>();
    private final Map<String, HttpsRedirectInitializer> redirectInitializers = new HashMap<>();
    private RouterRuntime runtime;
    /** Names of the listeners that speak HTTP/2 too. */
    private final Set<String> http2Listeners = ConcurrentHashMap.newKeySet();

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
        context = new HttpRouterContext(config, https, runtime, openConnections, serverName, offload);
        runtime.serve(this::plainInitializer);
        for (TlsListener listener : https.listeners()) {
            TlsFront front = tls.front(HttpRouterConfig.KIND, listener, https.sessionContext(), alpn(listener));
            runtime.bind(listener.endpoint(), httpsInitializer(listener, front));
        }
        for (HttpsConfig.Redirect redirect : https.redirects()) {
            runtime.bind(redirect.endpoint(), redirectInitializer(redirect));
        }
        enableHttp2Counters();
    }

    private HttpRouterInitializer plainInitializer(Endpoint listener) {
        boolean http2 = config.http2().enabled();
        if (http2) {
            http2Listeners.add(listener.name());
        }
        return new HttpRouterInitializer(this::context, listener, HttpRouter::plainTranslators, null, http2);
    }

    /** HTTP/2 on an https listener: its {@code h2=} key, else {@code --http2}. */
    private boolean http2(TlsListener listener) {
        return listener.h2().orElse(config.http2().enabled());
    }

    /** What the listener's default certificate offers by ALPN. */
    private List<String> alpn(TlsListener listener) {
        return http2(listener) ? Http2Front.ALPN_PROTOCOLS : List.of();
    }

    /** Listeners with HTTP/2 on show their HTTP/2 counters from the start (zero until a client uses it). */
    private void enableHttp2Counters() {
        for (ListenerCounters listener : runtime.observer().listeners()) {
            if (http2Listeners.contains(listener.name())) {
                listener.enableHttp2();
            }
        }
    }

    private HttpRouterInitializer httpsInitializer(TlsListener listener, TlsFront front) {
        boolean http2 = http2(listener);
        if (http2) {
            http2Listeners.add(listener.endpoint().name());
        }
        HttpRouterInitializer initializer = new HttpRouterInitializer(this::context, listener.endpoint(),
                HttpRouter::httpsTranslators, front, http2);
        httpsInitializers.put(listener.endpoint().name(), initializer);
        return initializer;
    }

    private HttpsRedirectInitializer redirectInitializer(HttpsConfig.Redirect redirect) {
        HttpsRedirectInitializer initializer = new HttpsRedirectInitializer(this::context, redirect.httpsPort());
        redirectInitializers.put(redirect.endpoint().name(), initializer);
        return initializer;
    }

    private HttpRouterContext context() {
        return context;
    }

    /**
     * Applies a reloaded config (SIGHUP): builds what can fail first (node names, the contexts of
     * https listeners that are new or have other files, new listeners), then swaps the context and
     * the routes and closes the listeners that were removed. On failure the router is as it was.
     * Main or reload thread only.
     *
     * @return what changed; changes that need a restart are reported and left as they were
     */
    public ReloadReport reconfigure(HttpRouterConfig nextConfig, HttpsConfig nextHttps) throws Exception {
        RouterRuntime.Reload reload = runtime.reload(nextConfig.common());
        ReloadReport.changedComponents(config, nextConfig, NOT_REPORTED).forEach(c -> reload.applied("http " + c));
        if (nextConfig.http2().enabled() != config.http2().enabled()) {
            // the listeners bound keep their pipeline and ALPN; the limits apply to new connections
            reload.needsRestart("http2 on/off (" + Http2Config.HTTP2 + ")");
        }
        ReloadReport.changedComponents(https, nextHttps, Set.of("listeners", "redirects"))
                .forEach(c -> reload.applied("https " + c));
        Map<String, TlsListener> before = new HashMap<>();
        https.listeners().forEach(l -> before.put(l.endpoint().name(), l));
        Map<String, TlsFront> fronts = new HashMap<>();
        for (TlsListener listener : nextHttps.listeners()) {
            TlsListener old = before.get(listener.endpoint().name());
            if (old != null && old.equals(listener) && https.sessionContext().equals(nextHttps.sessionContext())) {
                continue;
            }
            if (tls == null) {
                reload.needsRestart("https " + listener.endpoint().name() + " (the process runs without TLS)");
                continue;
            }
            // blocking and may fail (a missing or broken file): before anything changes
            // ALPN as the listener's pipeline was built: HTTP/2 on or off needs a restart
            boolean http2 = old != null ? http2(old) : http2(listener);
            if (old != null && http2 != http2(listener)) {
                reload.needsRestart("https " + listener.endpoint().name() + " h2 (" + Http2Config.HTTP2 + ")");
            }
            fronts.put(listener.endpoint().name(), tls.front(HttpRouterConfig.KIND, listener, nextHttps.sessionContext(),
                    http2 ? Http2Front.ALPN_PROTOCOLS : List.of()));
        }
        HttpRouterContext next = new HttpRouterContext(nextConfig, nextHttps, runtime, openConnections, serverName,
                offload);
        Map<String, HttpsConfig.Redirect> redirectsBefore = new HashMap<>();
        https.redirects().forEach(r -> redirectsBefore.put(r.endpoint().name(), r));
        List<String> httpsAfter = nextHttps.listeners().stream().map(l -> l.endpoint().name()).toList();
        List<String> redirectsAfter = nextHttps.redirects().stream().map(r -> r.endpoint().name()).toList();
        try {
            reload.bindListeners(this::plainInitializer);
            for (TlsListener listener : nextHttps.listeners()) {
                String name = listener.endpoint().name();
                if (!before.containsKey(name) && fronts.containsKey(name)) {
                    reload.bind(listener.endpoint(), httpsInitializer(listener, fronts.get(name)));
                }
            }
            for (HttpsConfig.Redirect redirect : nextHttps.redirects()) {
                if (!redirectsBefore.containsKey(redirect.endpoint().name())) {
                    reload.bind(redirect.endpoint(), redirectInitializer(redirect));
                }
            }
        } catch (Exception e) {
            reload.rollback();
            for (TlsListener listener : nextHttps.listeners()) {
                if (!before.containsKey(listener.endpoint().name())) {
                    httpsInitializers.remove(listener.endpoint().name());
                }
            }
            nextHttps.redirects().forEach(r -> {
                if (!redirectsBefore.containsKey(r.endpoint().name())) {
                    redirectInitializers.remove(r.endpoint().name());
                }
            });
            if (tls != null) {
                fronts.values().forEach(tls::release);
            }
            throw e;
        }
        for (String name : before.keySet()) {
            if (!httpsAfter.contains(name)) {
                reload.closeAtCommit(name);
                tls.release(httpsInitializers.remove(name).tls());
            } else if (fronts.containsKey(name)) {
                tls.release(httpsInitializers.get(name).tls());
                httpsInitializers.get(name).tls(fronts.get(name));
                reload.applied("https " + name + " certificate=\"" + fronts.get(name).defaultCertificate()
                        .getSubjectX500Principal().getName() + "\"");
            }
        }
        for (HttpsConfig.Redirect redirect : nextHttps.redirects()) {
            HttpsConfig.Redirect old = redirectsBefore.get(redirect.endpoint().name());
            if (old != null && !old.httpsPort().equals(redirect.httpsPort())) {
                redirectInitializers.get(redirect.endpoint().name()).httpsPort(redirect.httpsPort());
                reload.applied("http-to-https " + redirect.endpoint().name());
            }
        }
        for (String name : redirectsBefore.keySet()) {
            if (!redirectsAfter.contains(name)) {
                reload.closeAtCommit(name);
                redirectInitializers.remove(name);
            }
        }
        config = nextConfig;
        https = nextHttps;
        context = next;
        ReloadReport report = reload.commit();
        enableHttp2Counters();
        return report;
    }

    /** Plain listeners; connections behind stud get {@code HTTPS=on} (spec §4.11). */
    private static Translators plainTranslators(HttpRouterContext context, String serverPort) {
        HttpToUwsgi stud = context.features().studPrefixes().isEmpty() ? null : translator(context, serverPort, true);
        return new Translators(translator(context, serverPort, false), stud);
    }

    private static Translators httpsTranslators(HttpRouterContext context, String serverPort) {
        return new Translators(translator(context, serverPort, true), null);
    }

    private static HttpToUwsgi translator(HttpRouterContext context, String serverPort, boolean secure) {
        HttpRouterConfig config = context.config();
        return new HttpToUwsgi(serverPort, context.serverName(), config.serverNameAsHttpHost(), config.vars(), secure,
                secure && context.https().exportCert());
    }

    @Override
    public RouterRuntime runtime() {
        return runtime;
    }
}
