package io.corerouter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.core.testing.RawHttpClient;
import io.corerouter.core.testing.RawHttpClient.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The slowloris defence: connections that send their head a byte at a time are cut at
 * {@code --http-headers-timeout} (408, then close) however long they keep sending, while normal
 * requests on the same router keep being served.
 */
class SlowlorisTest {
    private static final int DRIPPERS = 40;
    private static final int NORMAL = 30;

    @TempDir
    Path dir;

    @Test
    void drippingHeadsAreCutWhileNormalRequestsAreServed() throws Exception {
        ScheduledExecutorService drip = Executors.newSingleThreadScheduledExecutor();
        List<Socket> drippers = new ArrayList<>();
        try (FakeNode node = FakeNode.ok(dir, "node");
                Routers.Started router = Routers.start("--http", "127.0.0.1:0", "--http-to", node.address(),
                        "--http-headers-timeout", "1", "--http-processes", "2", "--http-keepalive")) {
            for (int i = 0; i < DRIPPERS; i++) {
                Socket socket = new Socket("127.0.0.1", router.address().getPort());
                socket.setSoTimeout(30_000);
                socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: a\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
                drippers.add(socket);
            }
            // one more header byte per connection every 100 ms, for as long as the socket takes it
            drip.scheduleAtFixedRate(() -> {
                for (Socket socket : drippers) {
                    try {
                        OutputStream out = socket.getOutputStream();
                        out.write('a');
                        out.flush();
                    } catch (IOException cut) {
                        // the router closed it: expected
                    }
                }
            }, 0, 100, TimeUnit.MILLISECONDS);

            for (int i = 0; i < NORMAL; i++) {
                Response response = RawHttpClient.exchange(router.address(), "GET /ok" + i + " HTTP/1.1\r\nHost: a\r\n\r\n");
                assertEquals(200, response.status());
                assertEquals("/ok" + i + " 0", response.bodyText());
            }

            for (Socket socket : drippers) {
                String answer = readUntilClosed(socket.getInputStream());
                assertTrue(answer.startsWith("HTTP/1.1 408 "), answer);
                assertTrue(answer.contains("timeout=headers"), answer);
            }
            assertEquals(NORMAL, node.count(), "no dripping head ever reached the node");
        } finally {
            drip.shutdownNow();
            for (Socket socket : drippers) {
                socket.close();
            }
        }
    }

    /** Everything the router sends until it closes (a reset after the answer counts as closed). */
    private static String readUntilClosed(InputStream in) throws IOException {
        StringBuilder text = new StringBuilder();
        byte[] buf = new byte[4096];
        try {
            int n;
            while ((n = in.read(buf)) != -1) {
                text.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
            }
        } catch (java.net.SocketException reset) {
            // RST because our drip bytes arrived after the close: the answer was read already
        }
        return text.toString();
    }
}
