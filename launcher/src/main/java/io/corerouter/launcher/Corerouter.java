package io.corerouter.launcher;

import io.corerouter.core.backend.Clock;
import io.corerouter.core.config.FastRouterConfig;
import io.corerouter.core.config.HttpRouterConfig;
import io.corerouter.core.config.RawRouterConfig;
import io.corerouter.core.config.RouterConfig;
import io.corerouter.core.config.RouterOptions;
import io.corerouter.core.config.RouterServices;
import io.corerouter.core.config.SslRouterConfig;
import io.corerouter.core.route.KeyMapper;
import io.corerouter.core.server.Hostname;
import io.corerouter.core.server.Router;
import io.corerouter.core.server.RouterRuntime;
import io.corerouter.core.stats.RouterStats;
import io.corerouter.core.stats.StatsDocument;
import io.corerouter.core.stats.StatsServer;
import io.corerouter.core.transport.Transport;
import io.corerouter.fast.FastRouter;
import io.corerouter.http.HttpRouter;
import io.corerouter.raw.RawRouter;
import io.corerouter.ssl.TlsService;
import io.corerouter.ssl.router.SslRouter;
import io.corerouter.subscription.RouterSubscriptions;
import io.corerouter.subscription.Subscriber;
import io.netty.channel.EventLoopGroup;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * <p>Every router kind gets the same services the same way ({@link #startRouter}): a subscription
 * table that becomes its mapper when {@code --R-subscription-server} is given, cheap mode, and a
 * stats server with {@code --R-stats}.
 */
public final class Corerouter implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Corerouter.class.getName());

    private final RouterConfig config;
    private final List<AutoCloseable> running = new ArrayList<>();
    private final Map<String, RouterSubscriptions> subscriptions = new HashMap<>();
    private final Map<String, StatsServer> statsServers = new HashMap<>();
    private Transport transport;
    private ExecutorService offload;
    private EventLoopGroup aux;
    private TlsService tls;
    private TlsSniSink sniSink;
    private HttpRouter http;
    private SslRouter sslrouter;
    private FastRouter fastrouter;
    private RawRouter rawrouter;
    private Subscriber subscriber;

    /** Makes a router kind given its mapper (the subscription table, or null for its own). */
    @FunctionalInterface
    private interface RouterFactory<R extends Router> {
        R create(KeyMapper externalMapper) throws Exception;
    }

    public Corerouter(RouterConfig config) {
        this.config = config;
    }

    public void start() throws Exception {
        transport = Transport.detect();
        offload = newOffloadPool(config.offloadThreads());
        running.add(offload::shutdownNow);
        // one thread off the request path: datagrams in and out, sweeps, stats documents
        aux = transport.newGroup(1, "aux");
        running.add(() -> aux.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS));
        String hostname = Hostname.get();
        if (config.usesTls()) {
            tls = TlsService.start(config.tls(), offload);
            running.add(tls);
            sniSink = new TlsSniSink(tls.sniContexts());
        }
        if (config.http().isPresent()) {
            HttpRouterConfig httpConfig = config.http().get();
            http = startRouter(HttpRouterConfig.KIND, httpConfig.common(),
                    mapper -> new HttpRouter(httpConfig, config.https(), tls, transport, mapper, hostname, offload));
        }
        if (config.sslrouter().isPresent()) {
            SslRouterConfig sslConfig = config.sslrouter().get();
            sslrouter = startRouter(SslRouterConfig.KIND, sslConfig.common(),
                    mapper -> new SslRouter(sslConfig, transport, tls, mapper));
        }
        if (config.fastrouter().isPresent()) {
            FastRouterConfig fastConfig = config.fastrouter().get();
            fastrouter = startRouter(FastRouterConfig.KIND, fastConfig.common(),
                    mapper -> new FastRouter(fastConfig, transport, mapper, offload));
        }
        if (config.rawrouter().isPresent()) {
            RawRouterConfig rawConfig = config.rawrouter().get();
            rawrouter = startRouter(RawRouterConfig.KIND, rawConfig.common(),
                    mapper -> new RawRouter(rawConfig, transport, mapper));
        }
        if (config.subscriber().enabled()) {
            subscriber = new Subscriber(config.subscriber(), transport, aux.next(), Clock.SYSTEM);
            running.add(subscriber);
            subscriber.start();
        }
        if (http == null && sslrouter == null && fastrouter == null && rawrouter == null && subscriber == null) {
            LOG.warning("no router configured (give --http, --https, --fastrouter, --rawrouter or --sslrouter ADDR)"
                    + " and nothing to announce (--subscribe2): nothing to do");
        }
    }

    /**
     * Starts one router with its services: the subscription table (its mapper, spec §2) before it,
     * the subscription servers (with cheap mode, spec §3.9) and the stats server (§3.11) after it.
     */
    private <R extends Router> R startRouter(String kind, RouterOptions common, RouterFactory<R> factory)
            throws Exception {
        RouterServices services = config.services(kind);
        RouterSubscriptions subs = null;
        if (services.subscriptions().enabled()) {
            subs = new RouterSubscriptions(kind, services.subscriptions(), config.subscriptions(), transport,
                    aux.next(), Clock.SYSTEM);
            if (servesTls(kind)) {
                subs.table().sniSink(sniSink); // nodes push SNI contexts (spec §5.4)
            }
        }
        R router = factory.create(subs == null ? null : subs.table());
        running.add(router);
        router.start();
        RouterRuntime runtime = router.runtime();
        if (subs != null) {
            subscriptions.put(kind, subs);
            running.add(subs);
            subs.start(runtime::firstListenerName, common.cheap() ? runtime::setAccepting : null);
        }
        if (services.stats().isPresent()) {
            RouterSubscriptions table = subs;
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
                    .withPools(() -> runtime.nodePools().isEmpty() ? null : runtime.nodePools());
            StatsServer server = new StatsServer(kind + " router", transport, aux,
                    new StatsDocument(Version.get(), stats), config.stats());
            running.add(server);
            server.bind(services.stats().get());
            statsServers.put(kind, server);
        }
        return router;
    }

    /** Whether router kind {@code kind} has TLS listeners: only those take SNI contexts from subscriptions. */
    private boolean servesTls(String kind) {
        return SslRouterConfig.KIND.equals(kind)
                || (HttpRouterConfig.KIND.equals(kind) && !config.https().listeners().isEmpty());
    }

    /** The HTTP router, when configured (tests read its bound ports). */
    public HttpRouter http() {
        return http;
    }

    /** The sslrouter, when configured. */
    public SslRouter sslrouter() {
        return sslrouter;
    }

    /** The TLS service (contexts, SNI, sessions), when a TLS listener is configured. */
    public TlsService tls() {
        return tls;
    }

    /** The fastrouter, when configured. */
    public FastRouter fastrouter() {
        return fastrouter;
    }

    /** The rawrouter, when configured. */
    public RawRouter rawrouter() {
        return rawrouter;
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
        return subscriptions(HttpRouterConfig.KIND);
    }

    /** The HTTP router's stats server, when configured. */
    public StatsServer httpStats() {
        return stats(HttpRouterConfig.KIND);
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
