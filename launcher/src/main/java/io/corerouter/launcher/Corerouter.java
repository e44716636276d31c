package io.corerouter.launcher;

import io.corerouter.core.config.RouterConfig;
import io.corerouter.core.server.Hostname;
import io.corerouter.core.transport.Transport;
import io.corerouter.fast.FastRouter;
import io.corerouter.http.HttpRouter;
import io.corerouter.raw.RawRouter;
import io.corerouter.ssl.TlsService;
import io.corerouter.ssl.router.SslRouter;
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
    private TlsService tls;
    private HttpRouter http;
    private SslRouter sslrouter;
    private FastRouter fastrouter;
    private RawRouter rawrouter;

    public Corerouter(RouterConfig config) {
        this.config = config;
    }

    public void start() throws Exception {
        Transport transport = Transport.detect();
        offload = newOffloadPool(config.offloadThreads());
        running.add(offload::shutdownNow);
        String hostname = Hostname.get();
        if (config.usesTls()) {
            tls = TlsService.start(config.tls(), offload);
            running.add(tls);
        }
        if (config.http().isPresent()) {
            http = new HttpRouter(config.http().get(), config.https(), tls, transport, null, hostname);
            running.add(http);
            http.start();
        }
        if (config.sslrouter().isPresent()) {
            sslrouter = new SslRouter(config.sslrouter().get(), transport, tls, null);
            running.add(sslrouter);
            sslrouter.start();
        }
        if (config.fastrouter().isPresent()) {
            fastrouter = new FastRouter(config.fastrouter().get(), transport, null, offload);
            running.add(fastrouter);
            fastrouter.start();
        }
        if (config.rawrouter().isPresent()) {
            rawrouter = new RawRouter(config.rawrouter().get(), transport, null);
            running.add(rawrouter);
            rawrouter.start();
        }
        if (http == null && sslrouter == null && fastrouter == null && rawrouter == null) {
            LOG.warning("no router configured (give --http, --https, --fastrouter, --rawrouter or --sslrouter ADDR):"
                    + " nothing to serve");
        }
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
