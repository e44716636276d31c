package io.corerouter.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.corerouter.core.observe.AccessLog;
import io.corerouter.core.testing.Commands;
import io.corerouter.core.testing.OpensslPki;
import io.corerouter.core.testing.UwsgiProcess;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 to clients (issue 11) as the launcher assembles it: {@code --https2 ...,h2=1} offers h2 by ALPN
 * on its listener without {@code --http2}, {@code h2=0} keeps a listener on HTTP/1.1 when
 * {@code --http2} is on, and the per-listener h2 counters show in {@code /status.json} and
 * {@code /metrics} of the stats server after real HTTP/2 requests (curl, a real uWSGI node).
 */
class Http2IntegrationTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final Running running = new Running();
    private OpensslPki pki;
    private OpensslPki.Pair cert;
    private UwsgiProcess node;

    @BeforeEach
    void setUp() throws Exception {
        pki = OpensslPki.create(dir);
        cert = pki.server("www", "www.example");
        node = running.node(dir, "h2node");
    }

    @AfterEach
    void stopEverything() {
        running.close();
    }

    private static int port(io.netty.channel.Channel channel) {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    private String https2(String h2) {
        return "addr=127.0.0.1:0,cert=" + cert.cert() + ",key=" + cert.key() + ",h2=" + h2;
    }

    /** {@code curl --http2} to www.example on {@code port} (TLS); returns "code version". */
    private String curlTls(int port, String path) throws Exception {
        Commands.Result result = Commands.run(List.of("curl", "-sS", "--max-time", "20", "--http2",
                "--cacert", pki.ca().cert().toString(), "--resolve", "www.example:" + port + ":127.0.0.1",
                "-o", "/dev/null", "-w", "%{http_code} %{http_version}", "https://www.example:" + port + path), "");
        assertEquals(0, result.exit(), result::all);
        return result.stdout();
    }

    private static String get(String url) throws Exception {
        Commands.Result result = Commands.run(List.of("curl", "-sS", "--max-time", "20", url), "");
        assertEquals(0, result.exit(), result::all);
        return result.stdout();
    }

    @Test
    void https2WithH2OneOffersHttp2WithoutTheGlobalOption() throws Exception {
        // the plain listener on another loopback address, to tell the two apart
        Corerouter router = running.router("--https2", https2("1"), "--http", "127.0.0.2:0",
                "--http-to", node.address());
        int https = -1;
        int http = -1;
        for (io.netty.channel.Channel listener : router.http().listeners()) {
            InetSocketAddress address = (InetSocketAddress) listener.localAddress();
            if (address.getAddress().getHostAddress().equals("127.0.0.2")) {
                http = address.getPort();
            } else {
                https = address.getPort();
            }
        }
        assertEquals("200 2", curlTls(https, "/alpn"));
        // h2=1 is that listener's only: the http listener does not take Upgrade: h2c without --http2
        Commands.Result plain = Commands.run(List.of("curl", "-sS", "--max-time", "20", "--http2", "-o", "/dev/null",
                "-w", "%{http_code} %{http_version}", "http://127.0.0.2:" + http + "/plain"), "");
        assertEquals("200 1.1", plain.stdout(), plain::all);
    }

    @Test
    void https2WithH2ZeroStaysOnHttp11WhenHttp2IsOn() throws Exception {
        Corerouter router = running.router("--http2", "--https2", https2("0"), "--https2", https2("1"),
                "--http-to", node.address());
        List<Integer> ports = new ArrayList<>();
        for (io.netty.channel.Channel listener : router.http().listeners()) {
            ports.add(port(listener));
        }
        List<String> answers = new ArrayList<>();
        for (int port : ports) {
            answers.add(curlTls(port, "/per-listener"));
        }
        // the listeners in option order: h2=0, then h2=1
        assertEquals(List.of("200 1.1", "200 2"), answers);
    }

    @Test
    void statsShowTheHttp2CountersOfEachListener() throws Exception {
        Path accessLog = dir.resolve("h2-access.log");
        Corerouter router = running.router("--http", "127.0.0.1:0", "--http2", "--http-to", node.address(),
                "--http-stats", "127.0.0.1:0", "--stats-http", "--http-access-log", accessLog.toString(),
                "--http-access-log-format", "%(method) %(uri) %(proto) %(status)");
        int http = port(router.http().listeners().get(0));
        int stats = port(router.httpStats().channel());
        String url = "http://127.0.0.1:" + http + "/s";
        // three streams on one connection made by Upgrade: h2c (curl 7.88 cannot reuse a prior-knowledge
        // connection, curl/curl#10634), then one more connection with prior knowledge
        Commands.Result three = Commands.run(List.of("curl", "-sS", "--max-time", "20", "--http2",
                "-o", "/dev/null", "-o", "/dev/null", "-o", "/dev/null",
                "-w", "%{http_code} %{http_version} %{num_connects}\\n", url, url, url), "");
        assertEquals(0, three.exit(), three::all);
        assertEquals("200 2 1\n200 2 0\n200 2 0\n", three.stdout(), three::all);
        Commands.Result one = Commands.run(List.of("curl", "-sS", "--max-time", "20", "--http2-prior-knowledge",
                "-o", "/dev/null", "-w", "%{http_code} %{http_version}", url), "");
        assertEquals("200 2", one.stdout(), one::all);

        Running.await("both HTTP/2 connections closed", () -> {
            try {
                return h2(JSON.readTree(get("http://127.0.0.1:" + stats + "/status.json"))).path("open").asLong() == 0;
            } catch (Exception e) {
                return false;
            }
        });
        JsonNode h2 = h2(JSON.readTree(get("http://127.0.0.1:" + stats + "/status.json")));
        assertEquals(0, h2.path("open").asLong(), h2::toString);
        assertEquals(2, h2.path("connections").asLong(), h2::toString);
        assertEquals(4, h2.path("streams").asLong(), h2::toString);
        assertEquals(0, h2.path("reset").asLong(), h2::toString);
        assertEquals(0, h2.path("refused").asLong(), h2::toString);
        assertTrue(h2.has("goaways"), h2::toString);

        PromText metrics = ObservabilityIntegrationTest.scrape(stats);
        String listener = "127.0.0.1:0";
        assertEquals(0, metrics.value("corerouter_h2_connections", "router", "http", "listener", listener));
        assertEquals(2, metrics.value("corerouter_h2_connections_accepted_total", "router", "http",
                "listener", listener));
        assertEquals(4, metrics.value("corerouter_h2_streams_total", "router", "http", "listener", listener));
        assertEquals(0, metrics.value("corerouter_h2_streams_reset_total", "router", "http", "listener", listener));
        assertEquals(0, metrics.value("corerouter_h2_streams_refused_total", "router", "http", "listener", listener));
        assertEquals(h2.path("goaways").asLong(), metrics.value("corerouter_h2_goaways_total", "router", "http",
                "listener", listener));
        assertEquals(4, metrics.value("corerouter_requests_total", "router", "http", "listener", listener,
                "status_class", "2xx"), "each stream is a request");

        // the access log: each stream a line, as HTTP/2.0; the upgrade's 101 is the first request's own line
        AccessLog log = router.accessLog("http");
        Running.await("the access log lines", () -> log.written() + log.dropped() >= 5);
        List<String> lines = Files.readAllLines(accessLog);
        assertEquals(List.of("GET /s HTTP/1.1 101", "GET /s HTTP/2.0 200", "GET /s HTTP/2.0 200", "GET /s HTTP/2.0 200",
                "GET /s HTTP/2.0 200"), lines);
    }

    /** The h2 object of the only listener of the only router in a status.json. */
    private static JsonNode h2(JsonNode status) {
        JsonNode routers = status.path("routers");
        assertEquals(1, routers.size(), status::toString);
        JsonNode listeners = routers.get(0).path("listeners");
        assertEquals(1, listeners.size(), status::toString);
        JsonNode h2 = listeners.get(0).path("h2");
        assertFalse(h2.isMissingNode(), status::toString);
        return h2;
    }
}
