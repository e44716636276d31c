package io.corerouter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.core.testing.RawHttpClient;
import io.corerouter.core.testing.RawHttpClient.Response;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --http-max-connections}: a connection over the limit gets 503 and is closed; a freed slot is reused. */
class ConnectionLimitTest {
    @TempDir
    Path dir;

    @Test
    @SuppressWarnings("try") // the first client is closed early on purpose: its slot must be reused
    void overTheLimitIs503AndClose() throws Exception {
        try (FakeNode node = FakeNode.ok(dir, "node");
                Routers.Started router = Routers.start("--http", "127.0.0.1:0", "--http-to", node.address(),
                        "--http-max-connections", "2", "--http-processes", "1", "--http-keepalive");
                RawHttpClient first = new RawHttpClient(router.address());
                RawHttpClient second = new RawHttpClient(router.address())) {
            // both answered: both are counted
            assertEquals(200, first.send("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
            assertEquals(200, second.send("GET /2 HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
            try (RawHttpClient third = new RawHttpClient(router.address())) {
                Response refused = third.read(); // answered without asking
                assertEquals(503, refused.status());
                assertEquals("close", refused.header("connection"));
                assertTrue(third.isClosedByPeer());
            }
            assertEquals(2, node.count(), "the refused connection reached no node");

            first.close();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            int status;
            do {
                assertFalse(System.nanoTime() > deadline, "the freed slot was never reused");
                status = RawHttpClient.exchange(router.address(), "GET /3 HTTP/1.1\r\nHost: a\r\n\r\n").status();
            } while (status == 503); // the close is counted asynchronously on the event loop
            assertEquals(200, status);
            assertEquals(200, second.send("GET /4 HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
        }
    }
}
