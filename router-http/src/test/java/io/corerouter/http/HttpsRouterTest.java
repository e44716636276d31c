package io.corerouter.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.corerouter.core.backend.Clock;
import io.corerouter.core.backend.StaticNode;
import io.corerouter.core.config.Endpoint;
import io.corerouter.core.config.RouterConfig;
import io.corerouter.core.route.KeyMapper;
import io.corerouter.core.testing.Commands;
import io.corerouter.core.testing.OpensslClient;
import io.corerouter.core.testing.OpensslPki;
import io.corerouter.core.testing.RawHttpClient;
import io.corerouter.core.testing.UwsgiProcess;
import io.corerouter.core.transport.Transport;
import io.corerouter.ssl.TlsSection;
import io.corerouter.ssl.TlsService;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTPS router in front of a real uWSGI echo app, with curl and openssl as clients: requests,
 * keepalive, the HTTPS vars of spec §5.2 as the app sees them, client certificates, the routing key
 * (§5.5) and {@code --http-to-https} (§4.12).
 */
class HttpsRouterTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static OpensslPki pki;
    static OpensslPki.Pair server;
    static OpensslPki.Pair client;
    static UwsgiProcess app;

    @BeforeAll
    static void setUp() throws Exception {
        pki = OpensslPki.create(dir);
        server = pki.server("www", "www.example");
        client = pki.client("client1", "client1");
        app = UwsgiProcess.startEcho(dir, "app");
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (app != null) {
            app.close();
        }
    }

    /** Our HTTP router with TLS listeners, in-process. */
    private static final class Running implements AutoCloseable {
        final ExecutorService offload = Executors.newFixedThreadPool(2);
        final TlsService tls;
        final HttpRouter router;

        Running(KeyMapper mapper, String... args) throws Exception {
            RouterConfig config = HttpConfigs.parse(args);
            tls = TlsService.start(config.get(TlsSection.INSTANCE).orElseThrow(), offload);
            HttpRouterKind.Config http = HttpConfigs.kind(config);
            router = new HttpRouter(http.router(), http.https(), tls, Transport.detect(), mapper,
                    "testhost");
            router.start();
        }

        int port(int listener) {
            return ((InetSocketAddress) router.listeners().get(listener).localAddress()).getPort();
        }

        @Override
        public void close() {
            router.close();
            tls.close();
            offload.shutdownNow();
        }
    }

    private static Running https(String clientCa, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("--https",
                "127.0.0.1:0," + server.cert() + "," + server.key() + (clientCa == null ? "" : ",," + clientCa),
                "--http-to", app.address(), "--http-processes", "2"));
        args.addAll(List.of(extra));
        return new Running(null, args.toArray(new String[0]));
    }

    private static Commands.Result curl(int port, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--cacert", pki.ca().cert().toString(),
                "--resolve", "www.example:" + port + ":127.0.0.1"));
        command.addAll(List.of(args));
        return Commands.run(command, "");
    }

    private static JsonNode environ(Commands.Result result) throws Exception {
        assertEquals(0, result.exit(), result::all);
        return JSON.readTree(result.stdout());
    }

    @Test
    void getAndPostReachTheAppWithHttpsOn() throws Exception {
        try (Running router = https(null)) {
            int port = router.port(0);
            JsonNode get = environ(curl(port, "https://www.example:" + port + "/a%20b?x=1"));
            assertEquals("on", get.path("HTTPS").asText());
            assertEquals("/a b", get.path("PATH_INFO").asText());
            assertEquals("x=1", get.path("QUERY_STRING").asText());
            assertEquals("www.example:" + port, get.path("HTTP_HOST").asText());
            assertEquals(Integer.toString(port), get.path("SERVER_PORT").asText()); // port 0: the port bound
            assertFalse(get.has("HTTPS_DN"), get.toString());
            assertFalse(get.has("HTTPS_CLIENT_CERTIFICATE"), get.toString());

            byte[] body = "x".repeat(100_000).getBytes(StandardCharsets.US_ASCII);
            Path file = Files.write(dir.resolve("body.bin"), body);
            JsonNode post = environ(curl(port, "--data-binary", "@" + file, "https://www.example:" + port + "/up"));
            assertEquals("POST", post.path("REQUEST_METHOD").asText());
            assertEquals(100_000, post.path("body_len").asInt());
        }
    }

    @Test
    void httpsRequestsGoToPooledHttpNodesWithTheirScheme() throws Exception {
        try (UwsgiProcess http11 = UwsgiProcess.startEchoOn(dir, "h11", "--http11-socket", "--processes", "2");
             Running router = new Running(null, "--https", "127.0.0.1:0," + server.cert() + "," + server.key(),
                     "--http-to", "http://" + http11.address(), "--http-keepalive", "--http-node-connections", "2",
                     "--http-processes", "1")) {
            int port = router.port(0);
            for (int i = 0; i < 3; i++) {
                JsonNode env = environ(curl(port, "https://www.example:" + port + "/s" + i));
                assertEquals("https", env.path("HTTP_X_FORWARDED_PROTO").asText());
                assertEquals("/s" + i, env.path("PATH_INFO").asText());
            }
            assertEquals(1, router.router.runtime().nodePools().snapshot().get(0).created());
        }
    }

    @Test
    void keepaliveReusesTheTlsConnection() throws Exception {
        try (Running router = https(null, "--http-keepalive")) {
            int port = router.port(0);
            String url = "https://www.example:" + port + "/k";
            Commands.Result result = curl(port, "-o", "/dev/null", "-o", "/dev/null", "-o", "/dev/null",
                    "-w", "%{http_code}:%{num_connects} ", url, url, url);
            assertEquals(0, result.exit(), result::all);
            assertEquals("200:1 200:0 200:0 ", result.stdout()); // one TLS connection, three requests
        }
    }

    @Test
    void clientCertificateVarsReachTheApp() throws Exception {
        try (Running router = https(pki.ca().cert().toString(), "--https-export-cert")) {
            int port = router.port(0);
            JsonNode env = environ(curl(port, "--cert", client.cert().toString(), "--key", client.key().toString(),
                    "https://www.example:" + port + "/cc"));
            assertEquals("/C=IT/O=Test/CN=client1", env.path("HTTPS_DN").asText());
            assertEquals(OpensslPki.onelineSubject(client.cert()), env.path("HTTPS_DN").asText());
            assertArrayEquals(OpensslPki.der(client.cert()),
                    env.path("HTTPS_CLIENT_CERTIFICATE").asText().getBytes(StandardCharsets.ISO_8859_1));
            assertEquals(Files.readString(client.cert()), env.path("HTTPS_CC").asText());
            // optional: a client without a certificate is served, without the vars
            JsonNode anonymous = environ(curl(port, "https://www.example:" + port + "/cc"));
            assertFalse(anonymous.has("HTTPS_DN"));
        }
    }

    @Test
    void mandatoryClientCertificate() throws Exception {
        try (Running router = https("!" + pki.ca().cert())) {
            int port = router.port(0);
            Commands.Result refused = curl(port, "https://www.example:" + port + "/m");
            assertNotEquals(0, refused.exit(), refused::all);
            JsonNode env = environ(curl(port, "--cert", client.cert().toString(), "--key", client.key().toString(),
                    "https://www.example:" + port + "/m"));
            assertEquals("/C=IT/O=Test/CN=client1", env.path("HTTPS_DN").asText());
            assertFalse(env.has("HTTPS_CC")); // only with --https-export-cert
        }
    }

    @Test
    void routingKeyIsTheSniNameOverriddenByHost() throws Exception {
        ConcurrentLinkedQueue<String> keys = new ConcurrentLinkedQueue<>();
        StaticNode node = new StaticNode("app", Endpoint.parseBackend(app.address()).toSocketAddress(), Clock.SYSTEM);
        try (Running router = new Running(key -> {
            keys.add(key.toString());
            return node;
        }, "--https", "127.0.0.1:0," + server.cert() + "," + server.key())) {
            int port = router.port(0);
            OpensslClient.Result noHost = OpensslClient.to(port).serverName("sni.example")
                    .send("GET /k HTTP/1.0\r\n\r\n");
            assertTrue(noHost.stdout().contains("HTTP/1.0 200 OK") || noHost.stdout().contains("HTTP/1.1 200 OK"),
                    noHost::toString);
            OpensslClient.Result withHost = OpensslClient.to(port).serverName("sni.example")
                    .send("GET /k HTTP/1.0\r\nHost: Other.Example:8443\r\n\r\n");
            assertTrue(withHost.stdout().contains("200 OK"), withHost::toString);
            OpensslClient.Result neither = OpensslClient.to(port).noServerName().send("GET /k HTTP/1.0\r\n\r\n");
            assertTrue(neither.stdout().contains("200 OK"), neither::toString);
        }
        assertEquals(List.of("sni.example", "Other.Example:8443", "testhost"), List.copyOf(keys));
    }

    @Test
    void httpToHttpsRedirects() throws Exception {
        try (Running router = new Running(null, "--http-to-https", "127.0.0.1:0,8443",
                "--http-to-https", "127.0.0.1:0")) {
            RawHttpClient.Response withPort = RawHttpClient.exchange(new InetSocketAddress("127.0.0.1", router.port(0)),
                    "GET /a/b?c=d HTTP/1.1\r\nHost: example.com:8080\r\n\r\n");
            assertEquals(301, withPort.status());
            assertEquals("https://example.com:8443/a/b?c=d", withPort.header("Location"));
            RawHttpClient.Response noPort = RawHttpClient.exchange(new InetSocketAddress("127.0.0.1", router.port(1)),
                    "GET /x HTTP/1.0\r\n\r\n");
            assertEquals(301, noPort.status());
            assertEquals("https://testhost/x", noPort.header("Location")); // no Host: the host name
        }
    }
}
