package io.corerouter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.core.observe.Http2Counters;
import io.corerouter.core.testing.Commands;
import io.corerouter.core.testing.UwsgiProcess;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 to clients (issue 11) with nghttp (nghttp2's client) on h2c prior knowledge and real uWSGI
 * nodes: 100 concurrent streams on one connection, each with its own answer; a node killed in the
 * middle of one stream's response (that stream is reset, the others on the connection complete);
 * 200 streams over two pooled {@code puwsgi} connections; and a graceful stop (GOAWAY, the stream in
 * flight completes, then the connection closes). The app signals what it is doing by creating files,
 * and holds requests until the test creates another (a name used once per class run), so every step
 * waits on an event, not a time.
 */
class Http2RealPeersTest {
    /** Bounded wait for another process's progress. */
    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final String APP = String.join("\n",
            "import hashlib, os, time",
            "MARKS = os.environ['MARKS']",
            "def mark(name, text=''):",
            "    tmp = os.path.join(MARKS, name + '.tmp')",
            "    with open(tmp, 'w') as f:",
            "        f.write(text)",
            "    os.rename(tmp, os.path.join(MARKS, name))",
            "def wait_for(name):",
            "    deadline = time.time() + 120",
            "    while not os.path.exists(os.path.join(MARKS, name)) and time.time() < deadline:",
            "        time.sleep(0.02)",
            "def answer(start_response, body):",
            "    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', str(len(body)))])",
            "    return [body]",
            "def stream(start_response):",
            "    # announces 8 MiB, sends 64 KiB, says which worker it is and waits for its end (the test kills it)",
            "    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', str(8 << 20))])",
            "    yield b'x' * 65536",
            "    mark('stream', str(os.getpid()))",
            "    wait_for('never')",
            "    yield b'y' * ((8 << 20) - 65536)",
            "def application(environ, start_response):",
            "    path = environ['PATH_INFO']",
            "    if path == '/stream':",
            "        return stream(start_response)",
            "    if path.startswith('/held/'):",
            "        mark('held-' + path[6:])",
            "        wait_for('release-' + path[6:])",
            "    if path == '/slow':",
            "        mark('slow')",
            "        wait_for('release-slow')",
            "    if path == '/slow' or path.startswith('/held/'):",
            "        return answer(start_response, ('done ' + path + '\\n').encode())",
            "    return answer(start_response, ('ok ' + path + ' ' + hashlib.md5(path.encode()).hexdigest()"
                    + " + '\\n').encode())",
            "");

    @TempDir
    static Path dir;
    static Path marks;
    static Path appFile;
    static UwsgiProcess classic;
    static UwsgiProcess pooled;

    @BeforeAll
    static void startNodes() throws Exception {
        marks = Files.createDirectories(dir.resolve("marks"));
        appFile = dir.resolve("peers_app.py");
        Files.writeString(appFile, APP, StandardCharsets.UTF_8);
        classic = node("classic", "--socket");
        pooled = node("pooled", "--puwsgi-socket");
    }

    /** The app with a master and 8 workers (requests held by the app each keep one). */
    static UwsgiProcess node(String name, String socketOption) throws Exception {
        return UwsgiProcess.start(dir, name, socketOption, List.of("--plugin", "python3", "--wsgi-file",
                appFile.toString(), "--need-app", "--disable-logging", "--die-on-term", "--master",
                "--processes", "8", "--listen", "256", "--env", "MARKS=" + marks));
    }

    @AfterAll
    static void stopNodes() {
        for (UwsgiProcess node : new UwsgiProcess[] {classic, pooled}) {
            if (node != null) {
                node.close();
            }
        }
    }

    static String expectedBody(String path) throws Exception {
        return "ok " + path + " " + HexFormat.of().formatHex(MessageDigest.getInstance("MD5")
                .digest(path.getBytes(StandardCharsets.UTF_8)));
    }

    static String url(Routers.Started router, String path) {
        return "http://127.0.0.1:" + router.address().getPort() + path;
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20); // polling another process's progress, bounded by the deadline
        }
    }

    static Http2Counters h2(Routers.Started router) {
        Http2Counters counters = router.router().runtime().observer().listeners().get(0).http2();
        assertNotNull(counters, "the listener counts HTTP/2");
        return counters;
    }

    /**
     * What {@code nghttp -v} printed, per stream: the path each stream asked for, the status it got, the
     * streams reset by the server, whether a GOAWAY arrived, and the body lines.
     */
    record Trace(Map<Integer, String> paths, Map<Integer, Integer> statuses, Set<Integer> resets, boolean goaway,
                 List<String> lines, String text) {
        private static final Pattern SEND_HEADERS = Pattern.compile("send HEADERS frame <.*stream_id=(\\d+)>");
        private static final Pattern PATH = Pattern.compile("^\\s+:path: (\\S+)$");
        private static final Pattern STATUS = Pattern.compile("recv \\(stream_id=(\\d+)\\) :status: (\\d+)");
        private static final Pattern RESET = Pattern.compile("recv RST_STREAM frame <.*stream_id=(\\d+)>");

        static Trace parse(String text) {
            Map<Integer, String> paths = new LinkedHashMap<>();
            Map<Integer, Integer> statuses = new TreeMap<>();
            Set<Integer> resets = new TreeSet<>();
            List<String> lines = new ArrayList<>();
            Integer sending = null;
            for (String line : text.split("\n")) {
                Matcher m;
                if ((m = SEND_HEADERS.matcher(line)).find()) {
                    sending = Integer.valueOf(m.group(1));
                } else if (line.startsWith("[")) {
                    sending = null;
                } else if (sending != null && (m = PATH.matcher(line)).find()) {
                    paths.put(sending, m.group(1));
                }
                if ((m = STATUS.matcher(line)).find()) {
                    statuses.put(Integer.valueOf(m.group(1)), Integer.valueOf(m.group(2)));
                }
                if ((m = RESET.matcher(line)).find()) {
                    resets.add(Integer.valueOf(m.group(1)));
                }
                if (line.startsWith("ok ") || line.startsWith("done ")) {
                    lines.add(line);
                }
            }
            return new Trace(paths, statuses, resets, text.contains("recv GOAWAY frame"), lines, text);
        }

        int stream(String path) {
            return paths.entrySet().stream().filter(e -> e.getValue().equals(path)).mapToInt(Map.Entry::getKey)
                    .findFirst().orElseThrow(() -> new AssertionError("no stream asked for " + path + ":\n" + text));
        }

        /** What went wrong in the run, for assertion messages (the whole trace would be too long). */
        String summary() {
            return "paths=" + paths + "\nstatuses=" + statuses + "\nresets=" + resets + "\ngoaway=" + goaway
                    + "\nlines=" + lines.size();
        }
    }

    /** nghttp started in the background, its output going to a file. */
    static final class Nghttp implements AutoCloseable {
        final Process process;
        final Path out;

        Nghttp(Path out, List<String> args) throws IOException {
            List<String> command = new ArrayList<>(List.of("nghttp"));
            command.addAll(args);
            this.out = out;
            this.process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        }

        String output() {
            try {
                return Files.readString(out, StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(unreadable: " + e + ")";
            }
        }

        /** Waits for the exit; fails the test when it does not come within the bound. */
        Trace finish() throws InterruptedException {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("nghttp did not finish:\n" + output());
            }
            return Trace.parse(output());
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    @Test
    void aHundredConcurrentStreamsOnOneConnectionEachGetTheirOwnAnswer() throws Exception {
        try (Routers.Started router = Routers.start("--http", "127.0.0.1:0", "--http2", "--http-to",
                classic.address())) {
            List<String> args = new ArrayList<>(List.of("-v", "--no-dep"));
            List<String> paths = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                paths.add("/n/" + i);
                args.add(url(router, "/n/" + i));
            }
            Commands.Result result = Commands.run(prefix("nghttp", args), new byte[0], 90);
            assertEquals(0, result.exit(), result::all);
            Trace trace = Trace.parse(result.stdout());
            assertEquals(100, trace.paths().size(), trace::summary);
            assertEquals(Set.copyOf(paths), Set.copyOf(trace.paths().values()), trace::summary);
            for (Map.Entry<Integer, String> stream : trace.paths().entrySet()) {
                assertEquals(200, trace.statuses().get(stream.getKey()), () -> stream + "\n" + trace.summary());
            }
            List<String> expected = new ArrayList<>();
            for (String path : paths) {
                expected.add(expectedBody(path));
            }
            assertEquals(new TreeSet<>(expected), new TreeSet<>(trace.lines()), trace::summary);
            assertEquals(100, trace.lines().size(), trace::summary);
            assertEquals(Set.of(), trace.resets(), trace::summary);

            // the same again as nghttp -n -m 100 (one URI a hundred times), read from its timing table
            Commands.Result repeated = Commands.run(List.of("nghttp", "-n", "-s", "-m", "100",
                    url(router, "/n/same")), new byte[0], 90);
            assertEquals(0, repeated.exit(), repeated::all);
            assertEquals(100, countRows(repeated.stdout(), 200, "/n/same"), repeated::all);

            Http2Counters h2 = h2(router);
            assertEquals(2, h2.connections(), "one connection per nghttp run");
            assertEquals(200, h2.streams());
            assertEquals(0, h2.refused());
        }
    }

    /** Rows of {@code nghttp -s}'s table ({@code ... code size request path}) with this status and path. */
    static long countRows(String text, int status, String path) {
        Pattern row = Pattern.compile("\\s" + status + "\\s+\\S+\\s+" + Pattern.quote(path) + "$");
        return text.lines().filter(line -> row.matcher(line).find()).count();
    }

    static List<String> prefix(String first, List<String> rest) {
        List<String> all = new ArrayList<>();
        all.add(first);
        all.addAll(rest);
        return all;
    }

    @Test
    void aNodeKilledMidStreamResetsThatStreamAndTheOthersOnTheConnectionComplete() throws Exception {
        List<String> held = List.of("a", "b", "c");
        try (Routers.Started router = Routers.start("--http", "127.0.0.1:0", "--http2", "--http-to",
                classic.address());
             Nghttp nghttp = new Nghttp(dir.resolve("killed.out"), List.of("-v", "--no-dep",
                     url(router, "/stream"), url(router, "/held/a"), url(router, "/held/b"),
                     url(router, "/held/c")))) {
            Path streamMark = marks.resolve("stream");
            await("the stream's first 64 KiB sent", () -> Files.exists(streamMark));
            for (String name : held) {
                await("request held/" + name + " in the app", () -> Files.exists(marks.resolve("held-" + name)));
            }
            long worker = Long.parseLong(Files.readString(streamMark).trim());
            ProcessHandle handle = ProcessHandle.of(worker).orElseThrow();
            handle.destroyForcibly();
            handle.onExit().get(30, TimeUnit.SECONDS);
            await("the reset of the stream", () -> Trace.parse(nghttp.output()).resets().size() == 1);
            for (String name : held) {
                Files.writeString(marks.resolve("release-" + name), "");
            }

            Trace trace = nghttp.finish();
            int stream = trace.stream("/stream");
            assertEquals(200, trace.statuses().get(stream), trace::summary);
            assertEquals(Set.of(stream), trace.resets(), trace::summary);
            for (String name : held) {
                int id = trace.stream("/held/" + name);
                assertEquals(200, trace.statuses().get(id), trace::summary);
                assertTrue(trace.lines().contains("done /held/" + name), trace::summary);
            }
            assertFalse(trace.goaway(), "the connection stays up: " + trace.summary());
        } finally {
            for (String name : held) {
                Files.writeString(marks.resolve("release-" + name), ""); // also when the test failed
            }
            Files.deleteIfExists(marks.resolve("stream"));
        }
    }

    @Test
    void twoHundredStreamsShareTwoPooledPuwsgiConnections() throws Exception {
        try (Routers.Started router = Routers.start("--http", "127.0.0.1:0", "--http2", "--http-to",
                "puwsgi://" + pooled.address(), "--http-keepalive", "--http-node-connections", "2")) {
            Commands.Result result = Commands.run(List.of("nghttp", "-n", "-s", "-m", "200",
                    url(router, "/n/pooled")), new byte[0], 90);
            assertEquals(0, result.exit(), result::all);
            assertEquals(200, countRows(result.stdout(), 200, "/n/pooled"), result::all);
            assertEquals(200, h2(router).streams());
            var pools = router.router().runtime().nodePools().snapshot();
            assertEquals(1, pools.size(), pools::toString);
            assertTrue(pools.get(0).created() >= 1, pools::toString);
        }
    }

    @Test
    void aStopSendsGoawayAndTheStreamInFlightCompletes() throws Exception {
        Routers.Started router = Routers.start("--http", "127.0.0.1:0", "--http2", "--http-to", classic.address());
        try (router;
             Nghttp nghttp = new Nghttp(dir.resolve("stop.out"), List.of("-v", "--no-dep", url(router, "/slow")))) {
            int port = router.address().getPort();
            await("the request in the app", () -> Files.exists(marks.resolve("slow")));
            Future<?> drained = router.router().runtime().stopAccepting();
            await("GOAWAY at the client", () -> nghttp.output().contains("recv GOAWAY frame"));
            assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close(), "no new connections");
            assertFalse(drained.isDone(), "the stream in flight holds the stop");

            Files.writeString(marks.resolve("release-slow"), "");
            Trace trace = nghttp.finish();
            assertEquals(0, nghttp.process.exitValue(), trace::text);
            int stream = trace.stream("/slow");
            assertEquals(200, trace.statuses().get(stream), trace::summary);
            assertEquals(List.of("done /slow"), trace.lines(), trace::summary);
            assertTrue(trace.goaway(), trace::summary);
            assertTrue(trace.text().contains("last_stream_id=" + stream), trace::text);
            drained.get(30, TimeUnit.SECONDS); // the connection closed once its stream was done
            assertEquals(1, h2(router).goaways());
        } finally {
            Files.writeString(marks.resolve("release-slow"), ""); // also when the test failed
        }
    }

    @Test
    void h2loadOverPooledNodesOnTwoEventLoopsHasNoFailure() throws Exception {
        try (Routers.Started router = Routers.start("--http", "127.0.0.1:0", "--http2", "--http-to",
                "puwsgi://" + pooled.address(), "--http-keepalive", "--http-node-connections", "4",
                "--http-processes", "2")) {
            Commands.Result result = Commands.run(List.of("h2load", "-n", "2000", "-c", "4", "-m", "25",
                    url(router, "/n/load")), new byte[0], 120);
            assertEquals(0, result.exit(), result::all);
            assertTrue(result.stdout().contains("2000 done, 2000 succeeded, 0 failed, 0 errored, 0 timeout"),
                    result::all);
            assertTrue(result.stdout().contains("status codes: 2000 2xx"), result::all);
            assertEquals(4, h2(router).connections());
            assertEquals(2000, h2(router).streams());
        }
    }

    @Test
    void aClientThatVanishesWithStreamsInFlightLeavesNoConnectionBehind() throws Exception {
        try (Routers.Started router = Routers.start("--http", "127.0.0.1:0", "--http2", "--http-to",
                classic.address())) {
            try (Nghttp nghttp = new Nghttp(dir.resolve("vanish.out"), List.of("-v", url(router, "/held/x"),
                    url(router, "/held/y")))) {
                await("request held/x in the app", () -> Files.exists(marks.resolve("held-x")));
                await("request held/y in the app", () -> Files.exists(marks.resolve("held-y")));
                assertEquals(1, h2(router).open());
                nghttp.process.destroyForcibly();
                nghttp.process.waitFor(30, TimeUnit.SECONDS);
            }
            await("the HTTP/2 connection closed", () -> h2(router).open() == 0);
            await("no session left", () -> router.router().runtime().openSessions() == 0);
            assertEquals(2, h2(router).streams());
        } finally {
            // the workers finish their held requests into closed node connections
            Files.writeString(marks.resolve("release-x"), "");
            Files.writeString(marks.resolve("release-y"), "");
        }
    }

    @Test
    void aStreamWithoutAnswerForTheStreamTimeoutIs504AndTheConnectionStays() throws Exception {
        try (Routers.Started router = Routers.start("--http", "127.0.0.1:0", "--http2", "--http-to",
                classic.address(), "--http2-stream-timeout", "1");
             Nghttp nghttp = new Nghttp(dir.resolve("timeout.out"), List.of("-v", "--no-dep",
                     url(router, "/held/t")))) {
            Trace trace = nghttp.finish(); // the app holds the request until the test ends: the timeout answers
            int stream = trace.stream("/held/t");
            assertEquals(504, trace.statuses().get(stream), trace::text);
            assertEquals(Set.of(), trace.resets(), trace::summary);
            assertFalse(trace.goaway() && trace.text().contains("error_code=PROTOCOL_ERROR"), trace::text);
        } finally {
            Files.writeString(marks.resolve("release-t"), "");
        }
    }

    @Test
    void anEarlyAnswerEndsTheStreamWithNoErrorAndTheConnectionGoesOn() throws Exception {
        Path body = Files.write(dir.resolve("early.bin"), new byte[1 << 20]);
        try (Routers.Started router = Routers.start("--http", "127.0.0.1:0", "--http2", "--http-to",
                classic.address(), "--limit-post", "1000")) {
            // 1 MiB, more than the stream window: the 413 always comes before the end of the body; with and
            // without content-length (then the limit is found while the body is stored), two streams each
            for (List<String> framing : List.of(List.<String>of(), List.of("--no-content-length"))) {
                List<String> command = new ArrayList<>(List.of("nghttp", "-v", "--no-dep", "-d", body.toString()));
                command.addAll(framing);
                command.addAll(List.of(url(router, "/n/early1"), url(router, "/n/early2")));
                Commands.Result result = Commands.run(command, new byte[0], 60);
                Trace trace = Trace.parse(result.stdout());
                for (String path : List.of("/n/early1", "/n/early2")) {
                    int stream = trace.stream(path);
                    assertEquals(413, trace.statuses().get(stream), trace::summary);
                    assertTrue(trace.resets().contains(stream), trace::summary);
                }
                // RFC 9113 §8.1: the client stops sending and keeps the response
                assertTrue(trace.text().contains("error_code=NO_ERROR(0x00)"), trace::text);
                assertFalse(trace.text().contains("error_code=CANCEL"), trace::text);
                assertFalse(trace.goaway(), trace::text);
                assertEquals(0, result.exit(), result::all);
            }
        }
    }
}
