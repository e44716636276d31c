package io.corerouter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.core.testing.Commands;
import io.corerouter.core.testing.UwsgiProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * How node responses are framed for an HTTP/2 client (issue 11), with curl and real uWSGI nodes of the
 * three kinds ({@code --socket}, {@code --puwsgi-socket}, {@code --http11-socket}) running the app of
 * {@link PooledNodesRealUwsgiTest}: HEAD, 204, 304, a chunked response (its {@code Transfer-Encoding}
 * must not reach the client: connection-specific headers are malformed in HTTP/2, RFC 9113 §8.2.2), a
 * response with no length, bytes beyond the framing, and broken chunking, all on one connection.
 */
class Http2ResponseFramingTest {
    @TempDir
    static Path dir;
    static UwsgiProcess classic;
    static UwsgiProcess puwsgi;
    static UwsgiProcess http;

    @BeforeAll
    static void startNodes() throws Exception {
        Path app = dir.resolve("framing_app.py");
        Files.writeString(app, PooledNodesRealUwsgiTest.APP, StandardCharsets.UTF_8);
        List<String> args = List.of("--plugin", "python3", "--wsgi-file", app.toString(), "--need-app",
                "--disable-logging", "--die-on-term", "--processes", "2", "--socket-timeout", "1");
        classic = UwsgiProcess.start(dir, "u", "--socket", args);
        puwsgi = UwsgiProcess.start(dir, "p", "--puwsgi-socket", args);
        http = UwsgiProcess.start(dir, "h", "--http11-socket", args);
    }

    @AfterAll
    static void stopNodes() {
        for (UwsgiProcess node : new UwsgiProcess[] {classic, puwsgi, http}) {
            if (node != null) {
                node.close();
            }
        }
    }

    static Routers.Started router(String kind) throws Exception {
        return switch (kind) {
            case "uwsgi" -> Routers.start("--http", "127.0.0.1:0", "--http2", "--http-to", classic.address());
            case "puwsgi" -> Routers.start("--http", "127.0.0.1:0", "--http2", "--http-to",
                    "puwsgi://" + puwsgi.address(), "--http-keepalive", "--http-node-connections", "2");
            default -> Routers.start("--http", "127.0.0.1:0", "--http2", "--http-to", "http://" + http.address(),
                    "--http-keepalive", "--http-node-connections", "2");
        };
    }

    /** One request of a curl run: extra options, the path, and where its body (or head, with -I) goes. */
    record Request(List<String> options, String path, Path out) {
    }

    @ParameterizedTest(name = "{0} node")
    @ValueSource(strings = {"uwsgi", "puwsgi", "http"})
    void headNoContentNotModifiedChunkedUnframedAndOverlongResponsesOnOneConnection(String kind) throws Exception {
        try (Routers.Started router = router(kind)) {
            String base = "http://127.0.0.1:" + router.address().getPort();
            List<Request> requests = new ArrayList<>();
            for (String[] r : new String[][] {{"-I", "/h"}, {"", "/204"}, {"", "/304"}, {"", "/chunked"},
                    {"", "/nolength"}, {"", "/extra"}, {"", "/after"}}) {
                requests.add(new Request(r[0].isEmpty() ? List.of() : List.of(r[0]), r[1],
                        dir.resolve(kind + r[1].replace('/', '-') + ".out")));
            }
            // the first request upgrades (Upgrade: h2c), the next ones reuse the HTTP/2 connection
            // (curl 7.88 cannot reuse a prior-knowledge one, curl/curl#10634)
            List<String> command = new ArrayList<>(List.of("curl"));
            for (int i = 0; i < requests.size(); i++) {
                Request request = requests.get(i);
                if (i > 0) {
                    command.add("--next");
                }
                command.addAll(List.of("-sS", "--max-time", "30", "--http2", "-o", request.out().toString(),
                        "-w", "%{http_code} %{http_version} %{num_connects}\\n"));
                command.addAll(request.options());
                command.add(base + request.path());
            }
            Commands.Result result = Commands.run(command, new byte[0], 90);
            assertEquals(0, result.exit(), result::all);
            assertEquals("200 2 1\n204 2 0\n304 2 0\n200 2 0\n200 2 0\n200 2 0\n200 2 0\n", result.stdout(),
                    result::all);
            String head = read(requests.get(0).out()).toLowerCase(Locale.ROOT);
            assertTrue(head.contains("http/2 200"), head); // after the 101 of the upgrade
            assertTrue(head.contains("content-length: "), head);
            assertEquals("", read(requests.get(1).out()));
            assertEquals("", read(requests.get(2).out()));
            assertEquals("hello world", read(requests.get(3).out()));
            assertEquals("close-delimited", read(requests.get(4).out()));
            assertEquals("ok", read(requests.get(5).out()), "the response as framed by its Content-Length");
            assertTrue(read(requests.get(6).out()).contains("\"PATH_INFO\": \"/after\""), read(requests.get(6).out()));
        }
    }

    @ParameterizedTest(name = "{0} node")
    @ValueSource(strings = {"uwsgi", "puwsgi", "http"})
    void aChunkedResponseReachesTheClientWithoutConnectionHeaders(String kind) throws Exception {
        try (Routers.Started router = router(kind)) {
            Path headers = dir.resolve(kind + "-chunked.headers");
            Commands.Result result = Commands.run(List.of("curl", "-sS", "--max-time", "30",
                    "--http2-prior-knowledge", "-D", headers.toString(), "-w", "\\n%{http_code} %{http_version}",
                    "http://127.0.0.1:" + router.address().getPort() + "/chunked"), new byte[0], 60);
            assertEquals(0, result.exit(), result::all);
            assertEquals("hello world\n200 2", result.stdout(), result::all);
            String head = read(headers).toLowerCase(Locale.ROOT);
            assertFalse(head.contains("transfer-encoding"), head);
            assertFalse(head.contains("connection:"), head);
            assertFalse(head.contains("keep-alive"), head);
        }
    }

    @ParameterizedTest(name = "{0} node")
    @ValueSource(strings = {"uwsgi", "puwsgi", "http"})
    void brokenChunkingIsA502OrAResetAndTheConnectionGoesOn(String kind) throws Exception {
        try (Routers.Started router = router(kind)) {
            String base = "http://127.0.0.1:" + router.address().getPort();
            Commands.Result result = Commands.run(List.of("nghttp", "-v", "--no-dep", base + "/badchunk",
                    base + "/fine"), new byte[0], 60);
            Http2RealPeersTest.Trace trace = Http2RealPeersTest.Trace.parse(result.stdout());
            int bad = trace.stream("/badchunk");
            int fine = trace.stream("/fine");
            assertTrue(trace.resets().contains(bad) || Integer.valueOf(502).equals(trace.statuses().get(bad)),
                    trace::text);
            assertEquals(200, trace.statuses().get(fine), trace::text);
            assertFalse(trace.resets().contains(fine), trace::text);
            assertNotEquals(true, trace.text().contains("PROTOCOL_ERROR"), trace::text);
        }
    }

    /** The file curl wrote, or "" when it wrote none (no body came). */
    static String read(Path file) throws Exception {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.ISO_8859_1) : "";
    }
}
