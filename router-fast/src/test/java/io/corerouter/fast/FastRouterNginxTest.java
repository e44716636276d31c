package io.corerouter.fast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.corerouter.core.backend.BackendNode;
import io.corerouter.core.backend.Clock;
import io.corerouter.core.backend.StaticNode;
import io.corerouter.core.route.KeyMapper;
import io.corerouter.core.testing.NginxProcess;
import io.corerouter.core.testing.RawHttpClient;
import io.corerouter.core.testing.UwsgiProcess;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * nginx ({@code uwsgi_pass}) → our fastrouter → real uWSGI nodes: the packet nginx sends arrives
 * unchanged, keys come from the Host nginx forwards or from {@code UWSGI_FASTROUTER_KEY}, bodies
 * arrive intact with and without post-buffering, and an unknown key is a 503 that nginx passes on.
 */
class FastRouterNginxTest {
    @TempDir
    static Path dir;

    private static UwsgiProcess nodeA;
    private static UwsgiProcess nodeB;
    private static CaptureNode capture;
    private static ExecutorService offload;
    private static FastRouter plain;
    private static FastRouter buffering;
    private static NginxProcess nginx;
    private static int nginxPort;
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        nodeA = UwsgiProcess.startEcho(dir, "a");
        nodeB = UwsgiProcess.startEcho(dir, "b");
        capture = new CaptureNode();
        // stands in for the subscription table: the keys two subscribed apps would announce
        Map<String, BackendNode> table = Map.of(
                "a.test", new StaticNode("a", new DomainSocketAddress(nodeA.address()), Clock.SYSTEM),
                "b.test", new StaticNode("b", new DomainSocketAddress(nodeB.address()), Clock.SYSTEM),
                "cap.test", new StaticNode("cap", new InetSocketAddress("127.0.0.1", capture.port()), Clock.SYSTEM));
        KeyMapper mapper = key -> table.get(key.toString());
        offload = FastTesting.offload();
        plain = FastTesting.start(mapper, offload, "--fastrouter", "127.0.0.1:0", "--fastrouter-processes", "2");
        buffering = FastTesting.start(mapper, offload, "--fastrouter", "127.0.0.1:0",
                "--fastrouter-post-buffering", "65536", "--fastrouter-post-buffering-dir", dir.toString());
        nginxPort = FastTesting.freePort();
        String params = "include /etc/nginx/uwsgi_params; ";
        nginx = NginxProcess.start(dir.resolve("nginx"), String.join("\n",
                "server {",
                "  listen 127.0.0.1:" + nginxPort + ";",
                "  location / { " + params
                        + "if ($http_x_route = direct) { uwsgi_pass 127.0.0.1:" + capture.port() + "; } "
                        + "uwsgi_pass 127.0.0.1:" + FastTesting.port(plain) + "; }",
                "  location /keyed/ { " + params + "uwsgi_param UWSGI_FASTROUTER_KEY b.test; "
                        + "uwsgi_pass 127.0.0.1:" + FastTesting.port(plain) + "; }",
                "  location /pb/ { " + params + "uwsgi_pass 127.0.0.1:" + FastTesting.port(buffering) + "; }",
                "}"), nginxPort);
    }

    @AfterAll
    static void stop() throws Exception {
        if (nginx != null) {
            nginx.close();
        }
        if (plain != null) {
            plain.close();
        }
        if (buffering != null) {
            buffering.close();
        }
        if (offload != null) {
            offload.shutdownNow();
        }
        if (capture != null) {
            capture.close();
        }
        for (UwsgiProcess node : new UwsgiProcess[] {nodeA, nodeB}) {
            if (node != null) {
                node.close();
            }
        }
    }

    private static RawHttpClient.Response request(String method, String path, String host, byte[] body,
            String... headers) throws Exception {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\n");
        for (String header : headers) {
            head.append(header).append("\r\n");
        }
        if (body != null) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("Connection: close\r\n\r\n");
        raw.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (body != null) {
            raw.write(body);
        }
        try (RawHttpClient client = new RawHttpClient(new InetSocketAddress("127.0.0.1", nginxPort))) {
            client.send(raw.toByteArray());
            return client.read();
        }
    }

    private static JsonNode echo(RawHttpClient.Response response) throws Exception {
        assertEquals(200, response.status(), () -> response.bodyText() + "\n" + nginx.logText());
        return JSON.readTree(response.body());
    }

    @Test
    void varsArriveAsNginxSentThem() throws Exception {
        String[] headers = {"X-Route: xx", "User-Agent: t", "X-Foo: a", "Cookie: c=1"};
        headers[0] = "X-Route: direct";
        assertEquals("captured", request("GET", "/v/a%20b?x=1&y=2", "cap.test", null, headers).bodyText());
        CaptureNode.Packet direct = capture.next();
        headers[0] = "X-Route: router";
        assertEquals("captured", request("GET", "/v/a%20b?x=1&y=2", "cap.test", null, headers).bodyText());
        CaptureNode.Packet routed = capture.next();
        assertEquals(normalize(direct), normalize(routed));
        assertEquals(0, routed.modifier1());
        assertEquals(0, routed.modifier2());
        assertEquals("cap.test", routed.get("HTTP_HOST"));
    }

    /** Everything but the two values that differ between the two requests: the client port and X-Route. */
    private static List<CaptureNode.Var> normalize(CaptureNode.Packet packet) {
        return packet.vars().stream()
                .map(v -> v.key().equals("REMOTE_PORT") || v.key().equals("HTTP_X_ROUTE") ? new CaptureNode.Var(v.key(), "*") : v)
                .toList();
    }

    @Test
    void hostHeaderSelectsTheNode() throws Exception {
        assertEquals("a", echo(request("GET", "/x", "a.test", null)).get("node").asText());
        assertEquals("b", echo(request("GET", "/x", "b.test", null)).get("node").asText());
    }

    @Test
    void fastrouterKeyVarOverridesHost() throws Exception {
        JsonNode env = echo(request("GET", "/keyed/x", "a.test", null));
        assertEquals("b", env.get("node").asText());
        assertEquals("b.test", env.get("UWSGI_FASTROUTER_KEY").asText());
        assertEquals("a.test", env.get("HTTP_HOST").asText());
    }

    @Test
    void unknownKeyIs503ThroughNginx() throws Exception {
        RawHttpClient.Response response = request("GET", "/x", "nobody.test", null);
        assertEquals(503, response.status());
        assertTrue(response.bodyText().contains("no node available"), response.bodyText());
    }

    @Test
    void bigPostStreamsIntact() throws Exception {
        assertBodyArrives("/post", 10 << 20);
    }

    @Test
    void bigPostWithPostBufferingGoesThroughATempFile() throws Exception {
        assertBodyArrives("/pb/post", 10 << 20);
    }

    @Test
    void smallPostWithPostBufferingStaysInMemory() throws Exception {
        assertBodyArrives("/pb/small", 1000);
    }

    private static void assertBodyArrives(String path, int size) throws Exception {
        byte[] body = new byte[size];
        new Random(size).nextBytes(body);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        JsonNode env = echo(request("POST", path, "a.test", body));
        assertEquals(size, env.get("body_len").asInt());
        assertEquals(sha, env.get("body_sha256").asText());
        assertEquals(Integer.toString(size), env.get("CONTENT_LENGTH").asText());
    }
}
