package io.corerouter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.corerouter.core.testing.RawHttpClient;
import io.corerouter.core.testing.RawHttpClient.Response;
import io.corerouter.core.testing.UwsgiProcess;
import io.corerouter.core.transport.Transport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The HTTP router in front of real uWSGI 2.0 nodes (Debian's uwsgi-core with the python3 plugin)
 * running an app that answers its environ and a digest of the body.
 */
class HttpRouterRealUwsgiTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static UwsgiProcess node1;
    static UwsgiProcess node2;

    @BeforeAll
    static void startNodes() throws Exception {
        // a big worker buffer, so 60 KB heads reach the app (uWSGI's default 4096 drops them, spec §1.3)
        node1 = UwsgiProcess.startEcho(dir, "node1", "--buffer-size", "65535");
        node2 = UwsgiProcess.startEcho(dir, "node2");
    }

    @AfterAll
    static void stopNodes() throws Exception {
        node1.close();
        node2.close();
    }

    static HttpRouter start(String... args) throws Exception {
        HttpRouter router = new HttpRouter(HttpConfigs.http(args), Transport.detect(), null, "testhost");
        router.start();
        return router;
    }

    static InetSocketAddress address(HttpRouter router) {
        return (InetSocketAddress) router.listeners().get(0).localAddress();
    }

    static JsonNode json(Response response) throws IOException {
        assertEquals(200, response.status(), () -> "status " + response.statusLine() + " body " + response.bodyText());
        return JSON.readTree(response.body());
    }

    @ParameterizedTest(name = "event loops: {0}")
    @ValueSource(strings = {"1", "4"})
    void getReachesTheAppWithUwsgiVars(String loops) throws Exception {
        try (HttpRouter router = start("--http", "127.0.0.1:0", "--http-to", node1.address(), "--http-processes", loops,
                "--http-var", "EXTRA=yes")) {
            InetSocketAddress address = address(router);
            try (RawHttpClient client = new RawHttpClient(address)) {
                client.send("GET /a%20b/../c//d?x=1 HTTP/1.1\r\nHost: example.com:8080\r\nX-Foo: a\r\nx-foo: b\r\n"
                        + "User-Agent: t\r\n\r\n");
                Response response = client.read();
                JsonNode env = json(response);
                assertEquals("GET", env.get("REQUEST_METHOD").asText());
                assertEquals("/c//d", env.get("PATH_INFO").asText());
                assertEquals("/a%20b/../c//d?x=1", env.get("REQUEST_URI").asText());
                assertEquals("x=1", env.get("QUERY_STRING").asText());
                assertEquals("HTTP/1.1", env.get("SERVER_PROTOCOL").asText());
                assertEquals("testhost", env.get("SERVER_NAME").asText());
                assertEquals(Integer.toString(address.getPort()), env.get("SERVER_PORT").asText());
                assertEquals("http", env.get("UWSGI_ROUTER").asText());
                assertEquals("127.0.0.1", env.get("REMOTE_ADDR").asText());
                // deviations.md: REMOTE_PORT is the client port in host order
                assertEquals(Integer.toString(client.localAddress().getPort()), env.get("REMOTE_PORT").asText());
                assertEquals("example.com:8080", env.get("HTTP_HOST").asText());
                assertEquals("a, b", env.get("HTTP_X_FOO").asText());
                assertEquals("yes", env.get("EXTRA").asText());
                assertEquals("node1", env.get("node").asText());
            }
        }
    }

    @Test
    void oneMebibytePostArrivesIntact() throws Exception {
        byte[] body = new byte[1 << 20];
        new Random(42).nextBytes(body);
        String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        try (HttpRouter router = start("--http", "127.0.0.1:0", "--http-to", node1.address());
             RawHttpClient client = new RawHttpClient(address(router))) {
            client.send(("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Type: application/octet-stream\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            client.send(body);
            JsonNode env = json(client.read());
            assertEquals(body.length, env.get("body_len").asInt());
            assertEquals(digest, env.get("body_sha256").asText());
            assertEquals(Integer.toString(body.length), env.get("CONTENT_LENGTH").asText());
            assertEquals("application/octet-stream", env.get("CONTENT_TYPE").asText());
        }
    }

    @Test
    void keepaliveReusesOneConnectionAndPipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (HttpRouter router = start("--http", "127.0.0.1:0", "--http-to", node1.address(), "--http-keepalive");
             RawHttpClient client = new RawHttpClient(address(router))) {
            for (int i = 0; i < 5; i++) {
                client.send("GET /seq/" + i + " HTTP/1.1\r\nHost: a\r\n\r\n");
                Response response = client.read();
                assertEquals("/seq/" + i, json(response).get("PATH_INFO").asText());
                assertEquals(null, response.header("connection"));
            }
            // three requests in one write: all answered, in order (uWSGI answers only the first)
            client.send("GET /p/1 HTTP/1.1\r\nHost: a\r\n\r\nGET /p/2 HTTP/1.1\r\nHost: a\r\n\r\n"
                    + "POST /p/3 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc");
            assertEquals("/p/1", json(client.read()).get("PATH_INFO").asText());
            assertEquals("/p/2", json(client.read()).get("PATH_INFO").asText());
            JsonNode third = json(client.read());
            assertEquals("/p/3", third.get("PATH_INFO").asText());
            assertEquals(3, third.get("body_len").asInt());
            // and the connection is still usable
            client.send("GET /after HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals("/after", json(client.read()).get("PATH_INFO").asText());
        }
    }

    @Test
    void aKeepaliveConnectionThatIdledPastDroppingItsRequestHelpersServesTheNextRequests() throws Exception {
        try (HttpRouter router = start("--http", "127.0.0.1:0", "--http-to", node1.address(), "--http-keepalive");
             RawHttpClient client = new RawHttpClient(address(router))) {
            client.send("GET /first HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals("/first", json(client.read()).get("PATH_INFO").asText());
            // not a synchronisation: the connection must stay idle past the point where the session drops
            // its request helpers (HttpSession.IDLE_SHED_NANOS, fired by the 0.5 s timer wheel)
            Thread.sleep(TimeUnit.NANOSECONDS.toMillis(HttpSession.IDLE_SHED_NANOS) + 1000);
            client.send("GET /second HTTP/1.1\r\nHost: a\r\n\r\nPOST /third HTTP/1.1\r\nHost: a\r\n"
                    + "Content-Length: 3\r\n\r\nabc");
            assertEquals("/second", json(client.read()).get("PATH_INFO").asText());
            JsonNode third = json(client.read());
            assertEquals("/third", third.get("PATH_INFO").asText());
            assertEquals(3, third.get("body_len").asInt());
        }
    }

    @Test
    void withoutKeepaliveTheRouterClosesAfterTheResponse() throws Exception {
        try (HttpRouter router = start("--http", "127.0.0.1:0", "--http-to", node1.address());
             RawHttpClient client = new RawHttpClient(address(router))) {
            client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            Response response = client.read();
            assertEquals(200, response.status());
            assertEquals("close", response.header("connection"));
            assertTrue(client.isClosedByPeer());
        }
    }

    @Test
    void halfClosedClientStillGetsItsResponse() throws Exception {
        try (HttpRouter router = start("--http", "127.0.0.1:0", "--http-to", node1.address(), "--http-keepalive");
             RawHttpClient client = new RawHttpClient(address(router))) {
            client.send("GET /half HTTP/1.1\r\nHost: a\r\n\r\n");
            client.shutdownOutput();
            assertEquals("/half", json(client.read()).get("PATH_INFO").asText());
            assertTrue(client.isClosedByPeer());
        }
    }

    @Test
    void roundRobinOverTwoNodes() throws Exception {
        try (HttpRouter router = start("--http", "127.0.0.1:0", "--http-to", node1.address(), "--http-to",
                node2.address(), "--http-keepalive");
             RawHttpClient client = new RawHttpClient(address(router))) {
            Map<String, Integer> seen = new ConcurrentHashMap<>();
            List<String> order = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
                String node = json(client.read()).get("node").asText();
                seen.merge(node, 1, Integer::sum);
                order.add(node);
            }
            assertEquals(Map.of("node1", 5, "node2", 5), seen);
            for (int i = 1; i < order.size(); i++) {
                assertNotEquals(order.get(i - 1), order.get(i), "strict alternation: " + order);
            }
        }
    }

    @Test
    void aNodeKilledDuringABurstCausesNoFailedRequest(@TempDir Path own) throws Exception {
        UwsgiProcess victim = UwsgiProcess.startEcho(own, "victim");
        UwsgiProcess survivor = UwsgiProcess.startEcho(own, "survivor");
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try (HttpRouter router = start("--http", "127.0.0.1:0", "--http-to", victim.address(), "--http-to",
                survivor.address(), "--http-keepalive")) {
            InetSocketAddress address = address(router);
            AtomicInteger ok = new AtomicInteger();
            AtomicInteger done = new AtomicInteger();
            List<Future<?>> futures = new ArrayList<>();
            List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int c = 0; c < 8; c++) {
                futures.add(clients.submit(() -> {
                    for (int i = 0; i < 100; i++) {
                        try (RawHttpClient client = new RawHttpClient(address)) {
                            client.send("GET /burst HTTP/1.1\r\nHost: a\r\n\r\n");
                            Response response = client.read();
                            if (response.status() == 200) {
                                ok.incrementAndGet();
                            } else {
                                failures.add(response.statusLine() + " " + response.bodyText());
                            }
                        } catch (IOException e) {
                            failures.add(e.toString());
                        }
                        done.incrementAndGet();
                    }
                    return null;
                }));
            }
            // kill the node while the burst is running
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (done.get() < 200 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            victim.kill();
            for (Future<?> f : futures) {
                f.get(120, TimeUnit.SECONDS);
            }
            assertEquals(List.of(), failures);
            assertEquals(800, ok.get());
        } finally {
            clients.shutdownNow();
            victim.close();
            survivor.close();
        }
    }

    @Test
    void allNodesDownGives502ThenDeadNodesGive503(@TempDir Path own) throws Exception {
        String missing1 = own.resolve("gone1.sock").toString();
        String missing2 = own.resolve("gone2.sock").toString();
        try (HttpRouter router = start("--http", "127.0.0.1:0", "--http-to", missing1, "--http-to", missing2)) {
            Response first = RawHttpClient.exchange(address(router), "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals(502, first.status());
            assertTrue(first.bodyText().contains("no node accepted the connection"), first.bodyText());
            assertEquals("text/plain", first.header("content-type"));
            // both nodes are now marked dead for the gracetime: no node for the key
            Response second = RawHttpClient.exchange(address(router), "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals(503, second.status());
        }
    }

    @Test
    void fallbackIsUsedWhenTheNodesFail(@TempDir Path own) throws Exception {
        String missing = own.resolve("gone.sock").toString();
        try (HttpRouter router = start("--http", "127.0.0.1:0", "--http-to", missing, "--http-fallback",
                node2.address())) {
            Response response = RawHttpClient.exchange(address(router), "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals("node2", json(response).get("node").asText());
        }
    }

    @Test
    void noBackendConfiguredGives503() throws Exception {
        try (HttpRouter router = start("--http", "127.0.0.1:0")) {
            Response response = RawHttpClient.exchange(address(router), "GET / HTTP/1.1\r\nHost: unknown.test\r\n\r\n");
            assertEquals(503, response.status());
            assertTrue(response.bodyText().startsWith("503 Service Unavailable"), response.bodyText());
        }
    }

    @Test
    void bodyLinesStartingWithSpaceAreNotFolds() throws Exception {
        String body = "a\r\n b\r\n\tc\r\n\r\n d";
        String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(body.getBytes(StandardCharsets.ISO_8859_1)));
        try (HttpRouter router = start("--http", "127.0.0.1:0", "--http-to", node1.address());
             RawHttpClient client = new RawHttpClient(address(router))) {
            client.send("POST /lines HTTP/1.1\r\nHost: a\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
            JsonNode env = json(client.read());
            assertEquals(digest, env.get("body_sha256").asText());
        }
    }

    @Test
    void malformedAndOversizedRequestsGetSpecificErrors() throws Exception {
        try (HttpRouter router = start("--http", "127.0.0.1:0", "--http-to", node1.address())) {
            InetSocketAddress address = address(router);
            assertEquals(400, RawHttpClient.exchange(address, "GET / HTTP/1.1\r\nNoColonHere\r\n\r\n").status());
            assertEquals(400, RawHttpClient.exchange(address, "GET / HTTP/1.1\r\nHost:\r\n\r\n").status());
            // obs-fold: uWSGI itself would keep the raw CRLF in the value (spec §4.1), Netty joins with a space
            assertEquals(400, RawHttpClient.exchange(address, "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n 2\r\n\r\n").status());
            assertEquals(414, RawHttpClient.exchange(address,
                    "GET /" + "a".repeat(70_000) + " HTTP/1.1\r\nHost: a\r\n\r\n").status());
            assertEquals(431, RawHttpClient.exchange(address,
                    "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + "b".repeat(70_000) + "\r\n\r\n").status());
            // a 60 000-byte header still fits the default 64 KiB head (spec §8.3 item 4)
            assertEquals(200, RawHttpClient.exchange(address,
                    "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + "b".repeat(60_000) + "\r\n\r\n").status());
        }
    }

    @Test
    void headRequestGetsTheHeadOnly() throws Exception {
        try (HttpRouter router = start("--http", "127.0.0.1:0", "--http-to", node1.address(), "--http-keepalive");
             RawHttpClient client = new RawHttpClient(address(router))) {
            client.send("HEAD /h HTTP/1.1\r\nHost: a\r\n\r\n");
            Response head = client.read(true);
            assertEquals(200, head.status());
            assertTrue(Integer.parseInt(head.header("content-length")) > 0);
            client.send("GET /after-head HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals("/after-head", json(client.read()).get("PATH_INFO").asText());
        }
    }
}
