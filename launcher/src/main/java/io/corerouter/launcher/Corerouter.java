package io.corerouter.launcher;

import io.corerouter.core.backend.Clock;
import io.corerouter.core.config.HttpRouterConfig;
import io.corerouter.core.config.RouterConfig;
import io.corerouter.core.server.Hostname;
import io.corerouter.core.stats.RouterStats;
import io.corerouter.core.stats.StatsDocument;
import io.corerouter.core.stats.StatsServer;
import io.corerouter.core.transport.Transport;
import io.corerouter.http.HttpRouter;
import io.corerouter.subscription.RouterSubscriptions;
import io.corerouter.subscription.Subscriber;
import io.netty.channel.EventLoopGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * One corerouter process: the transport, the offload pool, the auxiliary event loop (subscription
 * servers, stats servers, the subscriber) and every configured router, started together and closed
 * in reverse order.
 */
public final class Corerouter implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Corerouter.class.getName());

    private final RouterConfig config;
    private final List<AutoCloseable> running = new ArrayList<>();
    private ExecutorService offload;
    private EventLoopGroup aux;
    private HttpRouter http;
    private RouterSubscriptions httpSubscriptions;
    private StatsServer httpStats;
    private Subscriber subscriber;

    public Corerouter(RouterConfig config) {
        this.config = config;
    }

    public void start() throws Exception {
        Transport transport = Transport.detect();
        offload = newOffloadPool(config.offloadThreads());
        running.add(offload::shutdownNow);
        // one thread off the request path: datagrams in and out, sweeps, stats documents
        aux = transport.newGroup(1, "aux");
        running.add(() -> aux.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS));
        String hostname = Hostname.get();
        if (config.http().isPresent()) {
            startHttp(config.http().get(), transport, hostname);
        }
        if (config.subscriber().enabled()) {
            subscriber = new Subscriber(config.subscriber(), transport, aux.next(), Clock.SYSTEM);
            running.add(subscriber);
            subscriber.start();
        }
        if (http == null && subscriber == null) {
            LOG.warning("no router configured (give --http ADDR) and nothing to announce (--subscribe2): "
                    + "nothing to do");
        }
    }

    private void startHttp(HttpRouterConfig httpConfig, Transport transport, String hostname) throws Exception {
        RouterSubscriptions subscriptions = null;
        if (httpConfig.subscriptions().enabled()) {
            subscriptions = new RouterSubscriptions(HttpRouterConfig.KIND, httpConfig.subscriptions(),
                    config.subscriptions(), transport, aux.next(), Clock.SYSTEM);
        }
        HttpRouter router = new HttpRouter(httpConfig, transport, subscriptions == null ? null : subscriptions.table(),
                hostname);
        http = router;
        running.add(router);
        router.start();
        if (subscriptions != null) {
            httpSubscriptions = subscriptions;
            running.add(subscriptions);
            subscriptions.start(router::firstListenerName, httpConfig.common().cheap() ? router::setAccepting : null);
        }
        if (httpConfig.stats().isPresent()) {
            RouterSubscriptions subs = subscriptions;
            RouterStats stats = new RouterStats(HttpRouterConfig.KIND,
                    () -> {
                        List<String> names = new ArrayList<>(router.socketNames());
                        if (subs != null) {
                            names.addAll(subs.socketNames());
                        }
                        return names;
                    },
                    router::activeSessions, router::staticNodes, subs == null ? null : subs.table(),
                    () -> subs != null && subs.isCheap());
            httpStats = new StatsServer("http router", transport, aux,
                    new StatsDocument(Version.get(), stats), config.stats());
            running.add(httpStats);
            httpStats.bind(httpConfig.stats().get());
        }
    }

    /** The HTTP router, when configured (tests read its bound ports). */
    public HttpRouter http() {
        return http;
    }

    /** The HTTP router's subscription servers and table, when configured. */
    public RouterSubscriptions httpSubscriptions() {
        return httpSubscriptions;
    }

    /** The HTTP router's stats server, when configured. */
    public StatsServer httpStats() {
        return httpStats;
    }

    /** The subscription client, when {@code --subscribe2} or {@code --subscribe-to} was given. */
    public Subscriber subscriber() {
        return subscriber;
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
