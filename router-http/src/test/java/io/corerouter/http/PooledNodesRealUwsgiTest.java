package io.corerouter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.corerouter.core.pool.NodePools;
import io.corerouter.core.testing.RawHttpClient;
import io.corerouter.core.testing.RawHttpClient.Response;
import io.corerouter.core.testing.UwsgiProcess;
import io.corerouter.core.transport.Transport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The HTTP router on persistent connections (issue 10) to real uWSGI 2.0 nodes: {@code --puwsgi-socket}
 * nodes as {@code puwsgi:///path} and {@code --http11-socket} nodes as {@code http:///path}, against a
 * classic {@code --socket} node for comparison. The app answers its environ as JSON, and special
 * paths answer 204, 304, chunked, unframed (close-delimited), more bytes than announced, and broken
 * chunking.
 */
class PooledNodesRealUwsgiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String APP = String.join("\n",
            "import hashlib, json, os",
            "def application(environ, start_response):",
            "    path = environ.get('PATH_INFO', '')",
            "    body = environ['wsgi.input'].read() if environ.get('CONTENT_LENGTH') else b''",
            "    if path == '/204':",
            "        start_response('204 No Content', [])",
            "        return [b'']",
            "    if path == '/304':",
            "        start_response('304 Not Modified', [('ETag', '\"x\"')])",
            "        return [b'']",
            "    if path == '/chunked':",
            "        start_response('200 OK', [('Transfer-Encoding', 'chunked')])",
            "        return [b'5\\r\\nhello\\r\\n', b'6\\r\\n world\\r\\n', b'0\\r\\n\\r\\n']",
            "    if path == '/nolength':",
            "        start_response('200 OK', [('Content-Type', 'text/plain')])",
            "        return [b'close-delimited']",
            "    if path == '/extra':",
            "        start_response('200 OK', [('Content-Length', '2')])",
            "        return [b'okHTTP/1.1 200 OK\\r\\nContent-Length: 5\\r\\n\\r\\nevil!']",
            "    if path == '/badchunk':",
            "        start_response('200 OK', [('Transfer-Encoding', 'chunked')])",
            "        return [b'zz\\r\\nbad\\r\\n0\\r\\n\\r\\n']",
            "    out = {k: v for k, v in environ.items() if isinstance(v, str)}",
            "    out['body_sha256'] = hashlib.sha256(body).hexdigest()",
            "    out['body_len'] = len(body)",
            "    out['pid'] = os.getpid()",
            "    out['node'] = os.environ.get('NODE_NAME', '')",
            "    data = json.dumps(out, sort_keys=True).encode()",
            "    start_response('200 OK', [('Content-Type', 'application/json'), ('Content-Length', str(len(data)))])",
            "    return [data]",
            "");

    @TempDir
    static Path dir;
    static UwsgiProcess puwsgi;
    static UwsgiProcess http;
    static UwsgiProcess classic;

    @BeforeAll
    static void startNodes() throws Exception {
        puwsgi = node("p", "--puwsgi-socket");
        http = node("h", "--http11-socket");
        classic = node("u", "--socket");
    }

    /** A node of the test app with 2 workers; its socket timeout (1 s) ends unframed responses. */
    static UwsgiProcess node(String name, String socketOption) throws Exception {
        Path app = dir.resolve("pool_app.py");
        if (!Files.exists(app)) {
            Files.writeString(app, APP, StandardCharsets.UTF_8);
        }
        return UwsgiProcess.start(dir, name, socketOption, List.of("--plugin", "python3", "--wsgi-file", app.toString(),
                "--need-app", "--disable-logging", "--die-on-term", "--processes", "2", "--socket-timeout", "1"));
    }

    @AfterAll
    static void stopNodes() {
        puwsgi.close();
        http.close();
        classic.close();
    }

    static String puwsgiAddress(UwsgiProcess node) {
        return "puwsgi://" + node.address();
    }

    static String httpAddress(UwsgiProcess node) {
        return "http://" + node.address();
    }

    static HttpRouter start(String... args) throws Exception {
        HttpRouter router = new HttpRouter(HttpConfigs.http(args), Transport.detect(), null, "testhost");
        router.start();
        return router;
    }

    static HttpRouter pooled(String node, String... more) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("--http", "127.0.0.1:0", "--http-to", node,
                "--http-keepalive", "--http-node-connections", "2"));
        args.addAll(List.of(more));
        return start(args.toArray(String[]::new));
    }

    static InetSocketAddress address(HttpRouter router) {
        return (InetSocketAddress) router.listeners().get(0).localAddress();
    }

    static NodePools.Stats pool(HttpRouter router) {
        List<NodePools.Stats> all = router.runtime().nodePools().snapshot();
        assertEquals(1, all.size(), all::toString);
        return all.get(0);
    }

    static JsonNode json(Response response) throws IOException {
        assertEquals(200, response.status(), () -> "status " + response.statusLine() + " body " + response.bodyText());
        return JSON.readTree(response.body());
    }

    static String get(String path, String host) {
        return "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: t\r\nX-Foo: a\r\n\r\n";
    }

    /** The string vars of one environ, without the ones that differ per connection or node. */
    static Map<String, String> comparable(JsonNode env) {
        Map<String, String> vars = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = env.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> var = it.next();
            if (!List.of("REMOTE_PORT", "pid", "node", "body_sha256").contains(var.getKey())) {
                vars.put(var.getKey(), var.getValue().asText());
            }
        }
        return vars;
    }

    @ParameterizedTest(name = "event loops: {0}")
    @ValueSource(strings = {"1", "2"})
    void puwsgiNodesGetExactlyTheVarsOfTheUwsgiProtocol(String loops) throws Exception {
        try (HttpRouter viaPuwsgi = pooled(puwsgiAddress(puwsgi), "--http-processes", loops);
             HttpRouter viaUwsgi = start("--http", "127.0.0.1:0", "--http-to", classic.address())) {
            String request = get("/a%20b/../c?x=1", "example.com");
            Map<String, String> pooledVars = comparable(json(RawHttpClient.exchange(address(viaPuwsgi), request)));
            Map<String, String> classicVars = comparable(json(RawHttpClient.exchange(address(viaUwsgi), request)));
            pooledVars.remove("SERVER_PORT");
            classicVars.remove("SERVER_PORT");
            assertEquals(classicVars, pooledVars);
            assertEquals("/c", pooledVars.get("PATH_INFO"));
        }
    }

    @Test
    void httpNodesGetAnHttp11HeadWithForwardingHeaders() throws Exception {
        try (HttpRouter router = pooled(httpAddress(http));
             RawHttpClient client = new RawHttpClient(address(router))) {
            client.send("GET /p?q=1 HTTP/1.1\r\nHost: example.com\r\nX-Forwarded-For: 10.0.0.1\r\n"
                    + "X-Forwarded-Proto: https\r\nConnection: keep-alive, X-Hop\r\nX-Hop: secret\r\nKeep-Alive: 5\r\n\r\n");
            JsonNode env = json(client.read());
            assertEquals("/p", env.get("PATH_INFO").asText());
            assertEquals("q=1", env.get("QUERY_STRING").asText());
            assertEquals("HTTP/1.1", env.get("SERVER_PROTOCOL").asText());
            assertEquals("example.com", env.get("HTTP_HOST").asText());
            assertEquals("10.0.0.1, 127.0.0.1", env.get("HTTP_X_FORWARDED_FOR").asText());
            assertEquals("http", env.get("HTTP_X_FORWARDED_PROTO").asText(), "a client cannot choose the scheme");
            assertEquals("example.com", env.get("HTTP_X_FORWARDED_HOST").asText());
            assertFalse(env.has("HTTP_X_HOP"), "headers named by Connection are hop-by-hop");
            assertFalse(env.has("HTTP_KEEP_ALIVE"));
            assertFalse(env.has("HTTP_CONNECTION"));
        }
    }

    @Test
    void fiveHundredKeepAliveRequestsUseAHandfulOfNodeConnections() throws Exception {
        for (String node : List.of(puwsgiAddress(puwsgi), httpAddress(http))) {
            try (HttpRouter router = pooled(node, "--http-processes", "2");
                 RawHttpClient client = new RawHttpClient(address(router))) {
                for (int i = 0; i < 500; i++) {
                    client.send(get("/n" + i, "a"));
                    assertEquals("/n" + i, json(client.read()).get("PATH_INFO").asText());
                }
                NodePools.Stats stats = pool(router);
                assertTrue(stats.created() <= 2, () -> node + ": " + stats);
                assertTrue(stats.reused() >= 498, () -> node + ": " + stats);
            }
        }
    }

    @Test
    void postBodiesReachHttpNodesIntact() throws Exception {
        Random random = new Random(7);
        try (HttpRouter router = pooled(httpAddress(http));
             RawHttpClient client = new RawHttpClient(address(router))) {
            for (int size : new int[] {1 << 20, 10 << 20}) {
                byte[] body = new byte[size];
                random.nextBytes(body);
                String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
                client.send("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: " + size + "\r\n\r\n").send(body);
                JsonNode env = json(client.read());
                assertEquals(size, env.get("body_len").asInt());
                assertEquals(digest, env.get("body_sha256").asText());
                client.send("POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n").send(chunked(body));
                env = json(client.read());
                assertEquals(size, env.get("body_len").asInt());
                assertEquals(digest, env.get("body_sha256").asText());
            }
            assertTrue(pool(router).created() <= 2, () -> pool(router).toString());
        }
    }

    static byte[] chunked(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int at = 0; at < body.length; at += 100_000) {
            int n = Math.min(100_000, body.length - at);
            out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body, at, n);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    @Test
    void aBodyForAPuwsgiNodeIsA502ThatSaysWhy() throws Exception {
        try (HttpRouter router = pooled(puwsgiAddress(puwsgi));
             RawHttpClient client = new RawHttpClient(address(router))) {
            client.send("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc");
            Response response = client.read();
            assertEquals(502, response.status());
            assertTrue(response.bodyText().contains("puwsgi"), response.bodyText());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"puwsgi", "http"})
    void headNoContentNotModifiedChunkedAndUnframedResponses(String protocol) throws Exception {
        String node = protocol.equals("http") ? httpAddress(http) : puwsgiAddress(puwsgi);
        try (HttpRouter router = pooled(node);
             RawHttpClient client = new RawHttpClient(address(router))) {
            client.send("HEAD /h HTTP/1.1\r\nHost: a\r\n\r\n");
            Response head = client.read(true);
            assertEquals(200, head.status());
            assertTrue(Integer.parseInt(head.header("content-length")) > 0);
            client.send(get("/204", "a"));
            assertEquals(204, client.read().status());
            client.send(get("/304", "a"));
            assertEquals(304, client.read().status());
            client.send(get("/chunked", "a"));
            Response chunked = client.read();
            assertEquals("hello world", chunked.bodyText());
            client.send(get("/after", "a"));
            assertEquals("/after", json(client.read()).get("PATH_INFO").asText());
            // no length: the response ends when the node closes (its socket timeout), and the client's
            // connection with it (it cannot be framed for the client either without chunking)
            client.send("GET /nolength HTTP/1.0\r\nHost: a\r\n\r\n");
            Response unframed = client.read();
            assertEquals("close-delimited", unframed.bodyText());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"puwsgi", "http"})
    void bytesBeyondTheFramingNeverReachTheNextRequest(String protocol) throws Exception {
        String node = protocol.equals("http") ? httpAddress(http) : puwsgiAddress(puwsgi);
        try (HttpRouter router = pooled(node, "--http-processes", "1", "--http-node-connections", "1");
             RawHttpClient client = new RawHttpClient(address(router))) {
            for (int i = 0; i < 5; i++) {
                client.send(get("/extra", "a"));
                Response extra = client.read();
                assertEquals("ok", extra.bodyText(), "the response as framed by its Content-Length");
                client.send(get("/next" + i, "a"));
                assertEquals("/next" + i, json(client.read()).get("PATH_INFO").asText());
            }
            assertTrue(pool(router).dropped() >= 5, () -> pool(router).toString());
        }
        try (HttpRouter router = pooled(node, "--http-processes", "1", "--http-node-connections", "1")) {
            try (RawHttpClient client = new RawHttpClient(address(router))) {
                client.send(get("/badchunk", "a"));
                Response bad;
                try {
                    bad = client.read();
                    assertEquals(502, bad.status(), bad.statusLine());
                } catch (IOException | NumberFormatException closedMidResponse) {
                    // the head may already have gone out: then the connection is closed instead
                }
            }
            assertEquals("/fine", json(RawHttpClient.exchange(address(router), get("/fine", "a"))).get("PATH_INFO").asText());
        }
    }

    @Test
    void aNodeKilledAndRestartedDuringABurstCostsNoRequest() throws Exception {
        UwsgiProcess h1 = node("h1", "--http11-socket");
        UwsgiProcess h2 = node("h2", "--http11-socket");
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try (HttpRouter router = start("--http", "127.0.0.1:0", "--http-to", httpAddress(h1), "--http-to",
                httpAddress(h2), "--http-keepalive", "--http-node-connections", "2", "--http-processes", "2")) {
            InetSocketAddress address = address(router);
            List<Future<Integer>> failures = new java.util.ArrayList<>();
            for (int c = 0; c < 4; c++) {
                failures.add(clients.submit(() -> burst(address, 300)));
            }
            Thread.sleep(300); // let the burst get going (not synchronisation: the burst runs either way)
            h1.killTree();
            h1 = node("h1", "--http11-socket");
            int failed = 0;
            for (Future<Integer> f : failures) {
                failed += f.get(120, TimeUnit.SECONDS);
            }
            assertEquals(0, failed);
        } finally {
            clients.shutdownNow();
            h1.close();
            h2.close();
        }
    }

    /** Sends {@code n} keep-alive GETs, reconnecting when the router closes; returns the failures. */
    static int burst(InetSocketAddress address, int n) throws IOException {
        int failed = 0;
        RawHttpClient client = new RawHttpClient(address);
        try {
            for (int i = 0; i < n; i++) {
                client.send(get("/b" + i, "a"));
                Response response = client.read();
                if (response.status() != 200) {
                    failed++;
                }
                if ("close".equalsIgnoreCase(response.header("connection"))) {
                    client.close();
                    client = new RawHttpClient(address);
                }
            }
        } finally {
            client.close();
        }
        return failed;
    }

    @Test
    void idleConnectionsTheNodeClosesAreRetriedNotFailed() throws Exception {
        // the node drops a kept connection after 1 s idle (--socket-timeout 1); ours keeps them 5 s
        try (HttpRouter router = pooled(httpAddress(http), "--http-pool-idle-timeout", "5", "--http-processes", "1");
             RawHttpClient client = new RawHttpClient(address(router))) {
            for (int i = 0; i < 6; i++) {
                client.send(get("/s" + i, "a"));
                assertEquals("/s" + i, json(client.read()).get("PATH_INFO").asText());
                Thread.sleep(i % 2 == 0 ? 1100 : 50); // past the node's keep-alive timeout, then not
            }
            NodePools.Stats stats = pool(router);
            assertTrue(stats.created() >= 2, stats::toString);
        }
    }

    @Test
    void requestsBeyondTheCapWaitAndAre503AfterThePoolWait() throws Exception {
        try (HttpRouter router = pooled(httpAddress(http), "--http-node-connections", "1", "--http-pool-wait", "0",
                "--http-processes", "1")) {
            InetSocketAddress address = address(router);
            // a request that holds the only connection: its body is not sent yet, so the node waits
            try (RawHttpClient holder = new RawHttpClient(address);
                 RawHttpClient second = new RawHttpClient(address)) {
                holder.send("POST /hold HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\na");
                awaitOpen(router, 1);
                second.send(get("/x", "a"));
                Response busy = second.read();
                assertEquals(503, busy.status());
                assertTrue(busy.bodyText().contains("no free connection"), busy.bodyText());
                holder.send("bc");
                assertEquals(3, json(holder.read()).get("body_len").asInt());
            }
            assertEquals(1, pool(router).waitTimeouts());
        }
    }

    @Test
    void poolsOfNodesMadeFromTheHostAreForgottenWhenEmpty() throws Exception {
        String pattern = "puwsgi://" + dir + "/%s.sock";
        try (HttpRouter router = start("--http", "127.0.0.1:0", "--http-use-pattern", pattern, "--http-keepalive",
                "--http-pool-idle-timeout", "1", "--http-processes", "1")) {
            InetSocketAddress address = address(router);
            for (int i = 0; i < 50; i++) {
                // hosts an attacker chooses: no such node, and nothing may stay behind for each of them
                assertEquals(502, RawHttpClient.exchange(address, get("/x", "nope" + i)).status());
            }
            assertEquals("/ok", json(RawHttpClient.exchange(address, get("/ok", "p"))).get("PATH_INFO").asText());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!router.runtime().nodePools().snapshot().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50); // polling the router's pools: the idle timeout (1 s) closes the last connection
            }
            assertEquals(List.of(), router.runtime().nodePools().snapshot());
        }
    }

    static void awaitOpen(HttpRouter router, int open) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            List<NodePools.Stats> all = router.runtime().nodePools().snapshot();
            if (!all.isEmpty() && all.get(0).open() >= open) {
                return;
            }
            Thread.sleep(10); // polling the router's counters; bounded by the deadline
        }
        throw new AssertionError("pool never reached " + open + " open connections");
    }
}
