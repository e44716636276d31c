package io.corerouter.raw;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.corerouter.core.backend.Clock;
import io.corerouter.core.backend.StaticNode;
import io.corerouter.core.config.RouterConfig;
import io.corerouter.core.route.KeyMapper;
import io.corerouter.core.testing.TlsProbe;
import io.corerouter.core.testing.RawHttpClient;
import io.corerouter.core.testing.UwsgiProcess;
import io.corerouter.core.transport.Transport;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The rawrouter (spec §6) in front of real peers: a uWSGI {@code --http-socket} node (GET, a 10 MiB
 * POST, a client that half-closes), an {@code openssl s_server} (TLS passes through untouched), and a
 * small SMTP-like banner server for XCLIENT. HTTP cases run with the buffer relay and with splice.
 */
class RawRouterTest {
    @TempDir
    static Path dir;

    private static UwsgiProcess http;
    private static int httpPort;
    private static Process tls;
    private static int tlsPort;
    private static BannerServer banner;
    private static final Queue<String> keys = new ConcurrentLinkedQueue<>();
    private static RawRouter relay;
    private static RawRouter splice;
    private static RawRouter tlsRouter;
    private static RawRouter xclient;
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        httpPort = freePort();
        http = UwsgiProcess.startEcho(dir, "h", "--http-socket", "127.0.0.1:" + httpPort);
        StaticNode httpNode = new StaticNode("h", new InetSocketAddress("127.0.0.1", httpPort), Clock.SYSTEM);
        KeyMapper recording = key -> {
            keys.add(key.toString());
            return httpNode;
        };
        relay = start(recording, "--rawrouter", "127.0.0.1:0");
        splice = start(recording, "--rawrouter", "127.0.0.1:0", "--rawrouter-splice");

