package io.corerouter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.core.testing.RawHttpClient;
import io.corerouter.core.testing.RawHttpClient.Response;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --http-manage-source} and {@code --http-manage-rtsp} (spec §4.8) against a counting node. */
class RawModesTest {
    @TempDir
    Path dir;

    @Test
    void sourceRequestsAreRelayedRaw() throws Exception {
        try (FakeNode node = FakeNode.ok(dir, "node");
                Routers.Started router = Routers.start("--http", "127.0.0.1:0", "--http-to", node.address(),
                        "--http-manage-source");
                RawHttpClient client = new RawHttpClient(router.address())) {
            Response response = client.send("SOURCE /mount HTTP/1.0\r\nHost: a\r\nContent-Type: audio/mpeg\r\n\r\n").read();
            assertEquals(200, response.status());
            assertEquals("SOURCE", node.requests().get(0).var("REQUEST_METHOD"));
            assertTrue(client.isClosedByPeer());
        }
    }

    @Test
    void rtspRoutesByTheTargetHostAndAddsPathInfo() throws Exception {
        try (FakeNode node = FakeNode.ok(dir, "node");
                Routers.Started router = Routers.start("--http", "127.0.0.1:0", "--http-to", node.address(),
                        "--http-manage-rtsp")) {
            Response response = RawHttpClient.exchange(router.address(),
                    "DESCRIBE rtsp://cam.example/stream1 RTSP/1.0\r\nCSeq: 2\r\n\r\n");
            assertEquals(200, response.status());
            FakeNode.Request seen = node.requests().get(0);
            assertEquals("RTSP/1.0", seen.var("SERVER_PROTOCOL"));
            // the decoded target first, then the path after the host (the fake node joins repeats with \n)
            assertEquals("rtsp://cam.example/stream1\n/stream1", seen.var("PATH_INFO"));
        }
        try (FakeNode node = FakeNode.ok(dir, "plain");
                Routers.Started router = Routers.start("--http", "127.0.0.1:0", "--http-to", node.address())) {
            Response response = RawHttpClient.exchange(router.address(),
                    "DESCRIBE rtsp://cam.example/stream1 RTSP/1.0\r\nCSeq: 2\r\n\r\n");
            assertEquals(400, response.status());
            assertEquals(0, node.count());
        }
    }
}
