package io.corerouter.raw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.corerouter.core.backend.NodeHealth;
import io.corerouter.core.backend.NodeHealth.State;
import io.corerouter.core.config.RouterConfig;
import io.corerouter.core.transport.Transport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Connect checks in a byte relay (issue 13): the rawrouter takes a closed port out of rotation after
 * {@code fall} refused connects, sends every client to the other node while it is down, and brings it
 * back after {@code rise} accepted ones once something listens.
 */
class RawRouterHealthTest {
    /** Answers {@code name} to every connection and closes; counts them. */
    static final class BannerNode implements AutoCloseable {
        final ServerSocket server;
        final AtomicInteger connections = new AtomicInteger();

        BannerNode(int port, String name) throws IOException {
            server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try (Socket socket = server.accept()) {
                        connections.incrementAndGet();
                        socket.getOutputStream().write(name.getBytes(StandardCharsets.ISO_8859_1));
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "banner-" + name);
            acceptor.setDaemon(true);
            acceptor.start();
        }

        String address() {
            return "127.0.0.1:" + server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    static List<String> banners(RawRouter router, int n) throws IOException {
        InetSocketAddress address = (InetSocketAddress) router.listeners().get(0).localAddress();
        List<String> got = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
                socket.setSoTimeout(30_000);
                got.add(new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1));
            }
        }
        return got;
    }

    static void await(NodeHealth health, State state) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        while (health.state() != state) {
            if (System.nanoTime() > deadline) {
                fail("node not " + state + ": " + health.state() + ", " + health.lastCheck());
            }
            Thread.sleep(20); // polling the router's state; bounded by the deadline
        }
    }

    @Test
    void aClosedPortLeavesTheRotationAndComesBack() throws Exception {
        int port;
        try (ServerSocket reserve = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = reserve.getLocalPort();
        }
        String bad = "127.0.0.1:" + port;
        try (BannerNode good = new BannerNode(0, "good")) {
            RawRouterConfig config = RouterConfig.parse(List.of(RawRouterKind.INSTANCE), "--rawrouter", "127.0.0.1:0",
                    "--rawrouter-processes", "2", "--rawrouter-to", bad, "--rawrouter-to", good.address(),
                    "--rawrouter-check-interval", "1", "--rawrouter-check-fall", "2", "--rawrouter-check-rise", "2")
                    .get(RawRouterKind.INSTANCE).orElseThrow();
            BannerNode[] fixed = new BannerNode[1];
            try (RawRouter router = new RawRouter(config, Transport.detect(), null)) {
                router.start();
                NodeHealth health = router.runtime().staticNodes().nodes().get(0).health();
                await(health, State.DOWN);
                assertEquals(List.of("good", "good", "good", "good"), banners(router, 4));
                fixed[0] = new BannerNode(port, "bad");
                await(health, State.UP);
                List<String> after = banners(router, 4);
                assertEquals(2, after.stream().filter("bad"::equals).count(), after::toString);
            } finally {
                if (fixed[0] != null) {
                    fixed[0].close();
                }
            }
        }
    }
}
