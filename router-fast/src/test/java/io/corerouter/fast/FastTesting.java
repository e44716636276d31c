package io.corerouter.fast;

import io.corerouter.core.route.KeyMapper;
import io.corerouter.core.transport.Transport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Starting fastrouters in-process for the integration tests. */
final class FastTesting {
    private FastTesting() {
    }

    /** A fastrouter from command-line style options (include {@code --fastrouter 127.0.0.1:0}). */
    static FastRouter start(KeyMapper mapper, ExecutorService offload, String... args) throws Exception {
        FastRouterConfig config = FastRawConfigTest.parse(args).get(FastRouterKind.INSTANCE).orElseThrow();
        FastRouter router = new FastRouter(config, Transport.detect(), mapper, offload);
        try {
            router.start();
        } catch (Exception e) {
            router.close();
            throw e;
        }
        return router;
    }

    static ExecutorService offload() {
        return Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "test-offload");
            t.setDaemon(true);
            return t;
        });
    }

    static int port(FastRouter router) {
        return ((InetSocketAddress) router.listeners().get(0).localAddress()).getPort();
    }

    /** A port that was free a moment ago (for peers that need a fixed port, like nginx). */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
