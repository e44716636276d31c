package io.corerouter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.core.pool.NodePools;
import io.corerouter.core.testing.RawHttpClient;
import io.corerouter.core.transport.Transport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code http://} nodes that lie, behind pooled connections: a node that answers success before it
 * has the whole request gets the client a 502 (its connection is not reused); a node that sends more
 * than its Content-Length loses the connection and the extra bytes reach nobody; a node that announces
 * more than it sends and closes ends the client's connection instead of a response being made up.
 */
class HostilePooledNodeTest {
    @TempDir
    Path dir;

    /** A keep-alive HTTP node on a UNIX socket answering each request head with {@code script(n, head)}. */
    static final class ScriptedNode implements AutoCloseable {
        final Path socket;
        final ServerSocketChannel server;
        final AtomicInteger connections = new AtomicInteger();
        final Thread thread;

        ScriptedNode(Path dir, BiFunction<Integer, String, byte[]> script) throws IOException {
            socket = dir.resolve("hostile.sock");
            Files.deleteIfExists(socket);
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
            thread = new Thread(() -> {
                AtomicInteger requests = new AtomicInteger();
                while (server.isOpen()) {
                    try {
                        SocketChannel channel = server.accept();
                        connections.incrementAndGet();
                        Thread serve = new Thread(() -> serve(channel, script, requests));
                        serve.setDaemon(true);
                        serve.start();
                    } catch (IOException closed) {
                        return;
                    }
                }
            }, "hostile-node");
            thread.setDaemon(true);
            thread.start();
        }

        private static void serve(SocketChannel channel, BiFunction<Integer, String, byte[]> script, AtomicInteger requests) {
            try (channel) {
                InputStream in = Channels.newInputStream(channel);
                while (true) {
                    String head = readHead(in);
                    if (head == null) {
                        return;
                    }
                    byte[] answer = script.apply(requests.incrementAndGet(), head);
                    boolean closeAfter = new String(answer, 0, Math.min(6, answer.length), StandardCharsets.ISO_8859_1)
                            .equals(CLOSE);
                    channel.write(ByteBuffer.wrap(answer, closeAfter ? CLOSE.length() : 0,
                            answer.length - (closeAfter ? CLOSE.length() : 0)));
                    if (closeAfter) {
                        return;
                    }
                    if (head.contains("Content-Length: ")) {
                        int length = Integer.parseInt(head.replaceAll("(?s).*Content-Length: (\\d+).*", "$1"));
                        in.readNBytes(length); // read the body after answering: an early answer
                    }
                }
            } catch (IOException e) {
                // the router closed it
            }
        }

        static String readHead(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != -1) {
                head.write(b);
                byte[] so = head.toByteArray();
                int n = so.length;
                if (n >= 4 && so[n - 4] == '\r' && so[n - 3] == '\n' && so[n - 2] == '\r' && so[n - 1] == '\n') {
                    return head.toString(StandardCharsets.ISO_8859_1);
                }
            }
            return null;
        }

        String address() {
            return "http://" + socket;
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    /** An answer starting with this is written without it, and the node then closes the connection. */
    static final String CLOSE = "CLOSE:";

    static byte[] ok(String body) {
        return ("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.ISO_8859_1);
    }

    static HttpRouter start(String node, String... more) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("--http", "127.0.0.1:0", "--http-to", node,
                "--http-keepalive", "--http-processes", "1", "--http-node-connections", "4"));
        args.addAll(List.of(more));
        HttpRouter router = new HttpRouter(HttpConfigs.http(args.toArray(String[]::new)), Transport.detect(), null, "t");
        router.start();
        return router;
    }

    static InetSocketAddress address(HttpRouter router) {
        return (InetSocketAddress) router.listeners().get(0).localAddress();
    }

    static NodePools.Stats pool(HttpRouter router) {
        List<NodePools.Stats> all = router.runtime().nodePools().snapshot();
        return all.get(0);
    }

    @Test
    void successBeforeTheWholeRequestIsA502() throws Exception {
        try (ScriptedNode node = new ScriptedNode(dir, (n, head) -> ok("early"));
             HttpRouter router = start(node.address());
             RawHttpClient client = new RawHttpClient(address(router))) {
            client.send("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc");
            assertEquals(502, client.read().status());
        }
    }

