package io.corerouter.fast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.corerouter.core.backend.NodeHealth;
import io.corerouter.core.backend.NodeHealth.State;
import io.corerouter.core.backend.StaticNode;
import io.corerouter.core.testing.UwsgiProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Node health in the fastrouter (issue 13) with real uWSGI nodes: check requests to a
 * {@code --puwsgi-socket} node and to a classic {@code --socket} node (a uwsgi packet on a connection
 * of its own, the status line read) take a node whose app answers 500 out of rotation and bring it
 * back; and passive health on the classic relay: a node that closes without a byte, N times in a row.
 */
class FastRouterHealthTest {
    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(40);
    /** /health answers 500 while NODE.sick exists next to the app; other paths count themselves in NODE.count. */
    static final String APP = String.join("\n",
            "import os",
            "HERE = os.path.dirname(os.path.abspath(__file__))",
            "def application(environ, start_response):",
            "    node = os.environ.get('NODE_NAME', '')",
            "    if environ.get('PATH_INFO') == '/health':",
            "        sick = os.path.exists(os.path.join(HERE, node + '.sick'))",
            "        start_response('500 Internal Server Error' if sick else '200 OK', [('Content-Length', '2')])",
            "        return [b'no' if sick else b'ok']",
            "    with open(os.path.join(HERE, node + '.count'), 'a') as f:",
            "        f.write('x\\n')",
            "    body = node.encode()",
            "    start_response('200 OK', [('Content-Length', str(len(body)))])",
            "    return [body]",
            "");

    @TempDir
    static Path dir;
    static UwsgiProcess good;
    static UwsgiProcess puwsgi;
    static UwsgiProcess classic;
    static ExecutorService offload;

    @BeforeAll
    static void startNodes() throws Exception {
        Path app = dir.resolve("health_app.py");
        Files.writeString(app, APP, StandardCharsets.UTF_8);
        List<String> args = List.of("--plugin", "python3", "--wsgi-file", app.toString(), "--need-app",
                "--disable-logging", "--die-on-term", "--processes", "2");
        good = UwsgiProcess.start(dir, "good", "--socket", args);
        puwsgi = UwsgiProcess.start(dir, "p", "--puwsgi-socket", args);
        classic = UwsgiProcess.start(dir, "u", "--socket", args);
        offload = FastTesting.offload();
    }

    @AfterAll
    static void stopNodes() {
        good.close();
        puwsgi.close();
        classic.close();
        offload.shutdownNow();
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for: " + what);
            }
            Thread.sleep(20); // polling the router's state; bounded by the deadline
        }
    }

    static StaticNode node(FastRouter router, String name) {
        return router.runtime().staticNodes().nodes().stream().filter(n -> n.name().equals(name)).findFirst()
                .orElseThrow();
    }

    static int count(String node) throws IOException {
        Path file = dir.resolve(node + ".count");
        return Files.exists(file) ? Files.readAllLines(file).size() : 0;
    }

    /** One uwsgi request as nginx would send it; the whole response (the router closes after it). */
    static String request(FastRouter router) throws IOException {
        ByteArrayOutputStream vars = new ByteArrayOutputStream();
        for (String[] kv : new String[][] {{"REQUEST_METHOD", "GET"}, {"REQUEST_URI", "/work"}, {"PATH_INFO", "/work"},
                {"QUERY_STRING", ""}, {"SERVER_PROTOCOL", "HTTP/1.1"}, {"SERVER_NAME", "app.test"},
                {"SERVER_PORT", "80"}, {"HTTP_HOST", "app.test"}}) {
            for (String s : kv) {
                byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
                vars.write(bytes.length & 0xff);
                vars.write(bytes.length >> 8);
                vars.writeBytes(bytes);
            }
        }
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), FastTesting.port(router))) {
            socket.setSoTimeout(30_000);
            int size = vars.size();
            socket.getOutputStream().write(new byte[] {0, (byte) size, (byte) (size >> 8), 0});
            socket.getOutputStream().write(vars.toByteArray());
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    static List<String> bodies(FastRouter router, int n) throws IOException {
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String response = request(router);
            assertTrue(response.startsWith("HTTP/1.1 200"), response);
            bodies.add(response.substring(response.indexOf("\r\n\r\n") + 4));
        }
        return bodies;
    }

    void downThenBack(UwsgiProcess sick, String address) throws Exception {
        Path flag = dir.resolve(sick.name() + ".sick");
        Files.writeString(flag, "");
        try (FastRouter router = FastTesting.start(null, offload, "--fastrouter", "127.0.0.1:0", "--fastrouter-processes",
                "2", "--fastrouter-to", good.address(), "--fastrouter-to", address, "--fastrouter-check-interval", "1",
                "--fastrouter-check-path", "/health?probe=1", "--fastrouter-check-fall", "2", "--fastrouter-check-rise", "2")) {
            NodeHealth health = node(router, address).health();
            await(address + " down", () -> health.state() == State.DOWN);
            assertEquals("failed: status 500", health.lastCheck());
            int before = count(sick.name());
            assertEquals(List.of("good", "good", "good", "good"), bodies(router, 4));
            assertEquals(before, count(sick.name()), "no client request reached the down node");
            Files.delete(flag);
            await(address + " up again", () -> health.state() == State.UP);
            assertEquals("passed: status 200", health.lastCheck());
            List<String> after = bodies(router, 4);
            assertEquals(2, after.stream().filter(sick.name()::equals).count(), after::toString);
            assertEquals(State.UP, node(router, good.address()).health().state());
        }
    }

    @Test
    void checksOfAPuwsgiNode() throws Exception {
        downThenBack(puwsgi, "puwsgi://" + puwsgi.address());
    }

    @Test
    void checksOfAClassicUwsgiNode() throws Exception {
        downThenBack(classic, classic.address());
    }

    @Test
    void passiveHealthOnTheClassicRelay() throws Exception {
        AtomicInteger accepted = new AtomicInteger();
        try (ServerSocket closing = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                while (!closing.isClosed()) {
                    try (Socket socket = closing.accept(); InputStream in = socket.getInputStream()) {
                        accepted.incrementAndGet();
                        in.readNBytes(4); // then closes without a byte
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "closing-node");
            acceptor.setDaemon(true);
            acceptor.start();
            String address = "127.0.0.1:" + closing.getLocalPort();
            try (FastRouter router = FastTesting.start(null, offload, "--fastrouter", "127.0.0.1:0",
                    "--fastrouter-processes", "1", "--fastrouter-to", address, "--fastrouter-to", good.address(),
                    "--fastrouter-error-limit", "2")) {
                NodeHealth health = node(router, address).health();
                // the closing node is picked first, then every second request: the first two fail
                request(router);
                request(router);
                request(router);
                await("the failed request counted", () -> health.state() == State.FAILED);
                assertEquals(2, accepted.get());
                assertEquals(List.of("good", "good", "good"), bodies(router, 3));
                assertEquals(2, accepted.get(), "failed for the gracetime: no more requests");
            }
        }
    }
}