        Path key = dir.resolve("key.pem");
        Path cert = dir.resolve("cert.pem");
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(), "-out",
                cert.toString(), "-subj", "/CN=localhost", "-days", "1");
        tlsPort = freePort();
        tls = new ProcessBuilder("openssl", "s_server", "-accept", "127.0.0.1:" + tlsPort, "-cert", cert.toString(),
                "-key", key.toString(), "-www", "-quiet")
                .redirectErrorStream(true).redirectOutput(dir.resolve("s_server.log").toFile()).start();
        awaitPort(tlsPort, tls);
        tlsRouter = start(null, "--rawrouter", "127.0.0.1:0", "--rawrouter-to", "127.0.0.1:" + tlsPort,
                "--rawrouter-splice");

        banner = new BannerServer();
        xclient = start(null, "--rawrouter", "127.0.0.1:0", "--rawrouter-to", "127.0.0.1:" + banner.port(),
                "--rawrouter-xclient");
    }

    @AfterAll
    static void stop() throws Exception {
        for (RawRouter r : new RawRouter[] {relay, splice, tlsRouter, xclient}) {
            if (r != null) {
                r.close();
            }
        }
        if (tls != null) {
            tls.destroyForcibly();
            tls.waitFor(10, TimeUnit.SECONDS);
        }
        if (banner != null) {
            banner.close();
        }
        if (http != null) {
            http.close();
        }
    }

    private static RawRouter start(KeyMapper mapper, String... args) throws Exception {
        RawRouterConfig config = RouterConfig.parse(List.of(RawRouterKind.INSTANCE), args).get(RawRouterKind.INSTANCE).orElseThrow();
        RawRouter router = new RawRouter(config, Transport.detect(), mapper);
        try {
            router.start();
        } catch (Exception e) {
            router.close();
            throw e;
        }
        return router;
    }

    private static InetSocketAddress address(RawRouter router) {
        return new InetSocketAddress("127.0.0.1",
                ((InetSocketAddress) router.listeners().get(0).localAddress()).getPort());
    }

    private static RawRouter router(String mode) {
        return "splice".equals(mode) ? splice : relay;
    }

    @ParameterizedTest
    @ValueSource(strings = {"relay", "splice"})
    void getThroughTheRelay(String mode) throws Exception {
        RawHttpClient.Response response = RawHttpClient.exchange(address(router(mode)),
                "GET /raw?q=1 HTTP/1.1\r\nHost: raw.test\r\nConnection: close\r\n\r\n");
        assertEquals(200, response.status());
        JsonNode env = JSON.readTree(response.body());
        assertEquals("/raw", env.get("PATH_INFO").asText());
        assertEquals("raw.test", env.get("HTTP_HOST").asText());
        assertTrue(keys.contains("127.0.0.1:0"), () -> "key is the listener as configured: " + keys);
    }

    @ParameterizedTest
    @ValueSource(strings = {"relay", "splice"})
    void bigPostArrivesIntact(String mode) throws Exception {
        byte[] body = new byte[10 << 20];
        new Random(7).nextBytes(body);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        raw.write(("POST /post HTTP/1.1\r\nHost: raw.test\r\nContent-Length: " + body.length
                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        raw.write(body);
        try (RawHttpClient client = new RawHttpClient(address(router(mode)))) {
            client.send(raw.toByteArray());
            JsonNode env = JSON.readTree(client.read().body());
            assertEquals(body.length, env.get("body_len").asInt());
            assertEquals(sha, env.get("body_sha256").asText());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"relay", "splice"})
    void clientHalfCloseStillGetsTheReply(String mode) throws Exception {
        try (RawHttpClient client = new RawHttpClient(address(router(mode)))) {
            client.send("GET /half HTTP/1.0\r\nHost: raw.test\r\n\r\n");
            client.shutdownOutput();
            RawHttpClient.Response response = client.read();
            assertEquals(200, response.status());
            assertEquals("/half", JSON.readTree(response.body()).get("PATH_INFO").asText());
        }
    }

    /**
     * The other direction: the node answers and half-closes first; the client still sends afterwards,
     * and its own end of input reaches the node (then the router closes the pair).
     */
    @ParameterizedTest
    @ValueSource(strings = {"relay", "splice"})
    void nodeHalfCloseFirstStillCarriesTheClientsLaterBytes(String mode) throws Exception {
        try (ServerSocket node = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            CompletableFuture<String> nodeGot = CompletableFuture.supplyAsync(() -> {
                try (Socket socket = node.accept()) {
                    socket.setSoTimeout(30_000);
                    socket.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
                    socket.shutdownOutput();
                    return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            RawRouter router = "splice".equals(mode)
                    ? start(null, "--rawrouter", "127.0.0.1:0", "--rawrouter-to", "127.0.0.1:" + node.getLocalPort(),
                            "--rawrouter-splice")
                    : start(null, "--rawrouter", "127.0.0.1:0", "--rawrouter-to", "127.0.0.1:" + node.getLocalPort());
            try (router; Socket client = new Socket()) {
                client.connect(address(router), 10_000);
                client.setSoTimeout(30_000);
                assertEquals("hello\n", new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII),
                        "the node's bytes, then its end of stream");
                client.getOutputStream().write("late bytes".getBytes(StandardCharsets.US_ASCII));
                client.shutdownOutput();
                assertEquals("late bytes", nodeGot.get(30, TimeUnit.SECONDS), "the client's bytes, then its end of stream");
                assertEquals(-1, client.getInputStream().read());
            }
        }
    }

    @Test
    void tlsPassesThroughUntouched() throws Exception {
        X509Certificate expected;
        try (var in = Files.newInputStream(dir.resolve("cert.pem"))) {
            expected = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        SSLContext context = TlsProbe.trustingEverything();
        InetSocketAddress target = address(tlsRouter);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(target.getAddress(), target.getPort())) {
            socket.setSoTimeout(30_000);
            socket.startHandshake();
            Certificate[] chain = socket.getSession().getPeerCertificates();
            assertArrayEquals(expected.getEncoded(), chain[0].getEncoded());
            OutputStream out = socket.getOutputStream();
            out.write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String reply = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(reply.startsWith("HTTP/1.0 200 ok"), reply);
        }
    }

    @Test
    void xclientReplacesTheBanner() throws Exception {
        InetSocketAddress target = address(xclient);
        try (Socket socket = new Socket(target.getAddress(), target.getPort())) {
            socket.setSoTimeout(30_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            assertEquals("220 hello XCLIENT ADDR=127.0.0.1", in.readLine());
            socket.getOutputStream().write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("221 bye QUIT", in.readLine());
        }
    }

    /** SMTP-like: a banner, then greets with the XCLIENT line it got, then answers one command. */
    private static final class BannerServer implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final Thread thread = new Thread(this::serve, "banner-server");

        BannerServer() throws IOException {
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void serve() {
            while (!server.isClosed()) {
                try (Socket socket = server.accept()) {
                    socket.setSoTimeout(30_000);
                    OutputStream out = socket.getOutputStream();
                    BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                            StandardCharsets.US_ASCII));
                    out.write("220 banner.test ESMTP\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    String xclientLine = in.readLine();
                    out.write(("220 hello " + xclientLine + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    String command = in.readLine();
                    out.write(("221 bye " + command + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } catch (IOException e) {
                    // closed or broken client: next
                }
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true)
                .redirectOutput(dir.resolve("cmd.log").toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " failed: " + Files.readString(dir.resolve("cmd.log")));
        }
    }

    private static void awaitPort(int port, Process process) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("peer exited: " + Files.readString(dir.resolve("s_server.log")));
            }
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return;
            } catch (IOException notYet) {
                Thread.sleep(20); // polling a foreign process; bounded by the deadline
            }
        }
        throw new IOException("port " + port + " never opened");
    }
}
