package io.corerouter.http;

import io.corerouter.core.transport.Transport;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Starts an in-process HTTP router from command-line style options, on port 0. */
final class Routers {
    private Routers() {
    }

    /** A started router with its own offload pool; close it with {@link Started#close()}. */
    record Started(HttpRouter router, ExecutorService offload) implements AutoCloseable {
        InetSocketAddress address() {
            return (InetSocketAddress) router.listeners().get(0).localAddress();
        }

        @Override
        public void close() {
            router.close();
            offload.shutdownNow();
        }
    }

    static Started start(String... args) throws Exception {
        ExecutorService offload = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "test-offload");
            t.setDaemon(true);
            return t;
        });
        HttpRouter router = new HttpRouter(HttpConfigs.http(args), Transport.detect(), null, "testhost", offload);
        try {
            router.start();
        } catch (Exception e) {
            router.close();
            offload.shutdownNow();
            throw e;
        }
        return new Started(router, offload);
    }
}