    @Test
    void bytesAfterTheContentLengthAreDroppedWithTheConnection() throws Exception {
        byte[] smuggled = ("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nevil")
                .getBytes(StandardCharsets.ISO_8859_1);
        try (ScriptedNode node = new ScriptedNode(dir, (n, head) -> head.startsWith("GET /smuggle") ? smuggled
                    : ok("clean"));
             HttpRouter router = start(node.address());
             RawHttpClient client = new RawHttpClient(address(router))) {
            client.send("GET /smuggle HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals("ok", client.read().bodyText());
            for (int i = 0; i < 3; i++) {
                client.send("GET /next HTTP/1.1\r\nHost: a\r\n\r\n");
                assertEquals("clean", client.read().bodyText());
            }
            assertEquals(1, pool(router).dropped());
            assertTrue(node.connections.get() >= 2, "the smuggling connection was not reused");
        }
    }

    @Test
    void aTruncatedResponseClosesTheClientAndTheConnection() throws Exception {
        byte[] truncated = (CLOSE + "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this")
                .getBytes(StandardCharsets.ISO_8859_1);
        try (ScriptedNode node = new ScriptedNode(dir, (n, head) -> n == 1 ? truncated : ok("fine"));
             HttpRouter router = start(node.address() + "")) {
            try (RawHttpClient client = new RawHttpClient(address(router))) {
                client.send("GET /t HTTP/1.1\r\nHost: a\r\n\r\n");
                // the node announced 100 bytes, sent 9 and closed: no response may be made up from that
                RawHttpClient.Response cut = client.read();
                assertTrue(cut.body().length < 100, "the client sees a short body, then the close");
                assertTrue(client.isClosedByPeer());
            }
            try (RawHttpClient client = new RawHttpClient(address(router))) {
                client.send("GET /u HTTP/1.1\r\nHost: a\r\n\r\n");
                assertEquals("fine", client.read().bodyText());
            }
        }
    }

    @Test
    void aWebsocketTakesItsConnectionOutOfThePoolForGood() throws Exception {
        byte[] switching = ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        Path socket = dir.resolve("ws.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread node = new Thread(() -> {
                try {
                    while (true) {
                        SocketChannel channel = server.accept();
                        Thread echo = new Thread(() -> {
                            try (channel) {
                                InputStream in = Channels.newInputStream(channel);
                                String head = ScriptedNode.readHead(in);
                                if (head != null && head.contains("Upgrade: websocket")) {
                                    channel.write(ByteBuffer.wrap(switching));
                                    ByteBuffer buf = ByteBuffer.allocate(1024);
                                    while (channel.read(buf) > 0) {
                                        buf.flip();
                                        channel.write(buf);
                                        buf.clear();
                                    }
                                } else if (head != null) {
                                    channel.write(ByteBuffer.wrap(ok("plain")));
                                    ScriptedNode.readHead(in); // keep it open until the router closes it
                                }
                            } catch (IOException e) {
                                // closed
                            }
                        });
                        echo.setDaemon(true);
                        echo.start();
                    }
                } catch (IOException closed) {
                    // server closed
                }
            });
            node.setDaemon(true);
            node.start();
            try (HttpRouter router = start("http://" + socket, "--http-websockets")) {
                try (RawHttpClient client = new RawHttpClient(address(router))) {
                    client.send("GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
                    assertEquals(101, client.read(true).status());
                    client.send("ping");
                    byte[] echoed = new byte[4];
                    int n = 0;
                    while (n < 4) {
                        n += client.rawInput().read(echoed, n, 4 - n);
                    }
                    assertEquals("ping", new String(echoed, StandardCharsets.ISO_8859_1));
                    // the tunnel's connection is not idle in the pool: a plain request opens another one
                    assertEquals("plain", RawHttpClient.exchange(address(router), "GET /p HTTP/1.1\r\nHost: a\r\n\r\n")
                            .bodyText());
                    assertEquals(2, pool(router).created());
                }
            }
        }
    }
}
