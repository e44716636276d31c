package io.corerouter.core.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.corerouter.core.config.HealthOptions;
import io.corerouter.core.config.NodeProtocol;
import io.corerouter.core.transport.Transport;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What one check sends and how it judges the answer, against a Java peer that answers fixed bytes,
 * hostile ones included: a status line that never ends, a line that is no status line, a 1xx, a close
 * before any byte. Checks run on a real event loop; every wait polls the node's health with a deadline.
 */
class HealthCheckTest {
    private EventLoopGroup group;
    private ServerSocket server;
    private volatile byte[] answer = new byte[0];
    private final List<byte[]> received = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        group = Transport.detect().newGroup(1, "health-test");
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket socket = server.accept(); InputStream in = socket.getInputStream()) {
                    byte[] buf = new byte[4096];
                    int n = in.read(buf);
                    received.add(n <= 0 ? new byte[0] : java.util.Arrays.copyOf(buf, n));
                    socket.getOutputStream().write(answer);
                    socket.getOutputStream().flush();
                    in.read(buf); // until the check closes
                } catch (IOException e) {
                    // the check closed, or the server is closing
                }
            }
        }, "health-test-peer");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Runs one check of a node of {@code protocol} with {@code path} and returns its outcome. */
    private String check(NodeProtocol protocol, Optional<String> path) throws InterruptedException {
        StaticNode node = new StaticNode("peer", new InetSocketAddress("127.0.0.1", server.getLocalPort()), protocol,
                new NodeHealth("test", "peer", 0, Clock.SYSTEM));
        HealthOptions options = new HealthOptions(Duration.ofSeconds(2), path, 2, 3, 0);
        HealthChecker checker = new HealthChecker("test", options, Transport.detect(), group).add(() -> List.of(node));
        checker.round(); // one round, no schedule
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (node.health().lastCheck().equals("none")) {
            if (System.nanoTime() > deadline) {
                fail("no check result");
            }
            Thread.sleep(10); // polling the check's result; bounded by the deadline
        }
        return node.health().lastCheck();
    }

    private void answer(String text) {
        answer = text.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void connectCheckPassesOnAnAcceptedConnection() throws Exception {
        assertEquals("passed: connected", check(NodeProtocol.UWSGI, Optional.empty()));
    }

    @Test
    void httpNodesGetAGetWithHostAndConnectionClose() throws Exception {
        answer("HTTP/1.1 204 No Content\r\n\r\n");
        assertEquals("passed: status 204", check(NodeProtocol.HTTP, Optional.of("/health?x=1")));
        assertEquals("GET /health?x=1 HTTP/1.1\r\nHost: 127.0.0.1:" + server.getLocalPort()
                + "\r\nUser-Agent: corerouter-check\r\nConnection: close\r\n\r\n",
                new String(received.get(0), StandardCharsets.ISO_8859_1));
    }

    @Test
    void uwsgiNodesGetAPacketWithTheVarsOfThatGet() throws Exception {
        answer("HTTP/1.1 302 Found\r\nLocation: /x\r\n\r\n");
        assertEquals("passed: status 302", check(NodeProtocol.PUWSGI, Optional.of("/health?x=1")));
        byte[] packet = received.get(0);
        assertEquals(0, packet[0], "modifier1");
        assertEquals(packet.length - 4, (packet[1] & 0xff) | (packet[2] & 0xff) << 8, "datasize");
        Map<String, String> vars = new LinkedHashMap<>();
        int at = 4;
        while (at < packet.length) {
            int kl = (packet[at] & 0xff) | (packet[at + 1] & 0xff) << 8;
            String key = new String(packet, at + 2, kl, StandardCharsets.ISO_8859_1);
            at += 2 + kl;
            int vl = (packet[at] & 0xff) | (packet[at + 1] & 0xff) << 8;
            vars.put(key, new String(packet, at + 2, vl, StandardCharsets.ISO_8859_1));
            at += 2 + vl;
        }
        assertEquals("GET", vars.get("REQUEST_METHOD"));
        assertEquals("/health?x=1", vars.get("REQUEST_URI"));
        assertEquals("/health", vars.get("PATH_INFO"));
        assertEquals("x=1", vars.get("QUERY_STRING"));
        assertEquals("HTTP/1.1", vars.get("SERVER_PROTOCOL"));
        assertEquals("127.0.0.1", vars.get("SERVER_NAME"));
        assertEquals(Integer.toString(server.getLocalPort()), vars.get("SERVER_PORT"));
        assertEquals("127.0.0.1:" + server.getLocalPort(), vars.get("HTTP_HOST"));
    }

    @Test
    void errorStatusesFail() throws Exception {
        answer("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n");
        assertEquals("failed: status 503", check(NodeProtocol.UWSGI, Optional.of("/health")));
    }

    @Test
    void anInterimStatusFails() throws Exception {
        answer("HTTP/1.1 100 Continue\r\n\r\n");
        assertEquals("failed: status 100", check(NodeProtocol.HTTP, Optional.of("/health")));
    }

    @Test
    void aLineThatIsNoStatusLineFails() throws Exception {
        answer("200 OK\r\n");
        assertEquals("failed: not a status line: 200 OK?", check(NodeProtocol.UWSGI, Optional.of("/health")));
    }

    @Test
    void aStatusLineThatNeverEndsFails() throws Exception {
        answer("HTTP/1.1 200 " + "O".repeat(2000));
        assertEquals("failed: no status line in the first " + HealthCheck.MAX_STATUS_LINE + " bytes",
                check(NodeProtocol.HTTP, Optional.of("/health")));
    }

    @Test
    void aCloseBeforeAnyByteFails() throws Exception {
        answer("");
        String outcome = check(NodeProtocol.UWSGI, Optional.of("/health"));
        assertTrue(outcome.startsWith("failed: "), outcome);
    }

    @Test
    void aPeerThatNeverAnswersTimesOut() throws Exception {
        // a peer that never calls accept(): the kernel completes the connect, nobody reads or answers
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            StaticNode node = new StaticNode("silent", new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    silent.getLocalPort()), NodeProtocol.HTTP, new NodeHealth("test", "silent", 0, Clock.SYSTEM));
            HealthOptions options = new HealthOptions(Duration.ofSeconds(1), Optional.of("/health"), 2, 3, 0);
            new HealthChecker("test", options, Transport.detect(), group).add(() -> List.of(node)).round();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (node.health().lastCheck().equals("none")) {
                if (System.nanoTime() > deadline) {
                    fail("no check result");
                }
                Thread.sleep(10); // polling the check's result; bounded by the deadline
            }
            assertEquals("failed: timeout after 1000ms", node.health().lastCheck());
        }
    }
}
