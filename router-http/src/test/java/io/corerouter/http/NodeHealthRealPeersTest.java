package io.corerouter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.corerouter.core.backend.NodeHealth;
import io.corerouter.core.backend.NodeHealth.State;
import io.corerouter.core.backend.StaticNode;
import io.corerouter.core.stats.JsonWriter;
import io.corerouter.core.stats.RouterStats;
import io.corerouter.core.testing.RawHttpClient;
import io.corerouter.core.testing.RawHttpClient.Response;
import io.corerouter.core.testing.UwsgiProcess;
import io.corerouter.core.transport.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Node health (issue 13) with real peers: a node that accepts and never answers (a Java socket), a real
 * uWSGI {@code --http11-socket} node whose app answers 500 to the check path, and a closed port. Each
 * leaves rotation after {@code fall} failed checks, gets no client request while down (requests are
 * counted at the node, checks apart), and comes back after {@code rise} passed checks once fixed. Plus
 * passive health: {@code --http-error-limit} failed requests in a row mark a node failed.
 *
 * <p>Checks run every second; every wait polls the node's state with a deadline.
 */
class NodeHealthRealPeersTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(40);
    /**
     * /health answers 500 while the file NODE.sick exists next to the app, else 200; every other path
     * counts itself in NODE.count and answers the node's name.
     */
    static final String APP = String.join("\n",
            "import os",
            "HERE = os.path.dirname(os.path.abspath(__file__))",
            "def application(environ, start_response):",
            "    node = os.environ.get('NODE_NAME', '')",
            "    if environ.get('PATH_INFO') == '/health':",
            "        if os.path.exists(os.path.join(HERE, node + '.sick')):",
            "            start_response('500 Internal Server Error', [('Content-Length', '4')])",
            "            return [b'sick']",
            "        start_response('200 OK', [('Content-Length', '2')])",
            "        return [b'ok']",
            "    with open(os.path.join(HERE, node + '.count'), 'a') as f:",
            "        f.write('x\\n')",
            "    body = node.encode()",
            "    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', str(len(body)))])",
            "    return [body]",
            "");

    @TempDir
    static Path dir;
    static UwsgiProcess good;
    static UwsgiProcess sick;
    final List<String> stateLines = new CopyOnWriteArrayList<>();
    final Handler logCapture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getMessage() != null && record.getMessage().contains(" state=")) {
                stateLines.add(record.getMessage());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeAll
    static void startNodes() throws Exception {
        Path app = dir.resolve("health_app.py");
        Files.writeString(app, APP, StandardCharsets.UTF_8);
        List<String> args = List.of("--plugin", "python3", "--wsgi-file", app.toString(), "--need-app",
                "--disable-logging", "--die-on-term");
        good = UwsgiProcess.start(dir, "good", "--socket", args);
        sick = UwsgiProcess.start(dir, "sick", "--http11-socket", args);
    }

    @AfterAll
    static void stopNodes() {
        good.close();
        sick.close();
    }

    @BeforeEach
    void captureStateLines() {
        Logger.getLogger(NodeHealth.class.getName()).addHandler(logCapture);
    }

    @AfterEach
    void stopCapture() {
        Logger.getLogger(NodeHealth.class.getName()).removeHandler(logCapture);
    }

    static HttpRouter start(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("--http", "127.0.0.1:0", "--http-processes", "2",
                "--http-timeout", "10", "--http-check-interval", "1", "--http-check-rise", "2",
                "--http-check-fall", "2"));
        all.addAll(List.of(args));
        HttpRouter router = new HttpRouter(HttpConfigs.http(all.toArray(String[]::new)), Transport.detect(), null,
                "testhost");
        router.start();
        return router;
    }

    static StaticNode node(HttpRouter router, String name) {
        return router.runtime().staticNodes().nodes().stream().filter(n -> n.name().equals(name)).findFirst()
                .orElseThrow();
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

    /** {@code n} client requests on fresh connections: the bodies (node names) they got. */
    static List<String> requests(HttpRouter router, int n) throws IOException {
        InetSocketAddress address = (InetSocketAddress) router.listeners().get(0).localAddress();
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Response response = RawHttpClient.exchange(address, "GET /work HTTP/1.1\r\nHost: example.com\r\n\r\n");
            assertEquals(200, response.status(), () -> response.statusLine() + " " + response.bodyText());
            bodies.add(response.bodyText());
        }
        return bodies;
    }

    static int uwsgiCount(String node) throws IOException {
        Path file = dir.resolve(node + ".count");
        return Files.exists(file) ? Files.readAllLines(file).size() : 0;
    }

    /** Leaves rotation after fall checks, no client request while down, back after rise once fixed. */
    void downThenBack(HttpRouter router, String badName, IntSupplierWithIo clientRequestsAtBadNode, Fix fix,
            String badBody) throws Exception {
        NodeHealth health = node(router, badName).health();
        await(badName + " down", () -> health.state() == State.DOWN);
        assertTrue(health.checkFailures() >= 2, "down after fall (2) failed checks: " + health.checkFailures());
        assertEquals(1, health.downs());
        int before = clientRequestsAtBadNode.get();
        List<String> bodies = requests(router, 6);
        assertEquals(Collections.nCopies(6, "good"), bodies, "a down node gets no traffic");
        assertEquals(before, clientRequestsAtBadNode.get(), "no client request reached the down node");
        assertTrue(stateLines.stream().anyMatch(l -> l.contains("node=" + badName + " state=up->down")), stateLines::toString);

        JsonNode stats = stats(router);
        JsonNode entry = null;
        for (JsonNode n : stats.get("static_nodes")) {
            if (n.get("name").asText().equals(badName)) {
                entry = n;
            }
        }
        assertEquals("down", entry.get("state").asText(), stats::toString);
        assertTrue(entry.get("health").asText().startsWith("failed: "), stats::toString);
        assertTrue(entry.has("hits") && entry.has("grace"), "uWSGI's fields stay");

        fix.run();
        await(badName + " up again", () -> health.state() == State.UP);
        assertTrue(stateLines.stream().anyMatch(l -> l.contains("node=" + badName + " state=down->up")), stateLines::toString);
        List<String> after = requests(router, 4);
        assertEquals(2, after.stream().filter(badBody::equals).count(), "back in the rotation: " + after);
        assertEquals(before + 2, clientRequestsAtBadNode.get());
    }

    @FunctionalInterface
    interface IntSupplierWithIo {
        int get() throws IOException;
    }

    @FunctionalInterface
    interface Fix {
        void run() throws Exception;
    }

    static JsonNode stats(HttpRouter router) throws IOException {
        RouterStats stats = new RouterStats("http", List::of, () -> 0, router.runtime()::staticNodes, null, () -> false);
        JsonWriter json = new JsonWriter(true);
        json.beginObject();
        stats.writeStats(json);
        json.endObject();
        return JSON.readTree(json.toString());
    }

    @Test
    void aNodeThatAnswers500ToTheCheckPathLeavesAndComesBack() throws Exception {
        Path flag = dir.resolve("sick.sick");
        Files.writeString(flag, "");
        String sickAddress = "http://" + sick.address();
        try (HttpRouter router = start("--http-to", good.address(), "--http-to", sickAddress,
                "--http-check-path", "/health")) {
            downThenBack(router, sickAddress, () -> uwsgiCount("sick"), () -> Files.delete(flag), "sick");
            assertTrue(node(router, sickAddress).health().lastCheck().equals("passed: status 200"));
            assertEquals(State.UP, node(router, good.address()).health().state());
        }
    }

    @Test
    void aNodeThatAcceptsButNeverAnswersLeavesAndComesBack() throws Exception {
        try (TcpNode silent = new TcpNode(0, TcpNode.Mode.SILENT);
             HttpRouter router = start("--http-to", good.address(), "--http-to", silent.address(),
                     "--http-check-path", "/health")) {
            downThenBack(router, silent.address(), silent::clientRequests, () -> silent.mode(TcpNode.Mode.OK), "tcp");
            assertTrue(silent.checks() >= 4, "checks reached the node: " + silent.checks());
        }
    }

    @Test
    void aClosedPortLeavesAndComesBack() throws Exception {
        int port;
        try (ServerSocket reserve = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = reserve.getLocalPort(); // closed again: the port refuses
        }
        TcpNode[] opened = new TcpNode[1];
        String address = "127.0.0.1:" + port;
        try (HttpRouter router = start("--http-to", good.address(), "--http-to", address)) {
            // connect checks (no path): the port refuses, then accepts
            downThenBack(router, address, () -> opened[0] == null ? 0 : opened[0].clientRequests(),
                    () -> opened[0] = new TcpNode(port, TcpNode.Mode.OK), "tcp");
            assertEquals("passed: connected", node(router, address).health().lastCheck());
        } finally {
            if (opened[0] != null) {
                opened[0].close();
            }
        }
    }

    @Test
    void errorLimitFailedRequestsInARowMarkANodeFailedWithoutChecks() throws Exception {
        try (TcpNode closing = new TcpNode(0, TcpNode.Mode.CLOSE);
             HttpRouter router = new HttpRouter(HttpConfigs.http("--http", "127.0.0.1:0", "--http-processes", "1",
                     "--http-to", good.address(), "--http-to", closing.address(), "--http-error-limit", "2"),
                     Transport.detect(), null, "testhost")) {
            router.start();
            NodeHealth health = node(router, closing.address()).health();
            InetSocketAddress address = (InetSocketAddress) router.listeners().get(0).localAddress();
            // round robin: every second request goes to the closing node, which fails (the GET is retried)
            for (int i = 0; i < 4; i++) {
                RawHttpClient.exchange(address, "GET /work HTTP/1.1\r\nHost: example.com\r\n\r\n");
            }
            assertEquals(State.FAILED, health.state());
            assertEquals(2, closing.clientRequests());
            assertEquals(Collections.nCopies(6, "good"), requests(router, 6), "failed for the gracetime");
            assertEquals(2, closing.clientRequests());
            assertTrue(stateLines.stream().anyMatch(l -> l.contains("state=up->failed")
                    && l.contains("2 failed requests in a row")), stateLines::toString);
        }
    }

    /**
     * A classic uwsgi node on TCP: reads one packet per connection, tells checks
     * ({@code HTTP_USER_AGENT: corerouter-check}) from client requests, and then, by its mode, never
     * answers, answers 200 with body {@code tcp}, or closes without an answer.
     */
    static final class TcpNode implements AutoCloseable {
        enum Mode { SILENT, OK, CLOSE }

        private final ServerSocket server;
        private final AtomicInteger clientRequests = new AtomicInteger();
        private final AtomicInteger checks = new AtomicInteger();
        private final List<Socket> open = new CopyOnWriteArrayList<>();
        private volatile Mode mode;

        TcpNode(int port, Mode mode) throws IOException {
            this.mode = mode;
            server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
            Thread acceptor = new Thread(this::accept, "tcp-node");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        String address() {
            return "127.0.0.1:" + server.getLocalPort();
        }

        void mode(Mode next) {
            mode = next;
        }

        int clientRequests() {
            return clientRequests.get();
        }

        int checks() {
            return checks.get();
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    open.add(socket);
                    Thread worker = new Thread(() -> serve(socket), "tcp-node-conn");
                    worker.setDaemon(true);
                    worker.start();
                } catch (IOException closed) {
                    return;
                }
            }
        }

        private void serve(Socket socket) {
            try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
                byte[] header = in.readNBytes(4);
                if (header.length < 4) {
                    return;
                }
                int size = (header[1] & 0xff) | (header[2] & 0xff) << 8;
                String vars = new String(in.readNBytes(size), StandardCharsets.ISO_8859_1);
                if (vars.contains("corerouter-check")) {
                    checks.incrementAndGet();
                } else {
                    clientRequests.incrementAndGet();
                }
                switch (mode) {
                    case SILENT -> in.readAllBytes(); // until the peer closes
                    case OK -> out.write("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\ntcp".getBytes(StandardCharsets.ISO_8859_1));
                    case CLOSE -> {
                        // nothing: closes without an answer
                    }
                }
            } catch (IOException e) {
                // the router closed on us
            } finally {
                open.remove(socket);
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket socket : open) {
                socket.close();
            }
        }
    }
}
