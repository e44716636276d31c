package io.corerouter.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.corerouter.core.testing.RawHttpClient;
import io.corerouter.core.testing.RawHttpClient.Response;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * De-chunked bodies through the temporary file ({@code --http-chunked-buffer 0}: every byte spills),
 * and a client that gives up half-way: nothing reaches the node, nothing leaks (paranoid detector).
 */
class ChunkedBodyTest {
    @TempDir
    Path dir;

    @Test
    void spilledBodyReachesTheNodeIntactAndTheConnectionStaysUsable() throws Exception {
        byte[] body = new byte[300_000];
        new Random(7).nextBytes(body);
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes("POST /big HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        for (int off = 0; off < body.length; off += 7000) {
            int n = Math.min(7000, body.length - off);
            request.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            request.write(body, off, n);
            request.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        request.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        try (FakeNode node = FakeNode.ok(dir, "node");
                Routers.Started router = Routers.start("--http", "127.0.0.1:0", "--http-to", node.address(),
                        "--http-chunked-buffer", "0", "--http-keepalive");
                RawHttpClient client = new RawHttpClient(router.address())) {
            Response response = client.send(request.toByteArray()).read();
            assertEquals("/big 300000", response.bodyText());
            assertArrayEquals(body, node.requests().get(0).body());
            assertEquals("300000", node.requests().get(0).var("CONTENT_LENGTH"));
            assertEquals("/again 0", client.send("GET /again HTTP/1.1\r\nHost: a\r\n\r\n").read().bodyText());
        }
    }

    @Test
    void aClientThatStopsHalfWayReachesNoNode() throws Exception {
        try (FakeNode node = FakeNode.ok(dir, "node");
                Routers.Started router = Routers.start("--http", "127.0.0.1:0", "--http-to", node.address(),
                        "--http-chunked-buffer", "100")) {
            try (RawHttpClient client = new RawHttpClient(router.address())) {
                client.send("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3e8\r\n" + "y".repeat(1000)
                        + "\r\n3e8\r\n" + "y".repeat(500));
                client.shutdownOutput();
                assertEquals(true, client.isClosedByPeer());
            }
            assertEquals("/next 0", RawHttpClient.exchange(router.address(), "GET /next HTTP/1.1\r\nHost: a\r\n\r\n").bodyText());
            assertEquals(1, node.count(), "only the complete request reached the node");
        }
    }
}
