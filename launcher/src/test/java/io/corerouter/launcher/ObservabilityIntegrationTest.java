package io.corerouter.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.core.codec.uwsgi.UwsgiVars;
import io.corerouter.core.observe.AccessLog;
import io.corerouter.core.testing.Commands;
import io.corerouter.core.testing.OpensslPki;
import io.corerouter.core.testing.UwsgiProcess;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 end to end: requests through corerouter to a real uWSGI node, then {@code /metrics} scraped
 * with curl and parsed strictly ({@link PromText}), the access log read back, a node killed and
 * restarted, and the log reopened by a real SIGUSR1 after a logrotate-style rename.
 */
class ObservabilityIntegrationTest {
    /** nginx's "combined" line (as goaccess and Logstash read it), then corerouter's node and duration. */
    private static final Pattern COMBINED = Pattern.compile("^(\\S+) - - \\[([^\\]]+)\\] \"(\\S+) (\\S+) (\\S+)\" "
            + "(\\d{3}|-) (\\d+) \"([^\"]*)\" \"([^\"]*)\" node=(\\S+) msecs=(\\d+)$");

    @TempDir
    Path dir;

    private final Running running = new Running();

    @AfterEach
    void stopEverything() {
        running.close();
    }

    private static int port(io.netty.channel.Channel channel) {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    private static String curl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("curl", "-s", "--max-time", "20"));
        command.addAll(List.of(args));
        Commands.Result result = Commands.run(command, "");
        return result.stdout();
    }

    static PromText scrape(int statsPort) throws Exception {
        String text = curl("http://127.0.0.1:" + statsPort + "/metrics");
        checkWithPrometheusParser(text);
        return PromText.parse(text);
    }

    /**
     * The exposition also goes through a real Prometheus parser: the official Python client's text parser
     * (Debian's python3-prometheus-client, installed by scripts/install-peers.sh), which fails on any
     * line a Prometheus server would reject.
     */
    private static void checkWithPrometheusParser(String text) throws Exception {
        String script = String.join("\n",
                "import sys",
                "from prometheus_client.parser import text_string_to_metric_families",
                "families = list(text_string_to_metric_families(sys.stdin.read()))",
                "assert families, 'no metric family'",
                "print(len(families))");
        Commands.Result result = Commands.run(List.of("/usr/bin/python3", "-c", script), text);
        assertEquals(0, result.exit(), () -> "the Prometheus client's parser refused the exposition: " + result.all());
        assertTrue(Integer.parseInt(result.stdout().trim()) > 10, result::all);
    }

    private static void awaitWritten(AccessLog log, long lines) throws InterruptedException {
        Running.await(lines + " access log lines", () -> log.written() + log.dropped() >= lines);
    }

    @Test
    void httpRequestsAreCountedTimedAndLogged() throws Exception {
        UwsgiProcess node = running.node(dir, "n1");
        Path accessLog = dir.resolve("http-access.log");
        Corerouter router = running.router("--http", "127.0.0.1:0", "--http-to", node.address(),
                "--http-stats", "127.0.0.1:0", "--stats-http", "--http-gracetime", "1",
                "--http-access-log", accessLog.toString());
        int http = port(router.http().listeners().get(0));
        int stats = port(router.httpStats().channel());
        int n = 7;
        List<String> sizes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            sizes.add(curl("-o", "/dev/null", "-w", "%{http_code} %{size_download}", "-A", "obs-test/1",
                    "-e", "http://referer.test/", "http://127.0.0.1:" + http + "/page/" + i + "?q=" + i));
        }
        awaitWritten(router.accessLog("http"), n);

        PromText metrics = scrape(stats);
        String listener = "127.0.0.1:0";
        assertEquals(n, metrics.value("corerouter_requests_total", "router", "http", "listener", listener,
                "status_class", "2xx"));
        assertEquals(0, metrics.value("corerouter_requests_total", "router", "http", "listener", listener,
                "status_class", "5xx"));
        assertEquals(n, metrics.value("corerouter_request_duration_seconds_count", "router", "http"));
        assertEquals(n, metrics.value("corerouter_response_head_seconds_count", "router", "http"));
        assertEquals(n, metrics.value("corerouter_node_request_duration_seconds_count", "router", "http",
                "node", node.address()));
        assertEquals(n, metrics.value("corerouter_node_requests_total", "router", "http", "node", node.address()));
        assertEquals(n, metrics.value("corerouter_connections_accepted_total", "router", "http", "listener", listener));
        assertEquals(1, metrics.value("corerouter_node_up", "router", "http", "node", node.address(), "source", "static"));
        assertTrue(metrics.value("corerouter_sent_bytes_total", "router", "http") > 0);
        assertTrue(metrics.value("corerouter_received_bytes_total", "router", "http") > 0);
        assertEquals(n, metrics.value("corerouter_access_log_lines_total", "router", "http"));
        assertEquals(0, metrics.value("corerouter_access_log_dropped_total", "router", "http"));
        assertTrue(metrics.types.containsKey("jvm_memory_used_bytes"), "the client's JVM collectors");
        assertTrue(metrics.types.keySet().stream().anyMatch(name -> name.startsWith("jvm_gc")), "GC metrics");

        List<String> lines = Files.readAllLines(accessLog);
        assertEquals(n, lines.size(), String.join("\n", lines));
        for (int i = 0; i < n; i++) {
            Matcher m = COMBINED.matcher(lines.get(i));
            assertTrue(m.matches(), lines.get(i));
            assertEquals("127.0.0.1", m.group(1));
            assertEquals("GET", m.group(3));
            assertEquals("/page/" + i + "?q=" + i, m.group(4));
            assertEquals("HTTP/1.1", m.group(5));
            assertEquals(sizes.get(i), m.group(6) + " " + m.group(7), "status and body size as curl saw them");
            assertEquals("http://referer.test/", m.group(8));
            assertEquals("obs-test/1", m.group(9));
            assertEquals(node.address(), m.group(10));
        }

        // the node dies: its connect fails, it is marked dead, the client gets 502
        node.kill();
        assertEquals("502", curl("-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:" + http + "/down"));
        PromText down = scrape(stats);
        assertEquals(0, down.value("corerouter_node_up", "router", "http", "node", node.address(), "source", "static"));
        assertTrue(down.value("corerouter_node_connect_failures_total", "router", "http", "node", node.address(),
                "source", "static") >= 1);
        assertEquals(1, down.value("corerouter_errors_total", "router", "http", "kind", "connect_failed"));
        assertEquals(1, down.value("corerouter_requests_total", "router", "http", "listener", listener,
                "status_class", "5xx"));

        // back after the gracetime: picked again, up again
        UwsgiProcess again = running.node(dir, "n1");
        Running.await("the node serving again", () -> {
            try {
                return "200".equals(curl("-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:" + http + "/up"));
            } catch (Exception e) {
                return false;
            }
        });
        PromText up = scrape(stats);
        assertEquals(1, up.value("corerouter_node_up", "router", "http", "node", again.address(), "source", "static"));
    }

    @Test
    void fastrouterLogsEachUwsgiRequestAndRawrouterEachConnection() throws Exception {
        UwsgiProcess node = running.node(dir, "n2");
        Path fastLog = dir.resolve("fast.log");
        Path rawLog = dir.resolve("raw.log");
        Corerouter router = running.router(
                "--fastrouter", "127.0.0.1:0", "--fastrouter-to", node.address(),
                "--fastrouter-stats", "127.0.0.1:0", "--stats-http", "--fastrouter-access-log", fastLog.toString(),
                "--fastrouter-access-log-format", "%(method) %(uri) %(status) %(key) %(node) %(var.HTTP_X_TRACE)",
                "--rawrouter", "127.0.0.1:0", "--rawrouter-to", node.address(),
                "--rawrouter-access-log", rawLog.toString(),
                "--rawrouter-access-log-format", "%(addr) %(status) %(size) %(key) %(node) %(micros)");
        int fast = port(router.fastrouter().listeners().get(0));
        int raw = port(router.rawrouter().listeners().get(0));
        String response = uwsgiRequest(fast, "/fast");
        assertTrue(response.startsWith("HTTP/1.1 200"), response);
        String rawResponse = uwsgiRequest(raw, "/raw");
        assertTrue(rawResponse.startsWith("HTTP/1.1 200"), rawResponse);
        awaitWritten(router.accessLog("fastrouter"), 1);
        awaitWritten(router.accessLog("rawrouter"), 1);

        assertEquals(List.of("GET /fast 200 app.test " + node.address() + " trace-1"), Files.readAllLines(fastLog));
        List<String> rawLines = Files.readAllLines(rawLog);
        assertEquals(1, rawLines.size());
        String[] fields = rawLines.get(0).split(" ");
        assertEquals("127.0.0.1", fields[0]);
        assertEquals("200", fields[1], "the uWSGI response's status line");
        assertEquals(rawResponse.length(), Integer.parseInt(fields[2]), "bytes relayed to the client");
        assertEquals(node.address(), fields[4]);

        PromText metrics = scrape(port(router.stats("fastrouter").channel()));
        assertEquals(1, metrics.value("corerouter_requests_total", "router", "fastrouter", "listener", "127.0.0.1:0",
                "status_class", "2xx"));
        assertEquals(1, metrics.value("corerouter_requests_total", "router", "rawrouter", "listener", "127.0.0.1:0",
                "status_class", "2xx"));
        assertEquals(1, metrics.value("corerouter_node_requests_total", "router", "fastrouter", "node", node.address()));
    }

    @Test
    void tlsHandshakesFailuresAndSniMissesAreCounted() throws Exception {
        UwsgiProcess node = running.node(dir, "n4");
        OpensslPki pki = OpensslPki.create(dir);
        OpensslPki.Pair cert = pki.server("default", "default.test");
        Path accessLog = dir.resolve("https.log");
        Corerouter router = running.router("--https", "127.0.0.1:0," + cert.cert() + "," + cert.key(),
                "--http-to", node.address(), "--http-stats", "127.0.0.1:0", "--stats-http",
                "--http-access-log", accessLog.toString(), "--http-access-log-format", "%(host) %(uri) %(status)");
        int https = port(router.http().listeners().get(0));
        int stats = port(router.httpStats().channel());
        for (String host : List.of("default.test", "other.test")) {
            assertEquals("200", curl("-k", "-o", "/dev/null", "-w", "%{http_code}", "--resolve",
                    host + ":" + https + ":127.0.0.1", "https://" + host + ":" + https + "/tls"));
        }
        // plain HTTP to the TLS port: a failed handshake
        try (Socket socket = new Socket("127.0.0.1", https)) {
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.getInputStream().readAllBytes();
        }
        Running.await("the failed handshake counted", () -> {
            try {
                return scrape(stats).value("corerouter_tls_handshake_failures_total") >= 1;
            } catch (Exception e) {
                return false;
            }
        });
        PromText metrics = scrape(stats);
        assertEquals(2, metrics.value("corerouter_tls_handshakes_total", "kind", "full")
                + metrics.value("corerouter_tls_handshakes_total", "kind", "resumed"));
        assertEquals(2, metrics.value("corerouter_tls_sni_misses_total"), "other.test, and default.test too: "
                + "the listener's own certificate is not an SNI entry");
        assertEquals(2, metrics.value("corerouter_requests_total", "router", "http", "listener", "127.0.0.1:0",
                "status_class", "2xx"));
        awaitWritten(router.accessLog("http"), 2);
        assertEquals(List.of("default.test:" + https + " /tls 200", "other.test:" + https + " /tls 200"),
                Files.readAllLines(accessLog));
    }

    @Test
    void sslrouterLogsEachConnection() throws Exception {
        UwsgiProcess node = running.add(UwsgiProcess.startEchoOn(dir, "h5", "--http11-socket"));
        OpensslPki pki = OpensslPki.create(dir);
        OpensslPki.Pair cert = pki.server("ssl", "ssl.test");
        Path accessLog = dir.resolve("ssl.log");
        Corerouter router = running.router("--sslrouter", "127.0.0.1:0," + cert.cert() + "," + cert.key(),
                "--sslrouter-to", node.address(), "--sslrouter-stats", "127.0.0.1:0", "--stats-http",
                "--sslrouter-access-log", accessLog.toString(), "--sslrouter-access-log-format", "%(addr) %(node) %(size)");
        int port = port(router.sslrouter().listeners().get(0));
        assertEquals("200", curl("-k", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Connection: close",
                "https://127.0.0.1:" + port + "/ssl"));
        awaitWritten(router.accessLog("sslrouter"), 1);
        String[] fields = Files.readAllLines(accessLog).get(0).split(" ");
        assertEquals("127.0.0.1", fields[0]);
        assertEquals(node.address(), fields[1]);
        assertTrue(Long.parseLong(fields[2]) > 0, "TLS bytes written to the client");
        PromText metrics = scrape(port(router.stats("sslrouter").channel()));
        assertEquals(1, metrics.value("corerouter_connections_accepted_total", "router", "sslrouter",
                "listener", "127.0.0.1:0"));
        assertEquals(1, metrics.value("corerouter_tls_handshakes_total", "kind", "full"));
    }

    /** Sends one uwsgi request (as nginx's uwsgi_pass would) and reads the whole response. */
    private static String uwsgiRequest(int port, String path) throws Exception {
        ByteBuf packet = Unpooled.buffer();
        try {
            int header = UwsgiVars.beginPacket(packet);
            UwsgiVars.add(packet, "REQUEST_METHOD", "GET");
            UwsgiVars.add(packet, "REQUEST_URI", path);
            UwsgiVars.add(packet, "PATH_INFO", path);
            UwsgiVars.add(packet, "QUERY_STRING", "");
            UwsgiVars.add(packet, "SERVER_PROTOCOL", "HTTP/1.1");
            UwsgiVars.add(packet, "SERVER_NAME", "app.test");
            UwsgiVars.add(packet, "SERVER_PORT", "80");
            UwsgiVars.add(packet, "HTTP_HOST", "app.test");
            UwsgiVars.add(packet, "HTTP_X_TRACE", "trace-1");
            UwsgiVars.add(packet, "REMOTE_ADDR", "127.0.0.1");
            UwsgiVars.finishPacket(packet, header, 0, 0);
            byte[] bytes = new byte[packet.readableBytes()];
            packet.readBytes(bytes);
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.setSoTimeout(20_000);
                OutputStream out = socket.getOutputStream();
                out.write(bytes);
                out.flush();
                InputStream in = socket.getInputStream();
                return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            }
        } finally {
            packet.release();
        }
    }

    @Test
    void sigusr1ReopensTheLogAfterARenameWithoutLosingALine() throws Exception {
        UwsgiProcess node = running.node(dir, "n3");
        Path accessLog = dir.resolve("access.log");
        Path rotated = dir.resolve("access.log.1");
        Corerouter router = running.router("--http", "127.0.0.1:0", "--http-to", node.address(),
                "--http-access-log", accessLog.toString(), "--http-access-log-format", "%(uri) %(status)");
        assertTrue(ReopenSignal.install(router::reopenLogs), "SIGUSR1 handled on this JVM");
        int http = port(router.http().listeners().get(0));
        AccessLog log = router.accessLog("http");
        int n = 40;
        // one keepalive connection, requests back to back while the file is renamed and reopened
        List<String> urls = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            urls.add("http://127.0.0.1:" + http + "/r" + i);
        }
        List<String> first = new ArrayList<>(List.of("-o", "/dev/null"));
        first.addAll(urls.subList(0, n / 2));
        curl(first.toArray(String[]::new));
        awaitWritten(log, n / 2);
        Files.move(accessLog, rotated); // logrotate: rename, then postrotate sends the signal
        Commands.run(List.of("kill", "-USR1", Long.toString(ProcessHandle.current().pid())), "");
        List<String> second = new ArrayList<>(List.of("-o", "/dev/null"));
        second.addAll(urls.subList(n / 2, n));
        curl(second.toArray(String[]::new));
        Running.await("the reopen", () -> log.reopens() == 1);
        awaitWritten(log, n);
        Running.await("the new file", () -> Files.exists(accessLog));
        List<String> all = new ArrayList<>(Files.readAllLines(rotated));
        Running.await("every line on disk", () -> {
            try {
                return all.size() + Files.readAllLines(accessLog).size() == n;
            } catch (Exception e) {
                return false;
            }
        });
        all.addAll(Files.readAllLines(accessLog));
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            expected.add("/r" + i + " 200");
        }
        assertEquals(expected, all, "every request once, in order, across the rotated and the new file");
        assertEquals(0, log.dropped());
    }
}
