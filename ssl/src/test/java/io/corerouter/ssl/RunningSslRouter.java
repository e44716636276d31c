package io.corerouter.ssl;

import io.corerouter.core.config.RouterConfig;
import io.corerouter.core.route.KeyMapper;
import io.corerouter.core.transport.Transport;
import io.corerouter.ssl.router.SslRouter;
import io.corerouter.ssl.router.SslRouterKind;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** Our sslrouter started in-process from command-line options, on port 0. */
public final class RunningSslRouter implements AutoCloseable {
    private final ExecutorService offload = Executors.newFixedThreadPool(2);
    private final TlsService tls;
    private final SslRouter router;

    private RunningSslRouter(TlsEngine engine, KeyMapper mapper, String... args) throws Exception {
        RouterConfig config = SslConfigs.parse(args);
        try {
            tls = TlsService.start(config.get(TlsSection.INSTANCE).orElseThrow(), offload, engine);
            router = new SslRouter(config.get(SslRouterKind.INSTANCE).orElseThrow(), Transport.detect(), tls, mapper);
            router.start();
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    /** BoringSSL, static nodes. */
    public static RunningSslRouter start(String... args) throws Exception {
        return new RunningSslRouter(TlsEngine.detect(), null, args);
    }

    public static RunningSslRouter start(TlsEngine engine, KeyMapper mapper, String... args) throws Exception {
        return new RunningSslRouter(engine, mapper, args);
    }

    public int port() {
        return port(0);
    }

    public int port(int listener) {
        return ((InetSocketAddress) router.listeners().get(listener).localAddress()).getPort();
    }

    public TlsService tls() {
        return tls;
    }

    @Override
    public void close() {
        if (router != null) {
            router.close();
        }
        if (tls != null) {
            tls.close();
        }
        offload.shutdownNow();
        try {
            offload.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
