package io.corerouter.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.security.auth.module.UnixSystem;
import io.corerouter.core.testing.RawHttpClient;
import io.corerouter.core.testing.UwsgiProcess;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * uWSGI router options an existing configuration carries, with a real uWSGI node: {@code --R-events}
 * (one ready event per epoll round still serves keepalive and pipelined requests on several loops)
 * and {@code --R-uid} / {@code --R-gid} naming the user the router already runs as.
 */
class RouterCommonOptionsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private final Running running = new Running();

    @AfterEach
    void stop() {
        running.close();
    }

    @Test
    void oneEventPerRoundAndTheCurrentUserServeEveryRequest() throws Exception {
        UwsgiProcess node = running.node(dir, "n");
        UnixSystem me = new UnixSystem();
        Corerouter router = running.router("--http", "127.0.0.1:0", "--http-to", node.address(),
                "--http-keepalive", "--http-processes", "2", "--http-events", "1",
                "--http-uid", me.getUsername(), "--http-gid", Long.toString(me.getGid()));
        int port = ((InetSocketAddress) router.http().listeners().get(0).localAddress()).getPort();
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);

        for (int i = 0; i < 8; i++) {
            try (RawHttpClient client = new RawHttpClient(address)) {
                // three pipelined requests on each connection, answered in order
                client.send("GET /a" + i + " HTTP/1.1\r\nHost: x\r\n\r\nGET /b" + i + " HTTP/1.1\r\nHost: x\r\n\r\n"
                        + "GET /c" + i + " HTTP/1.1\r\nHost: x\r\n\r\n");
                for (String path : new String[] {"/a" + i, "/b" + i, "/c" + i}) {
                    RawHttpClient.Response response = client.read();
                    assertEquals(200, response.status());
                    JsonNode env = JSON.readTree(response.body());
                    assertEquals(path, env.get("PATH_INFO").asText());
                }
            }
        }
    }
}
