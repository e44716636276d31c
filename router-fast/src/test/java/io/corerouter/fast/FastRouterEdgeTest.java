package io.corerouter.fast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.corerouter.core.codec.uwsgi.UwsgiVars;
import io.corerouter.core.testing.UwsgiProcess;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The uwsgi packet edge cases of spec §8.1 against our fastrouter in front of a real uWSGI node, over
 * raw sockets: each is answered or closed cleanly, and nothing leaks (the leak check fails the class).
 */
class FastRouterEdgeTest {
    @TempDir
    static Path dir;

    private static UwsgiProcess node;
    private static ServerSocket silent;
    private static ExecutorService offload;
    private static FastRouter router;
    private static FastRouter fallback;
    private static FastRouter noFallback;
    private static FastRouter dead;
    private static FastRouter impatient;
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        node = UwsgiProcess.startEcho(dir, "n", "--buffer-size", "65535");
        silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress()); // accepts, never answers
        offload = FastTesting.offload();
        router = FastTesting.start(null, offload, "--fastrouter", "127.0.0.1:0", "--fastrouter-to", node.address());
        String pattern = dir.resolve("%s.sock").toString();
        fallback = FastTesting.start(null, offload, "--fastrouter", "127.0.0.1:0", "--fastrouter-use-pattern", pattern,
                "--fastrouter-fallback", node.address(), "--fastrouter-fallback-on-no-key");
        noFallback = FastTesting.start(null, offload, "--fastrouter", "127.0.0.1:0", "--fastrouter-use-pattern", pattern);
        dead = FastTesting.start(null, offload, "--fastrouter", "127.0.0.1:0", "--fastrouter-quiet", "1",
                "--fastrouter-to", dir.resolve("missing.sock").toString());
        impatient = FastTesting.start(null, offload, "--fastrouter", "127.0.0.1:0", "--fastrouter-timeout", "1",
                "--fastrouter-harakiri", "1", "--fastrouter-to", "127.0.0.1:" + silent.getLocalPort());
    }

    @AfterAll
    static void stop() throws Exception {
        for (FastRouter r : new FastRouter[] {router, fallback, noFallback, dead, impatient}) {
            if (r != null) {
                r.close();
            }
        }
        if (offload != null) {
            offload.shutdownNow();
        }
        if (silent != null) {
            silent.close();
        }
        if (node != null) {
            node.close();
        }
    }

    /** A packet: the header with the given modifiers, then KEY, VALUE pairs. */
    private static byte[] packet(int modifier1, int modifier2, String... pairs) {
        ByteBuf out = Unpooled.buffer();
        int header = UwsgiVars.beginPacket(out);
        for (int i = 0; i < pairs.length; i += 2) {
            UwsgiVars.add(out, pairs[i], pairs[i + 1]);
        }
        UwsgiVars.finishPacket(out, header, modifier1, modifier2);
        byte[] bytes = ByteBufUtil.getBytes(out);
        out.release();
        return bytes;
    }

    private static byte[] get(String host) {
        return packet(0, 0, "REQUEST_METHOD", "GET", "PATH_INFO", "/e", "SERVER_PROTOCOL", "HTTP/1.1",
                "SERVER_NAME", host, "SERVER_PORT", "80", "REMOTE_ADDR", "127.0.0.1");
    }

    /** Sends {@code bytes}, half-closes if asked, and reads everything until the router closes. */
    private static String exchange(FastRouter target, byte[] bytes, boolean halfClose) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", FastTesting.port(target)), 10_000);
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
            if (halfClose) {
                socket.shutdownOutput();
            }
            InputStream in = socket.getInputStream();
            try {
                return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            } catch (IOException reset) {
                return "";
            }
        }
    }

    private static int status(String response) {
        assertTrue(response.startsWith("HTTP/1.1 "), () -> "not an HTTP response: " + response);
        return Integer.parseInt(response.substring(9, 12));
    }

    private static JsonNode body(String response) throws IOException {
        assertEquals(200, status(response), response);
        return JSON.readTree(response.substring(response.indexOf("\r\n\r\n") + 4));
    }

    @Test
    void plainRequestIsAnswered() throws Exception {
        assertEquals("/e", body(exchange(router, get("e.test"), false)).get("PATH_INFO").asText());
    }

    @Test
    void clientHalfCloseStillGetsTheResponse() throws Exception {
        // uWSGI kills the session (spec §8.1 item 10); deviations.md: nothing accepted is lost
        assertEquals("e.test", body(exchange(router, get("e.test"), true)).get("SERVER_NAME").asText());
    }

    @Test
    void truncatedHeaderIsClosedSilently() throws Exception {
        assertEquals("", exchange(router, new byte[] {0, 5, 0}, true));
    }

    @Test
    void truncatedHeaderWaitsForTheTimeout() throws Exception {
        assertEquals("", exchange(impatient, new byte[] {0, 5, 0}, false)); // closed by the 1 s idle timeout
    }

    @Test
    void truncatedVarIsClosedSilently() throws Exception {
        assertEquals("", exchange(router, new byte[] {0, 5, 0, 0, 3, 0, 'a'}, true));
    }

    @Test
    void zeroLengthKeyIsClosedSilently() throws Exception {
        assertEquals("", exchange(router, new byte[] {0, 6, 0, 0, 0, 0, 1, 0, 'x', 'y'}, false));
    }

    @Test
    void overrunningVarIsClosedSilently() throws Exception {
        assertEquals("", exchange(router, new byte[] {0, 6, 0, 0, 1, 0, 'k', 9, 0, 'v'}, false));
    }

    @Test
    void noKeyIsAnswered400() throws Exception {
        assertEquals(400, status(exchange(router, new byte[] {0, 0, 0, 0}, false)));
        assertEquals(400, status(exchange(router, packet(0, 0, "REQUEST_METHOD", "GET"), false)));
    }

    @Test
    void datasize65535IsForwarded() throws Exception {
        byte[] base = get("e.test");
        int padding = 0xFFFF - (base.length - 4) - (2 + 3 + 2);
        byte[] full = packet(0, 0, "REQUEST_METHOD", "GET", "PATH_INFO", "/e", "SERVER_PROTOCOL", "HTTP/1.1",
                "SERVER_NAME", "e.test", "SERVER_PORT", "80", "REMOTE_ADDR", "127.0.0.1", "PAD", "p".repeat(padding));
        assertEquals(0xFFFF + 4, full.length);
        assertEquals(padding, body(exchange(router, full, false)).get("PAD").asText().length());
    }

    @Test
    void clientModifiersAreReplacedByTheNodes() throws Exception {
        byte[] bytes = get("e.test");
        bytes[0] = 5; // PSGI: the python node would refuse it
        bytes[3] = 9;
        assertEquals("/e", body(exchange(router, bytes, false)).get("PATH_INFO").asText());
    }

    @Test
    void noNodeForTheKeyGoesToTheFallbackWithFallbackOnNoKey() throws Exception {
        // a key with '/' finds no node in a pattern mapper
        assertEquals("n", body(exchange(fallback, get("no/body"), false)).get("node").asText());
        assertEquals(503, status(exchange(noFallback, get("no/body"), false)));
    }

    @Test
    void failedConnectGoesToTheFallback() throws Exception {
        // nobody.test.sock does not exist: the connect fails, the fallback answers
        assertEquals("n", body(exchange(fallback, get("nobody.test"), false)).get("node").asText());
        assertEquals(502, status(exchange(noFallback, get("nobody.test"), false)));
    }

    @Test
    void everyConnectFailedIs502() throws Exception {
        String response = exchange(dead, get("e.test"), false);
        assertEquals(502, status(response));
        assertTrue(response.contains("Connection: close"), response);
    }

    @Test
    void harakiriClosesAStuckRequest() throws Exception {
        // the node accepts and never answers: the request is killed after 1 s (idle timeout or harakiri)
        assertEquals("", exchange(impatient, get("e.test"), false));
    }
}
