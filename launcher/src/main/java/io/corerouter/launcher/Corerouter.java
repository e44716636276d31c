package io.corerouter.launcher;

import io.corerouter.core.config.RouterOptions;
import io.corerouter.core.backend.Clock;
import io.corerouter.core.config.ConfigSection;
import io.corerouter.core.config.Endpoint;
import io.corerouter.core.config.RouterConfig;
import io.corerouter.core.config.RouterOptionNames;
import io.corerouter.core.config.RouterSubscriptionOptions;
import io.corerouter.core.config.RouterServices;
import io.corerouter.core.observe.AccessLog;
import io.corerouter.core.config.StatsOptions;
import io.corerouter.core.server.Hostname;
import io.corerouter.core.server.ReloadReport;
import io.corerouter.core.server.Router;
import io.corerouter.core.server.RouterContext;
import io.corerouter.core.server.RouterKind;
import io.corerouter.core.server.RouterRuntime;
import io.corerouter.core.stats.RouterStats;
import io.corerouter.core.stats.StatsDocument;
import io.corerouter.core.stats.StatsPage;
import io.corerouter.core.stats.StatsServer;
import io.corerouter.core.transport.Transport;
import io.corerouter.fast.FastRouter;
import io.corerouter.fast.FastRouterKind;
import io.corerouter.http.HttpRouter;
import io.corerouter.http.HttpRouterKind;
import io.corerouter.launcher.RouterMetrics.RouterView;
import io.corerouter.raw.RawRouter;
import io.corerouter.raw.RawRouterKind;
import io.corerouter.ssl.TlsConfig;
import io.corerouter.ssl.TlsSection;
import io.corerouter.ssl.TlsService;
import io.corerouter.ssl.router.SslRouter;
import io.corerouter.ssl.router.SslRouterKind;
import io.corerouter.subscription.RouterSubscriptions;
import io.corerouter.subscription.Subscriber;
import io.corerouter.subscription.SubscriberOptions;
import io.corerouter.subscription.SubscriberSection;
import io.corerouter.subscription.SubscriptionOptions;
import io.corerouter.subscription.SubscriptionSection;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.Future;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * One corerouter process: the transport, the offload pool, the auxiliary event loop (subscription
 * servers, stats servers, the subscriber), the TLS service and every configured router, started
 * together and closed in reverse order.
 *
 * <p>Routers are started kind by kind, in the order of {@link RouterConfig#sections()} (the
 * launcher's {@link Kinds}): this class knows no router kind except to offer typed getters to tests.
 * Every kind gets the same services the same way ({@link #startRouter}): a subscription table that
 * becomes its mapper when {@code --R-subscription-server} is given, cheap mode, and a stats server
 * with {@code --R-stats}.
 *
 * <p>{@link #reload} applies a re-read config (SIGHUP) to the running routers, kind by kind
 * ({@link RouterKind#reconfigure}), and says in one line what changed and what needs a restart.
 */
public final class Corerouter implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Corerouter.class.getName());

    /** The TLS options whose SNI names are being served (a reload may have changed them since the start). */
    private TlsConfig tlsApplied;
    /** The config the process started with: what restart-only options are compared against. */
    private final RouterConfig config;
    /** Each router's config as last applied (start, then every reload). */
    private final Map<RouterKind<?, ?>, Object> applied = new HashMap<>();
    /** {@code --reload-mercy} now (a reload may change it). */
    private volatile Duration drain;
    /** Set by {@link #stop}: a reload after it does nothing. Guarded by {@code this}. */
    private boolean stopping;
    private final List<AutoCloseable> running = new ArrayList<>();
    private final Map<String, RouterSubscriptions> subscriptions = new HashMap<>();
    private final Map<String, StatsServer> statsServers = new HashMap<>();
    /** Where each router's stats server listens (its {@code --R-stats}). */
    private final Map<String, Endpoint> statsEndpoints = new HashMap<>();
    /** {@code --stats-http} and {@code --stats-minified} now. */
    private StatsOptions statsOptions;
    /** The global {@code --subscription-*} options now (start, then every reload). */
    private SubscriptionOptions subscriptionOptions;
    /** The routers started, by kind, in start order. */
    private final Map<RouterKind<?, ?>, Router> routers = new LinkedHashMap<>();
    private Transport transport;
    private ExecutorService offload;
    private EventLoopGroup aux;
    private TlsService tls;
    private TlsSniSink sniSink;
    private Subscriber subscriber;
    /** What the metrics and the status page read, one entry per router started. */
    private final List<RouterView> views = new CopyOnWriteArrayList<>();
    private final Map<String, AccessLog> accessLogs = new HashMap<>();
    /**
     * Made with the first stats server: the Prometheus client and its JVM metrics load about 400 classes
     * (JMX, JFR, ~5 MB of metaspace and code) that a router without a stats server never needs.
     */
    private volatile PrometheusRegistry registry;
    private StatusPage statusPage;

    public Corerouter(RouterConfig config) {
        this.config = config;
        this.drain = config.drain();
        this.statsOptions = config.stats();
        this.subscriptionOptions = config.get(SubscriptionSection.INSTANCE).orElse(SubscriptionOptions.DEFAULTS);
    }

    public void start() throws Exception {
        transport = Transport.detect();
        offload = newOffloadPool(config.offloadThreads());
        running.add(offload::shutdownNow);
        // one thread off the request path: datagrams in and out, sweeps, stats documents
        aux = transport.newGroup(1, "aux");
        running.add(() -> aux.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS));
        String hostname = Hostname.get();
        statusPage = new StatusPage(() -> views, Version.get());
        if (kinds().stream().anyMatch(this::servesTls)) {
            tlsApplied = config.get(TlsSection.INSTANCE).orElse(TlsConfig.DEFAULTS);
            tls = TlsService.start(tlsApplied, offload);
            running.add(tls);
            sniSink = new TlsSniSink(tls.sniContexts());
        }
        for (RouterKind<?, ?> kind : kinds()) {
            startKind(kind, hostname);
        }
        SubscriberOptions announce = config.get(SubscriberSection.INSTANCE).orElse(SubscriberOptions.NONE);
        if (announce.enabled()) {
            subscriber = new Subscriber(announce, transport, aux.next(), Clock.SYSTEM);
            running.add(subscriber);
            subscriber.start();
        }
        if (routers.isEmpty() && subscriber == null) {
            LOG.warning("no router configured (give --http, --https, --fastrouter, --rawrouter or --sslrouter ADDR)"
                    + " and nothing to announce (--subscribe2): nothing to do");
        }
    }

    /** The router kinds of this build, in order. */
    private List<RouterKind<?, ?>> kinds() {
        List<RouterKind<?, ?>> kinds = new ArrayList<>();
        for (ConfigSection<?> section : config.sections()) {
            if (section instanceof RouterKind<?, ?> kind) {
                kinds.add(kind);
            }
        }
        return kinds;
    }

    /** Whether router kind {@code kind} is configured with TLS listeners (the TLS service starts for it). */
    private <C> boolean servesTls(RouterKind<C, ?> kind) {
        return config.get(kind).map(kind::servesTls).orElse(false);
    }

    /** Starts the router of {@code kind}, if it is configured. */
    private <C, R extends Router> void startKind(RouterKind<C, R> kind, String hostname) throws Exception {
        Optional<C> kindConfig = config.get(kind);
        if (kindConfig.isPresent()) {
            routers.put(kind, startRouter(kind, kindConfig.get(), hostname));
            applied.put(kind, kindConfig.get());
        }
    }

    /**
     * Starts one router with its services: the subscription table (its mapper, spec §2) before it,
     * the subscription servers (with cheap mode, spec §3.9) and the stats server (§3.11) after it.
     */
    private <C, R extends Router> R startRouter(RouterKind<C, R> kindOf, C kindConfig, String hostname)
            throws Exception {
        String kind = kindOf.name();
        RouterServices services = kindOf.services(kindConfig);
        RouterSubscriptions subs = null;
        if (services.subscriptions().enabled()) {
            subs = new RouterSubscriptions(kind, services.subscriptions(), subscriptionOptions, transport, aux.next(),
                    Clock.SYSTEM);
            if (kindOf.servesTls(kindConfig)) {
                subs.table().sniSink(sniSink); // nodes push SNI contexts (spec §5.4)
            }
        }
        AccessLog accessLog = openAccessLog(kind);
        Map<Class<?>, Object> shared = tls == null ? Map.of() : Map.of(TlsService.class, tls);
        R router = kindOf.create(kindConfig,
                new RouterContext(transport, offload, hostname, subs == null ? null : subs.table(), shared));
        running.add(router);
        router.start();
        RouterRuntime runtime = router.runtime();
        runtime.observer().accessLog(accessLog);
        LoopLagProbe.startIfAsked(kind, runtime.group());
        views.add(new RouterView(kind, runtime, subs == null ? null : subs.table(), accessLog));
        if (subs != null) {
            subscriptions.put(kind, subs);
            running.add(subs);
            subs.start(runtime::firstListenerName, kindOf.common(kindConfig).cheap() ? runtime::setAccepting : null);
            RouterOptions common = kindOf.common(kindConfig);
            if (runtime.healthChecker() != null || common.health().errorLimit() > 0) {
                // checks and passive health apply to subscribed nodes as to static ones
                subs.table().enableHealth(kind, common.health().errorLimit(), common.quiet());
                if (runtime.healthChecker() != null) {
                    runtime.healthChecker().add(subs.table());
                }
            }
        }
        if (services.stats().isPresent()) {
            startStats(kind, runtime, services.stats().get(), statsOptions);
        }
        return router;
    }

    /**
     * Opens the access log of router kind {@code kind} when {@code --kind-access-log} is given; it is
     * closed after the router (running closes in reverse order), so the last requests are written.
     */
    private AccessLog openAccessLog(String kind) throws IOException {
        AccessLogSection.Config logs = config.get(AccessLogSection.INSTANCE).orElse(null);
        AccessLogSection.Log wanted = logs == null ? null : logs.logs().get(kind);
        if (wanted == null) {
            return null;
        }
        AccessLog log = AccessLog.open(kind, wanted.path(), wanted.format(), logs.queue()).start();
        running.add(log);
        accessLogs.put(kind, log);
        LOG.info(() -> kind + " access log " + wanted.path() + " format=\"" + wanted.format().text() + "\"");
        return log;
    }

    /** {@code /metrics}: every metric of the process in Prometheus's text format. */
    private StatsPage metricsPage() {
        PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
        return new StatsPage() {
            @Override
            public String contentType() {
                return PrometheusTextFormatWriter.CONTENT_TYPE;
            }

            @Override
            public byte[] render() {
                ByteArrayOutputStream out = new ByteArrayOutputStream(16384);
                try {
                    writer.write(out, registry.scrape());
                } catch (IOException e) {
                    throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
                }
                return out.toByteArray();
            }
        };
    }

    /** SIGUSR1: every access log reopens its file before its next line (logrotate). */
    public void reopenLogs() {
        accessLogs.values().forEach(AccessLog::reopen);
    }

    /** The access log of router kind {@code kind}, when configured. */
    public AccessLog accessLog(String kind) {
        return accessLogs.get(kind);
    }

    /** The process's metrics registry (null until a stats server is started). */
    public PrometheusRegistry metrics() {
        return registry;
    }

    private void createRegistry() {
        if (registry == null) {
            PrometheusRegistry created = new PrometheusRegistry();
            JvmMetrics.builder().register(created);
            created.register(new RouterMetrics(() -> views, () -> tls));
            registry = created;
        }
    }

    /** Starts the stats server of router {@code kind} on {@code endpoint} (spec §3.11). */
    private void startStats(String kind, RouterRuntime runtime, Endpoint endpoint, StatsOptions options)
            throws Exception {
        createRegistry();
        RouterSubscriptions table = subscriptions.get(kind);
        RouterStats stats = new RouterStats(kind,
                () -> {
                    List<String> names = new ArrayList<>(runtime.socketNames());
                    if (table != null) {
                        names.addAll(table.socketNames());
                    }
                    return names;
                },
                runtime::openSessions, runtime::staticNodes, table == null ? null : table.table(),
                () -> table != null && table.isCheap())
                .withPools(() -> runtime.nodePools().isEmpty() ? null : runtime.nodePools())
                .withFallbacks(runtime::fallbacks);
        StatsServer server = new StatsServer(kind + " router", transport, aux,
                new StatsDocument(Version.get(), stats), options)
                .withPages(Map.of("/metrics", metricsPage(), "/status", statusPage.html(), "/status.json", statusPage.json()));
        running.add(server);
        server.bind(endpoint);
        statsServers.put(kind, server);
        statsEndpoints.put(kind, endpoint);
    }

    /**
     * Reload of the stats servers: a router's {@code --R-stats} address, and {@code --stats-http} /
     * {@code --stats-minified} for all of them. A new address is bound before the old server closes;
     * the same address with another format is closed, then bound again.
     */
    private void reloadStats(RouterConfig next, ReloadReport.Builder report) {
        boolean format = !next.stats().equals(statsOptions);
        for (Map.Entry<RouterKind<?, ?>, Router> entry : routers.entrySet()) {
            String kind = entry.getKey().name();
            if (next.get(entry.getKey()).isEmpty()) {
                continue; // the router stays as it is until a restart: so does its stats server
            }
            Optional<Endpoint> wanted = statsOf(entry.getKey(), next);
            Endpoint current = statsEndpoints.get(kind);
            if (!format && wanted.equals(Optional.ofNullable(current))) {
                continue;
            }
            StatsServer old = statsServers.remove(kind);
            statsEndpoints.remove(kind);
            boolean sameAddress = wanted.isPresent() && wanted.get().equals(current);
            if (old != null && (sameAddress || wanted.isEmpty())) {
                old.close();
                old = null;
            }
            try {
                if (wanted.isPresent()) {
                    startStats(kind, entry.getValue().runtime(), wanted.get(), next.stats());
                }
                report.applied(kind + "-stats" + wanted.map(e -> "=" + e.name()).orElse(" off"));
            } catch (Exception e) {
                report.applied(kind + "-stats off (" + wanted.get().name() + ": " + e.getMessage() + ")");
            } finally {
                if (old != null) {
                    old.close();
                }
            }
        }
        if (format) {
            statsOptions = next.stats();
            report.applied("stats-http=" + statsOptions.http() + " stats-minified=" + statsOptions.minified());
        }
    }

    private static <C> Optional<Endpoint> statsOf(RouterKind<C, ?> kind, RouterConfig config) {
        return config.get(kind).flatMap(c -> kind.services(c).stats());
    }

    /** {@code --reload-mercy} as last (re)loaded: how long {@link #stop} lets requests finish. */
    public Duration drain() {
        return drain;
    }

    /**
     * SIGHUP, TLS options: changed SNI names ({@code --sni}, {@code --sni-regexp}, {@code --sni-dir},
     * {@code --sni-dir-ciphers}) are served from the next handshake on; any other TLS service option needs
     * a restart. A certificate of the new names that fails keeps the old names, and rejects the reload.
     */
    private void reloadSni(RouterConfig next, ReloadReport.Builder report) throws ReloadException {
        TlsConfig wanted = next.get(TlsSection.INSTANCE).orElse(TlsConfig.DEFAULTS);
        if (tls == null) {
            if (!wanted.equals(TlsConfig.DEFAULTS) && !wanted.equals(tlsApplied)) {
                report.needsRestart(TlsSection.INSTANCE.name() + " options");
            }
            return;
        }
        if (wanted.equals(tlsApplied)) {
            return;
        }
        if (!TlsService.onlySniDiffers(tlsApplied, wanted)) {
            report.needsRestart(TlsSection.INSTANCE.name() + " options");
            return;
        }
        try {
            tls.reconfigureSni(wanted);
        } catch (Exception e) {
            throw new ReloadException("tls: " + e.getMessage(), e);
        }
        tlsApplied = wanted;
        report.applied("sni=" + wanted.sni().size() + " sni-regexp=" + wanted.sniRegexp().size()
                + " sni-dir=" + wanted.sniDir().map(Object::toString).orElse("none"));
    }

    /**
     * Applies {@code next}, the config re-read on SIGHUP, to the running process without closing a
     * client connection: the global subscription options go to every subscription table and server,
     * each running router gets its new config ({@link RouterKind#reconfigure}) and its subscription
     * servers are bound or closed ({@link RouterSubscriptions#reload}), the TLS service re-reads the
     * files that changed. What only a restart can change (a router kind added or removed, event loops,
     * the first or the last subscription server of a router, TLS service options) is reported and left
     * as it was.
     *
     * <p>Each router checks and builds what can fail (node names, certificates, new listeners) before
     * it changes; when one fails, the routers before it in {@link Kinds#ALL} keep their new config,
     * it and those after it keep theirs, and the exception says which.
     *
     * @return the one log line that says what changed
     * @throws ReloadException naming the router whose config could not be applied
     */
    public synchronized String reload(RouterConfig next) throws ReloadException {
        if (stopping) {
            return "reload: ignored, stopping";
        }
        ReloadReport.Builder report = new ReloadReport.Builder();
        if (next.offloadThreads() != config.offloadThreads()) {
            report.needsRestart("--" + RouterConfig.OFFLOAD_THREADS);
        }
        if (!next.drain().equals(drain)) {
            drain = next.drain();
            report.applied(RouterConfig.RELOAD_MERCY + "=" + drain.toSeconds());
        }
        // first, so that a subscription server bound by this reload reads with the new allow list
        reloadSubscriptionOptions(next, report);
        for (ConfigSection<?> section : config.sections()) {
            if (section instanceof RouterKind<?, ?> kind) {
                reloadKind(kind, next, report);
            } else if (section == TlsSection.INSTANCE) {
                reloadSni(next, report);
            } else if (section != SubscriptionSection.INSTANCE && !config.get(section).equals(next.get(section))) {
                report.needsRestart(section.name() + " options");
            }
        }
        reloadStats(next, report);
        if (tls != null) {
            tls.checkFiles(); // certificate, key and ticket files replaced in place
        }
        ReloadReport done = report.build();
        if (done.isEmpty()) {
            return "reload: no change";
        }
        return "reload: " + (done.applied().isEmpty() ? "nothing applied" : "applied " + String.join(", ", done.applied()))
                + (done.needsRestart().isEmpty() ? ""
                        : "; needs a restart, left as it was: " + String.join(", ", done.needsRestart()));
    }

    /**
     * The global subscription options ({@code --subscription-*}, {@code --subscriptions-sign-*}): every
     * router's table and servers take them ({@link RouterSubscriptions#reconfigure}); the keys and
     * nodes stay.
     */
    private void reloadSubscriptionOptions(RouterConfig next, ReloadReport.Builder report) throws ReloadException {
        SubscriptionOptions wanted = next.get(SubscriptionSection.INSTANCE).orElse(SubscriptionOptions.DEFAULTS);
        if (wanted.equals(subscriptionOptions)) {
            return;
        }
        for (RouterSubscriptions subs : subscriptions.values()) {
            try {
                subs.reconfigure(wanted);
            } catch (Exception e) {
                throw failed(SubscriptionSection.INSTANCE.name(), e, report);
            }
        }
        subscriptionOptions.changesTo(wanted).forEach(report::applied);
        subscriptionOptions = wanted;
    }

    private static ReloadException failed(String what, Exception e, ReloadReport.Builder report) {
        ReloadReport partial = report.build();
        return new ReloadException(what + ": " + (e.getMessage() != null ? e.getMessage() : e.toString())
                + (partial.applied().isEmpty() ? "" : " (applied before it: " + String.join(", ", partial.applied()) + ")"),
                e);
    }

    /**
     * The subscription servers of router {@code kind}: a reload of them when they changed, after their
     * new sockets are bound; null when unchanged or when the change needs a restart (then reported).
     */
    private RouterSubscriptions.Reload prepareSubscriptions(RouterKind<?, ?> kind, RouterSubscriptionOptions wanted,
            ReloadReport.Builder report) throws ReloadException {
        RouterSubscriptions subs = subscriptions.get(kind.name());
        String option = "--" + new RouterOptionNames(kind.name()).subscriptionServer();
        if (subs == null) {
            if (wanted.enabled()) {
                report.needsRestart(option + " (" + kind.name() + " started without one: the subscription table "
                        + "becomes its mapper at start-up)");
            }
            return null;
        }
        if (!wanted.enabled()) {
            report.needsRestart(option + " (every one removed: the subscription table stays " + kind.name()
                    + "'s mapper until a restart)");
            return null;
        }
        if (wanted.equals(subs.options())) {
            return null;
        }
        try {
            return subs.reload(wanted);
        } catch (Exception e) {
            throw failed(kind.name(), e, report);
        }
    }

    private <C, R extends Router> void reloadKind(RouterKind<C, R> kind, RouterConfig next, ReloadReport.Builder report)
            throws ReloadException {
        @SuppressWarnings("unchecked") // startKind and earlier reloads put kind's own configs
        C current = (C) applied.get(kind);
        Optional<C> wanted = next.get(kind);
        if (current == null || wanted.isEmpty()) {
            if (current != null || wanted.isPresent()) {
                report.needsRestart("--" + kind.name() + (current == null ? " (a router added)" : " (a router removed)"));
            }
            return;
        }
        RouterSubscriptions.Reload subs = prepareSubscriptions(kind, kind.services(wanted.get()).subscriptions(), report);
        try {
            // also with an equal config: the runtime reports again what still waits for a restart
            report.add(kind.reconfigure(router(kind), current, wanted.get()));
            applied.put(kind, wanted.get());
        } catch (UnsupportedOperationException e) {
            report.needsRestart(kind.name() + " options");
        } catch (Exception e) {
            if (subs != null) {
                subs.rollback();
            }
            throw failed(kind.name(), e, report);
        }
        if (subs != null) {
            try {
                subs.commit().forEach(report::applied);
            } catch (Exception e) {
                throw failed(kind.name() + " subscriptions", e, report);
            }
        }
    }

    /** A reloaded config that could not be applied; the message names the router and the reason. */
    public static final class ReloadException extends Exception {
        private static final long serialVersionUID = 1L;

        ReloadException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The router of {@code kind}, when configured. */
    public <R extends Router> R router(RouterKind<?, R> kind) {
        @SuppressWarnings("unchecked") // startKind put the router kind.create made
        R router = (R) routers.get(kind);
        return router;
    }

    /** The HTTP router, when configured (tests read its bound ports). */
    public HttpRouter http() {
        return router(HttpRouterKind.INSTANCE);
    }

    /** The sslrouter, when configured. */
    public SslRouter sslrouter() {
        return router(SslRouterKind.INSTANCE);
    }

    /** The TLS service (contexts, SNI, sessions), when a TLS listener is configured. */
    public TlsService tls() {
        return tls;
    }

    /** The fastrouter, when configured. */
    public FastRouter fastrouter() {
        return router(FastRouterKind.INSTANCE);
    }

    /** The rawrouter, when configured. */
    public RawRouter rawrouter() {
        return router(RawRouterKind.INSTANCE);
    }

    /** The subscription servers and table of router kind {@code kind}, when configured. */
    public RouterSubscriptions subscriptions(String kind) {
        return subscriptions.get(kind);
    }

    /** The stats server of router kind {@code kind}, when configured. */
    public StatsServer stats(String kind) {
        return statsServers.get(kind);
    }

    /** The HTTP router's subscription servers and table, when configured. */
    public RouterSubscriptions httpSubscriptions() {
        return subscriptions(HttpRouterKind.INSTANCE.name());
    }

    /** The HTTP router's stats server, when configured. */
    public StatsServer httpStats() {
        return stats(HttpRouterKind.INSTANCE.name());
    }

    /** The subscription client, when {@code --subscribe2} or {@code --subscribe-to} was given. */
    public Subscriber subscriber() {
        return subscriber;
    }

    /**
     * The offload pool ({@code --offload-threads}): blocking work kept off the event loops (post-buffering
     * files, name resolution, certificates). Null before {@link #start()}.
     */
    public ExecutorService offload() {
        return offload;
    }

    private static ExecutorService newOffloadPool(int threads) {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), runnable -> {
                    Thread thread = new Thread(runnable, "offload");
                    thread.setDaemon(true);
                    return thread;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /**
     * Graceful stop (SIGTERM, SIGINT): every router stops accepting at once (new connections are
     * refused), its sessions are told to finish their request and close ({@code Connection: close} for
     * HTTP keep-alive clients, idle keep-alive connections at once), and the requests in flight get up
     * to {@code drain} in total; then everything closes as in {@link #close()}.
     */
    public void stop(Duration drain) {
        synchronized (this) {
            stopping = true; // waits for a reload in progress
        }
        long deadline = System.nanoTime() + drain.toNanos();
        List<Future<?>> drained = new ArrayList<>();
        int open = 0;
        for (Router router : routers.values()) {
            RouterRuntime runtime = router.runtime();
            if (runtime != null) {
                open += runtime.openSessions();
                drained.add(runtime.stopAccepting());
            }
        }
        int sessions = open;
        LOG.info(() -> "stopping: listeners closed, sessions=" + sessions + " finish their requests (up to "
                + drain.toSeconds() + "s, --" + RouterConfig.RELOAD_MERCY + ")");
        for (Future<?> future : drained) {
            future.awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        for (Router router : routers.values()) {
            if (router.runtime() != null) {
                router.runtime().drain(Duration.ZERO); // the time is up: close() closes what is left
            }
        }
        close();
    }

    @Override
    public void close() {
        for (int i = running.size() - 1; i >= 0; i--) {
            try {
                running.get(i).close();
            } catch (Exception e) {
                LOG.warning("close failed: " + e);
            }
        }
        running.clear();
    }
}
