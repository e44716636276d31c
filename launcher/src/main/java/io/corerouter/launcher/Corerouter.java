package io.corerouter.launcher;

import io.corerouter.core.config.RouterConfig;
import io.corerouter.core.server.Hostname;
import io.corerouter.core.transport.Transport;
import io.corerouter.http.HttpRouter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * One corerouter process: the transport, the offload pool and every configured router, started
 * together and closed in reverse order.
 */
public final class Corerouter implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Corerouter.class.getName());

    private final RouterConfig config;
    private final List<AutoCloseable> running = new ArrayList<>();
    private ExecutorService offload;
    private HttpRouter http;

    public Corerouter(RouterConfig config) {
        this.config = config;
    }

    public void start() throws Exception {
        Transport transport = Transport.detect();
        offload = newOffloadPool(config.offloadThreads());
        running.add(offload::shutdownNow);
        String hostname = Hostname.get();
        if (config.http().isPresent()) {
            http = new HttpRouter(config.http().get(), transport, null, hostname, offload);
            running.add(http);
            http.start();
        }
        if (running.size() == 1) {
            LOG.warning("no router configured (give --http ADDR): nothing to serve");
        }
    }

    /** The HTTP router, when configured (tests read its bound ports). */
    public HttpRouter http() {
        return http;
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
