package io.corerouter.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.core.testing.RawHttpClient;
import io.corerouter.core.testing.UwsgiProcess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Zerg (spec §7): a real {@code uwsgi --zerg-pool} owns the listening port, our routers attach with
 * {@code --<router>-zerg} and serve it, and a second router attached to the same pool takes over while
 * the first stops, without a single failed request.
 */
class ZergTest {
    @TempDir
    Path dir;

    private final Running running = new Running();

    @AfterEach
    void stop() {
        running.close();
    }

    private Corerouter router(String... args) throws Exception {
        return running.router(args);
    }

    /** Starts {@code uwsgi --zerg-pool PATH:127.0.0.1:PORT} and waits until it hands out sockets. */
    private Path zergPool(int port) throws Exception {
        Path socket = dir.resolve("zerg.sock");
        Process process = new ProcessBuilder(UwsgiProcess.binary(), "--plugin", "zergpool", "--master",
                "--zerg-pool", socket + ":127.0.0.1:" + port, "--disable-logging")
                .redirectErrorStream(true).redirectOutput(dir.resolve("zergpool.log").toFile()).start();
        running.add(() -> {
            // SIGINT: a uWSGI master reloads on SIGTERM
            new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start().waitFor(10, TimeUnit.SECONDS);
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        });
        await(() -> {
            if (!Files.exists(socket)) {
                return false;
            }
            try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                probe.connect(UnixDomainSocketAddress.of(socket));
                return true;
            } catch (IOException notYet) {
                return false;
            }
        }, "zerg pool never came up: " + dir.resolve("zergpool.log"));
        return socket;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        Running.await(what, condition);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static RawHttpClient.Response get(int port, String path) throws IOException {
        return RawHttpClient.exchange(new InetSocketAddress("127.0.0.1", port),
                "GET " + path + " HTTP/1.1\r\nHost: zerg.test\r\nConnection: close\r\n\r\n");
    }

    @Test
    void httpZergAloneServesThePoolsPort() throws Exception {
        UwsgiProcess node = UwsgiProcess.startEcho(dir, "n");
        running.add(node);
        int port = freePort();
        Path pool = zergPool(port);
        Corerouter router = router("--http-zerg", pool.toString(), "--http-to", node.address());
        assertEquals(1, router.http().listeners().size());
        RawHttpClient.Response response = get(port, "/z");
        assertEquals(200, response.status());
        assertTrue(response.bodyText().contains("\"SERVER_PORT\": \"" + port + "\""), response.bodyText());
    }

    @Test
    void secondRouterTakesOverWithoutAFailedRequest() throws Exception {
        UwsgiProcess node = UwsgiProcess.startEcho(dir, "n");
        running.add(node);
        int port = freePort();
        Path pool = zergPool(port);
        String[] args = {"--http-zerg", pool.toString(), "--http-to", node.address(), "--http-processes", "1"};
        Corerouter old = router(args);
        assertEquals(200, get(port, "/first").status());

        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger ok = new AtomicInteger();
        AtomicReference<String> failure = new AtomicReference<>();
        Thread load = new Thread(() -> {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60); // bounded however the test goes
            while (running.get() && System.nanoTime() < end && failure.get() == null) {
                try {
                    RawHttpClient.Response response = get(port, "/swap");
                    if (response.status() != 200) {
                        failure.set("status " + response.status());
                    } else {
                        ok.incrementAndGet();
                    }
                } catch (IOException e) {
                    failure.set(e.toString());
                }
            }
        }, "zerg-load");
        load.start();
        try {
            await(() -> ok.get() >= 20, "no requests served before the swap");
            Corerouter fresh = router(args);
            int atStart = ok.get();
            await(() -> ok.get() >= atStart + 20 || failure.get() != null, "no requests served by both");
            old.close(); // stops accepting, finishes its requests in flight; the new one accepts meanwhile
            int atStop = ok.get();
            await(() -> ok.get() >= atStop + 50 || failure.get() != null, "no requests served after the swap");
            assertEquals(1, fresh.http().listeners().size());
        } finally {
            running.set(false);
            load.join(30_000);
        }
        assertEquals(null, failure.get(), "a request failed during the swap");
    }

    @Test
    void rawrouterServesAZergSocket() throws Exception {
        int httpPort = freePort();
        UwsgiProcess node = UwsgiProcess.startEcho(dir, "n", "--http-socket", "127.0.0.1:" + httpPort);
        running.add(node);
        int port = freePort();
        Path pool = zergPool(port);
        Corerouter router = router("--rawrouter-zerg", pool.toString(), "--rawrouter-to", "127.0.0.1:" + httpPort);
        assertEquals(1, router.rawrouter().listeners().size());
        RawHttpClient.Response response = get(port, "/raw");
        assertEquals(200, response.status());
        assertTrue(response.bodyText().contains("\"PATH_INFO\": \"/raw\""), response.bodyText());
    }
}
