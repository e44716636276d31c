package io.corerouter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.core.testing.RawHttpClient;
import io.corerouter.core.testing.RawHttpClient.Response;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A node whose response has invalid framing gets the client a 502 and a closed connection; once the
 * response has started, the connection is cut (docs/http-hardening.md).
 */
class BackendFramingTest {
    private static final Map<String, String> RESPONSES = Map.of(
            "/te-and-cl", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            "/two-lengths", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
            "/bare-lf", "HTTP/1.1 200 OK\nContent-Length: 2\n\nok",
            "/garbage", "HELLO\r\n\r\n",
            "/bad-length", "HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n",
            "/bad-chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\nzz\r\n",
            "/unexpected-101", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");

    @TempDir
    static Path dir;
    static FakeNode node;
    static Routers.Started router;

    @BeforeAll
    static void start() throws Exception {
        node = new FakeNode(dir, "broken", r -> RESPONSES.get(r.var("PATH_INFO")).getBytes(StandardCharsets.ISO_8859_1));
        router = Routers.start("--http", "127.0.0.1:0", "--http-to", node.address(), "--http-keepalive");
    }

    @AfterAll
    static void stop() throws Exception {
        router.close();
        node.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/te-and-cl", "/two-lengths", "/bare-lf", "/garbage", "/bad-length", "/unexpected-101"})
    void invalidResponseHeadIs502AndClose(String path) throws IOException {
        try (RawHttpClient client = new RawHttpClient(router.address())) {
            // POST: not replayable, so exactly one node attempt
            Response response = client.send("POST " + path + " HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\nx").read();
            assertEquals(502, response.status(), response::bodyText);
            assertEquals("close", response.header("connection"));
            assertTrue(client.isClosedByPeer());
        }
    }

    @Test
    void invalidChunkAfterTheHeadCutsTheConnection() throws IOException {
        try (RawHttpClient client = new RawHttpClient(router.address())) {
            client.send("POST /bad-chunk HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\nx");
            // the head and the first chunk went out; then the connection is closed mid-body
            assertThrows(IOException.class, client::read);
        }
    }
}
