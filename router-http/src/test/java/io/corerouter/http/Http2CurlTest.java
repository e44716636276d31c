package io.corerouter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.corerouter.core.config.RouterConfig;
import io.corerouter.core.testing.Commands;
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
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * HTTP/2 to clients (issue 11) with curl as the client and a real uWSGI node behind: h2 by ALPN on an
 * https listener, h2c with prior knowledge and by {@code Upgrade: h2c} on an http listener. Checks what
 * the app sees of a stream (the HTTP/1.1 vars, {@code SERVER_PROTOCOL=HTTP/2.0}, {@code HTTP_HOST} from
 * {@code :authority}, no {@code x-http2-*} extension headers), 10 MiB bodies both ways with and without
 * content-length, and that each error answer (404, 413, 414, 431, 502, 503) is a response on its
 * stream, over HTTP/2, with the connection going on.
 */
class Http2CurlTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int TEN_MIB = 10 << 20;
    /**
     * The environ as JSON with the body's md5; /big answers 10 MiB with its md5 in X-Md5, /gz the same
     * without length and asking for {@code --http-auto-gzip} ({@code uWSGI-Encoding: gzip}); /missing
     * answers 404.
     */
    static final String APP = String.join("\n",
            "import hashlib, json, os",
            "BIG = bytes(range(256)) * (" + TEN_MIB + " // 256)",
            "def application(environ, start_response):",
            "    path = environ.get('PATH_INFO', '')",
            "    if path == '/big':",
            "        start_response('200 OK', [('Content-Type', 'application/octet-stream'),"
                    + " ('Content-Length', str(len(BIG))), ('X-Md5', hashlib.md5(BIG).hexdigest())])",
            "        return [BIG]",
            "    if path == '/gz':",
            "        start_response('200 OK', [('Content-Type', 'application/octet-stream'), ('uWSGI-Encoding', 'gzip')])",
            "        return [BIG]",
            "    if path == '/missing':",
            "        start_response('404 Not Found', [('Content-Type', 'text/plain'), ('Content-Length', '9')])",
            "        return [b'not found']",
            "    body = environ['wsgi.input'].read()",
            "    out = {k: v for k, v in environ.items() if isinstance(v, str)}",
            "    out['body_md5'] = hashlib.md5(body).hexdigest()",
            "    out['body_len'] = len(body)",
            "    data = json.dumps(out, sort_keys=True).encode()",
            "    start_response('200 OK', [('Content-Type', 'application/json'), ('Content-Length', str(len(data)))])",
            "    return [data]",
            "");

    /** How curl reaches the router. */
    enum Mode {
        /** https listener, h2 by ALPN ({@code curl --http2}). */
        TLS,
        /** http listener, h2c with prior knowledge ({@code curl --http2-prior-knowledge}). */
        PRIOR_KNOWLEDGE
    }

    @TempDir
    static Path dir;
    static OpensslPki pki;
    static OpensslPki.Pair server;
    static UwsgiProcess app;

    @BeforeAll
    static void setUp() throws Exception {
        pki = OpensslPki.create(dir);
        server = pki.server("www", "www.example");
        Path file = dir.resolve("h2_app.py");
        Files.writeString(file, APP, StandardCharsets.UTF_8);
        // a big worker buffer, so the heads of the error cases that do reach a node are not dropped
        app = UwsgiProcess.start(dir, "app", List.of("--plugin", "python3", "--wsgi-file", file.toString(),
                "--need-app", "--disable-logging", "--die-on-term", "--processes", "2", "--buffer-size", "65535"));
    }

    @AfterAll
    static void tearDown() {
        if (app != null) {
            app.close();
        }
    }

    /** Our HTTP router in-process with one listener (https or http) and --http2. */
    static final class Running implements AutoCloseable {
        final ExecutorService offload = Executors.newFixedThreadPool(2);
        final TlsService tls;
        final HttpRouter router;
        final Mode mode;

        Running(Mode mode, List<String> args) throws Exception {
            this.mode = mode;
            List<String> all = new ArrayList<>(mode == Mode.TLS
                    ? List.of("--https", "127.0.0.1:0," + server.cert() + "," + server.key())
                    : List.of("--http", "127.0.0.1:0"));
            all.add("--http2");
            all.addAll(args);
            RouterConfig config = HttpConfigs.parse(all.toArray(String[]::new));
            tls = mode == Mode.TLS ? TlsService.start(config.get(TlsSection.INSTANCE).orElseThrow(), offload) : null;
            HttpRouterKind.Config http = HttpConfigs.kind(config);
            router = new HttpRouter(http.router(), http.https(), tls, Transport.detect(), null, "testhost");
            try {
                router.start();
            } catch (Exception e) {
                close();
                throw e;
            }
        }

        int port() {
            return ((InetSocketAddress) router.listeners().get(0).localAddress()).getPort();
        }

        /** The URL of {@code path} on this router, as www.example (resolved to 127.0.0.1 by curl). */
        String url(String path) {
            return (mode == Mode.TLS ? "https" : "http") + "://www.example:" + port() + path;
        }

        /** curl with the options that reach this router over HTTP/2, then {@code args}. */
        List<String> curl(String... args) {
            List<String> command = new ArrayList<>(List.of("curl"));
            command.addAll(options());
            command.addAll(List.of(args));
            return command;
        }

        /**
         * {@link #options()} for several requests on one connection: curl 7.88 cannot reuse a
         * prior-knowledge connection (curl/curl#10634, fixed in 8.0: "Error in the HTTP2 framing layer"
         * on the second request), so on an http listener the first request upgrades ({@code Upgrade: h2c})
         * and the next ones reuse the HTTP/2 connection it made.
         */
        List<String> reuseOptions() {
            List<String> options = options();
            options.replaceAll(option -> option.equals("--http2-prior-knowledge") ? "--http2" : option);
            return options;
        }

        /** The curl options that reach this router over HTTP/2 (repeated after each {@code --next}). */
        List<String> options() {
            List<String> options = new ArrayList<>(List.of("-sS", "--max-time", "60",
                    "--resolve", "www.example:" + port() + ":127.0.0.1"));
            if (mode == Mode.TLS) {
                options.addAll(List.of("--http2", "--cacert", pki.ca().cert().toString()));
            } else {
                options.add("--http2-prior-knowledge");
            }
            return options;
        }

        @Override
        public void close() {
            router.close();
            if (tls != null) {
                tls.close();
            }
            offload.shutdownNow();
        }
    }

    static Running start(Mode mode, String... args) throws Exception {
        return new Running(mode, List.of(args));
    }

    static Running withApp(Mode mode, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("--http-to", app.address()));
        all.addAll(List.of(args));
        return new Running(mode, all);
    }

    static Commands.Result run(List<String> command) throws Exception {
        return run(command, new byte[0]);
    }

    static Commands.Result run(List<String> command, byte[] stdin) throws Exception {
        Commands.Result result = Commands.run(command, stdin, 90);
        assertEquals(0, result.exit(), result::all);
        return result;
    }

    /** GETs {@code path} into a file: the environ the app saw; asserts 200 over HTTP/2. */
    static JsonNode environ(Running router, String path, String... more) throws Exception {
        Path out = Files.createTempFile(dir, "env", ".json");
        List<String> command = router.curl("-o", out.toString(), "-w", "%{http_code} %{http_version}");
        command.addAll(List.of(more));
        command.add(router.url(path));
        Commands.Result result = run(command);
        assertEquals("200 2", result.stdout(), () -> result.all() + "\n--- body\n" + read(out));
        return JSON.readTree(out.toFile());
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    static String md5(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
    }

    static void assertNoExtensionVars(JsonNode env) {
        for (Iterator<String> names = env.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            assertFalse(name.startsWith("HTTP_X_HTTP2"), () -> name + " reached the app: " + env);
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void aStreamReachesTheAppWithTheVarsOfItsRequest(Mode mode) throws Exception {
        try (Running router = withApp(mode)) {
            JsonNode env = environ(router, "/a%20b/c?x=1&y=%2F", "-H", "X-Foo: bar");
            assertEquals("HTTP/2.0", env.path("SERVER_PROTOCOL").asText(), env::toString);
            assertEquals("GET", env.path("REQUEST_METHOD").asText());
            assertEquals("www.example:" + router.port(), env.path("HTTP_HOST").asText(), "HTTP_HOST is :authority");
            assertEquals("/a%20b/c?x=1&y=%2F", env.path("REQUEST_URI").asText());
            assertEquals("/a b/c", env.path("PATH_INFO").asText());
            assertEquals("x=1&y=%2F", env.path("QUERY_STRING").asText());
            assertEquals("bar", env.path("HTTP_X_FOO").asText());
            assertEquals("127.0.0.1", env.path("REMOTE_ADDR").asText());
            assertEquals(Integer.toString(router.port()), env.path("SERVER_PORT").asText());
            if (mode == Mode.TLS) {
                assertEquals("on", env.path("HTTPS").asText(), env::toString);
            } else {
                assertFalse(env.has("HTTPS"), env::toString);
            }
            assertNoExtensionVars(env);
        }
    }

    @Test
    void anUpgradeToH2cIsServedAsStreamOneThenTheConnectionGoesOnInHttp2() throws Exception {
        try (Running router = withApp(Mode.PRIOR_KNOWLEDGE)) {
            Path first = dir.resolve("upgrade-1.json");
            Path second = dir.resolve("upgrade-2.json");
            // plain --http2 on an http:// URL: curl sends the first request as HTTP/1.1 with Upgrade: h2c
            List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "60", "--http2", "-v",
                    "--resolve", "www.example:" + router.port() + ":127.0.0.1",
                    "-w", "%{http_code} %{http_version} %{num_connects}\\n",
                    "-o", first.toString(), router.url("/up/1?u=1"), "-o", second.toString(), router.url("/up/2")));
            Commands.Result result = run(command);
            assertEquals("200 2 1\n200 2 0\n", result.stdout(), result::all);
            assertTrue(result.stderr().contains("Upgrade: h2c"), result::all);
            assertTrue(result.stderr().contains("101 Switching Protocols"), result::all);
            JsonNode upgraded = JSON.readTree(first.toFile());
            assertEquals("HTTP/2.0", upgraded.path("SERVER_PROTOCOL").asText(), upgraded::toString);
            assertEquals("/up/1?u=1", upgraded.path("REQUEST_URI").asText());
            assertEquals("u=1", upgraded.path("QUERY_STRING").asText());
            assertEquals("www.example:" + router.port(), upgraded.path("HTTP_HOST").asText());
            assertFalse(upgraded.has("HTTP_UPGRADE"), "the upgrade headers are hop-by-hop: " + upgraded);
            assertFalse(upgraded.has("HTTP_HTTP2_SETTINGS"), "the upgrade headers are hop-by-hop: " + upgraded);
            assertNoExtensionVars(upgraded);
            JsonNode next = JSON.readTree(second.toFile());
            assertEquals("HTTP/2.0", next.path("SERVER_PROTOCOL").asText());
            assertEquals("/up/2", next.path("REQUEST_URI").asText());
            assertNoExtensionVars(next);
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void tenMebibytesGoUpWithAndWithoutContentLength(Mode mode) throws Exception {
        byte[] body = new byte[TEN_MIB];
        new Random(11).nextBytes(body);
        String digest = md5(body);
        Path file = Files.write(dir.resolve("up-" + mode + ".bin"), body);
        try (Running router = withApp(mode)) {
            JsonNode sized = environ(router, "/up", "--data-binary", "@" + file,
                    "-H", "Content-Type: application/octet-stream");
            assertEquals("POST", sized.path("REQUEST_METHOD").asText());
            assertEquals(Integer.toString(TEN_MIB), sized.path("CONTENT_LENGTH").asText());
            assertEquals(TEN_MIB, sized.path("body_len").asInt());
            assertEquals(digest, sized.path("body_md5").asText());

            // -T - : curl streams stdin as DATA frames with no content-length; the router stores the body
            Path out = dir.resolve("up-stdin-" + mode + ".json");
            List<String> command = router.curl("-T", "-", "-o", out.toString(), "-w", "%{http_code} %{http_version}",
                    router.url("/up/stdin"));
            Commands.Result result = run(command, body);
            assertEquals("200 2", result.stdout(), () -> result.all() + "\n--- body\n" + read(out));
            JsonNode streamed = JSON.readTree(out.toFile());
            assertEquals("PUT", streamed.path("REQUEST_METHOD").asText());
            assertEquals(Integer.toString(TEN_MIB), streamed.path("CONTENT_LENGTH").asText(), streamed::toString);
            assertEquals(TEN_MIB, streamed.path("body_len").asInt());
            assertEquals(digest, streamed.path("body_md5").asText());
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void tenMebibytesComeDown(Mode mode) throws Exception {
        byte[] expected = new byte[TEN_MIB];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = (byte) i;
        }
        Path out = dir.resolve("down-" + mode + ".bin");
        try (Running router = withApp(mode)) {
            Commands.Result result = run(router.curl("-o", out.toString(),
                    "-w", "%{http_code} %{http_version} %{size_download} %header{x-md5}", router.url("/big")));
            String digest = md5(expected);
            assertEquals("200 2 " + TEN_MIB + " " + digest, result.stdout(), result::all);
            assertEquals(digest, md5(Files.readAllBytes(out)));
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void eachErrorIsAResponseOnItsStreamAndTheConnectionGoesOn(Mode mode) throws Exception {
        // buffer 512: the head limit is its floor, 8192 bytes
        try (Running router = withApp(mode, "--http-buffer-size", "512", "--limit-post", "1000")) {
            String format = "%{http_code} %{http_version} %{num_connects}\\n";
            List<String> command = new ArrayList<>(List.of("curl"));
            command.addAll(router.reuseOptions());
            command.addAll(List.of("-o", "/dev/null", "-w", format, router.url("/missing")));
            // one connection, one request after the other: curl's --next keeps the connection
            for (List<String> next : List.of(
                    List.of(router.url("/" + "u".repeat(9000))),
                    List.of("-H", "X-Big: " + "b".repeat(17_000), router.url("/big-header")),
                    List.of("--data-binary", "x".repeat(500), router.url("/under-the-limit")),
                    List.of(router.url("/after")))) {
                command.add("--next");
                command.addAll(router.reuseOptions());
                command.addAll(List.of("-o", "/dev/null", "-w", format));
                command.addAll(next);
            }
            Commands.Result result = run(command);
            // a 413 answers before the body is in, so its stream ends with RST_STREAM NO_ERROR, which curl
            // 7.88 takes for a failure (curl/curl#22984): Http2RealPeersTest checks the 413s with nghttp
            assertEquals("404 2 1\n414 2 0\n431 2 0\n200 2 0\n200 2 0\n", result.stdout(), result::all);
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void aHeadOverTheHttp2HeaderListSizeIs431(Mode mode) throws Exception {
        // the default 64 KiB head limit: the 431 comes from --http2-max-header-list-size alone
        try (Running router = withApp(mode, "--http2-max-header-list-size", "4096", "--limit-post", "1000")) {
            Commands.Result big = run(router.curl("-o", "/dev/null", "-w", "%{http_code} %{http_version}",
                    "-H", "X-Big: " + "b".repeat(4500), router.url("/h")));
            assertEquals("431 2", big.stdout(), big::all);
            Commands.Result fits = run(router.curl("-o", "/dev/null", "-w", "%{http_code} %{http_version}",
                    "-H", "X-Big: " + "b".repeat(3000), router.url("/h")));
            assertEquals("200 2", fits.stdout(), fits::all);
            // a body without content-length under --limit-post is stored and goes on
            Commands.Result small = run(router.curl("-T", "-", "-o", "/dev/null",
                    "-w", "%{http_code} %{http_version}", router.url("/spooled")),
                    "y".repeat(500).getBytes(StandardCharsets.US_ASCII));
            assertEquals("200 2", small.stdout(), small::all);
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void aStreamWithABodyIsRetriedOnTheNextNodeWhenItsNodeRefuses(Mode mode) throws Exception {
        byte[] body = new byte[300_000];
        new Random(5).nextBytes(body);
        Path file = Files.write(dir.resolve("retry-" + mode + ".bin"), body);
        String missing = dir.resolve("gone-" + mode + ".sock").toString();
        // the missing node first: the first stream goes there and is retried on the app, body and all
        try (Running router = start(mode, "--http-to", missing, "--http-to", app.address())) {
            for (int i = 0; i < 4; i++) {
                JsonNode env = environ(router, "/retry/" + i, "--data-binary", "@" + file);
                assertEquals(body.length, env.path("body_len").asInt());
                assertEquals(md5(body), env.path("body_md5").asText());
            }
            Path out = dir.resolve("retry-stdin-" + mode + ".json");
            Commands.Result result = run(router.curl("-T", "-", "-o", out.toString(),
                    "-w", "%{http_code} %{http_version}", router.url("/retry/stdin")), body);
            assertEquals("200 2", result.stdout(), () -> result.all() + "\n--- body\n" + read(out));
            assertEquals(md5(body), JSON.readTree(out.toFile()).path("body_md5").asText());
        }
    }

    @Test
    void cookieFieldsOfAStreamReachTheAppAsOneCookieHeader() throws Exception {
        // RFC 9113 §8.2.3: a client may split Cookie into one field per pair; the app must see them joined
        // with "; " (a ", " join would make one cookie of the rest); nghttp sends each -H as its own field
        try (Running router = withApp(Mode.PRIOR_KNOWLEDGE)) {
            Commands.Result result = run(List.of("nghttp", "-H", "cookie: a=1", "-H", "cookie: b=2",
                    "-H", "x-multi: one", "-H", "x-multi: two", "http://127.0.0.1:" + router.port() + "/cookies"));
            JsonNode env = JSON.readTree(result.stdout());
            assertEquals("a=1; b=2", env.path("HTTP_COOKIE").asText(), env::toString);
            assertEquals("one, two", env.path("HTTP_X_MULTI").asText(), env::toString);
            assertEquals("HTTP/2.0", env.path("SERVER_PROTOCOL").asText());
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void autoGzipCompressesAStreamOfTenMebibytesWithoutLength(Mode mode) throws Exception {
        byte[] expected = new byte[TEN_MIB];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = (byte) i;
        }
        Path out = dir.resolve("gzip-" + mode + ".bin");
        try (Running router = withApp(mode, "--http-auto-gzip")) {
            Commands.Result result = run(router.curl("--compressed", "-o", out.toString(),
                    "-w", "%{http_code} %{http_version} %header{content-encoding} %{size_download}",
                    router.url("/gz")));
            String[] fields = result.stdout().split(" ");
            assertEquals("200 2 gzip", fields[0] + " " + fields[1] + " " + fields[2], result::all);
            assertTrue(Long.parseLong(fields[3]) < TEN_MIB / 10, () -> "compressed: " + result.all());
            assertEquals(md5(expected), md5(Files.readAllBytes(out)));
        }
    }

    @Test
    void aDeclinedUpgradeIsServedAsHttp11AndABadRequestLineIsStill400() throws Exception {
        try (Running router = withApp(Mode.PRIOR_KNOWLEDGE)) {
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", router.port());
            // HTTP2-Settings that is not base64url: Netty's upgrade handler declines, the request is HTTP/1.1
            RawHttpClient.Response declined = RawHttpClient.exchange(address, "GET /declined HTTP/1.1\r\nHost: a\r\n"
                    + "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: !!\r\n\r\n");
            assertEquals(200, declined.status(), declined::statusLine);
            JsonNode env = JSON.readTree(declined.body());
            assertEquals("HTTP/1.1", env.path("SERVER_PROTOCOL").asText(), env::toString);
            assertEquals("/declined", env.path("PATH_INFO").asText(), env::toString);
            // a request line Netty's decoder fails is answered, not forwarded (as GET /bad-request)
            for (String bad : List.of("GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", "GET /x\r\nHost: a\r\n\r\n",
                    "GET /x HTTP/1.1\nHost: a\n\n")) {
                RawHttpClient.Response response = RawHttpClient.exchange(address, bad);
                assertEquals(400, response.status(), () -> bad + " -> " + response.statusLine());
            }
        }
    }

    @Test
    void anUpgradeRequestWithABodyIsServedAsHttp11() throws Exception {
        try (Running router = withApp(Mode.PRIOR_KNOWLEDGE)) {
            Path out = dir.resolve("upgrade-post.json");
            Commands.Result result = run(List.of("curl", "-sS", "--max-time", "60", "--http2", "-v",
                    "--data-binary", "body-of-the-upgrade", "-H", "Expect:", "-o", out.toString(),
                    "-w", "%{http_code} %{http_version}", "http://127.0.0.1:" + router.port() + "/post-upgrade"));
            assertEquals("200 1.1", result.stdout(), result::all);
            JsonNode env = JSON.readTree(out.toFile());
            assertEquals("HTTP/1.1", env.path("SERVER_PROTOCOL").asText(), env::toString);
            assertEquals(19, env.path("body_len").asInt());
            assertTrue(result.stderr().contains("Upgrade: h2c"), "curl asked: " + result.all());
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void noNodeForTheKeyIs503(Mode mode) throws Exception {
        try (Running router = start(mode)) {
            Path body = dir.resolve("503-" + mode + ".txt");
            Commands.Result result = run(router.curl("-o", body.toString(), "-w", "%{http_code} %{http_version}",
                    router.url("/nobody")));
            assertEquals("503 2", result.stdout(), result::all);
            assertTrue(read(body).startsWith("503 Service Unavailable"), read(body));
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void aNodeThatRefusesIs502(Mode mode) throws Exception {
        String missing = dir.resolve("refusing-" + mode + ".sock").toString();
        try (Running router = start(mode, "--http-to", missing)) {
            Path body = dir.resolve("502-" + mode + ".txt");
            Commands.Result result = run(router.curl("-o", body.toString(), "-w", "%{http_code} %{http_version}",
                    router.url("/refused")));
            assertEquals("502 2", result.stdout(), result::all);
            assertTrue(read(body).contains("no node accepted the connection"), read(body));
        }
    }
}
