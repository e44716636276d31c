package io.corerouter.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A counting uwsgi node for the smuggling matrix: accepts on a UNIX socket, reads one uwsgi packet and
 * a CONTENT_LENGTH body per connection, records it, answers what {@code responder} says and closes.
 * Tests assert how many requests really reached a node, which is the point of a smuggling test.
 */
final class FakeNode implements AutoCloseable {
    /** One request as the node saw it. */
    record Request(Map<String, String> vars, byte[] body) {
        String var(String key) {
            return vars.get(key);
        }
    }

    private final Path socket;
    private final ServerSocketChannel server;
    private final Function<Request, byte[]> responder;
    private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    private final Thread acceptor;

    FakeNode(Path dir, String name, Function<Request, byte[]> responder) throws IOException {
        this.socket = dir.resolve(name + ".sock");
        Files.deleteIfExists(socket);
        this.responder = responder;
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        acceptor = new Thread(this::acceptLoop, "fake-node-" + name);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A node that answers 200 with {@code PATH_INFO body-length} as the body. */
    static FakeNode ok(Path dir, String name) throws IOException {
        return new FakeNode(dir, name, r -> response(200, r.var("PATH_INFO") + " " + r.body().length));
    }

    static byte[] response(int status, String body) {
        return ("HTTP/1.1 " + status + " X\r\nContent-Type: text/plain\r\nContent-Length: " + body.length()
                + "\r\n\r\n" + body).getBytes(StandardCharsets.ISO_8859_1);
    }

    String address() {
        return socket.toString();
    }

    int count() {
        return requests.size();
    }

    List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try {
                SocketChannel channel = server.accept();
                Thread worker = new Thread(() -> serve(channel), "fake-node-conn");
                worker.setDaemon(true);
                worker.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(SocketChannel channel) {
        try (channel) {
            ByteBuffer header = read(channel, 4);
            if (header == null) {
                return;
            }
            int datasize = header.order(ByteOrder.LITTLE_ENDIAN).getShort(1) & 0xffff;
            ByteBuffer vars = read(channel, datasize);
            if (vars == null) {
                return;
            }
            vars.order(ByteOrder.LITTLE_ENDIAN);
            Map<String, String> map = new LinkedHashMap<>();
            while (vars.hasRemaining()) {
                String key = field(vars);
                map.merge(key, field(vars), (a, b) -> a + "\n" + b);
            }
            String length = map.get("CONTENT_LENGTH");
            byte[] body;
            if (length != null) {
                ByteBuffer b = read(channel, Integer.parseInt(length));
                body = b == null ? new byte[0] : b.array();
            } else if ("chunked".equalsIgnoreCase(map.get("HTTP_TRANSFER_ENCODING"))) {
                body = readChunked(channel);
            } else {
                body = new byte[0];
            }
            Request request = new Request(map, body);
            requests.add(request);
            channel.write(ByteBuffer.wrap(responder.apply(request)));
        } catch (IOException | RuntimeException e) {
            // the router closed on us: nothing to record
        }
    }

    /** The body as it came, chunk framing included, up to and including the last chunk. */
    private static byte[] readChunked(SocketChannel channel) throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        var in = Channels.newInputStream(channel);
        int b;
        while ((b = in.read()) != -1) {
            raw.write(b);
            if (raw.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n0\r\n\r\n")
                    || raw.toString(StandardCharsets.ISO_8859_1).equals("0\r\n\r\n")) {
                break;
            }
        }
        return raw.toByteArray();
    }

    /** One length-prefixed uwsgi var field (shared with {@link H2TestNode}). */
    static String field(ByteBuffer vars) {
        int n = vars.getShort() & 0xffff;
        byte[] bytes = new byte[n];
        vars.get(bytes);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** Exactly {@code n} bytes from {@code channel}, or null at its end (shared with {@link H2TestNode}). */
    static ByteBuffer read(SocketChannel channel, int n) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(n);
        while (buf.hasRemaining()) {
            if (channel.read(buf) < 0) {
                return null;
            }
        }
        buf.flip();
        return buf;
    }

    @Override
    public void close() throws IOException {
        server.close();
        Files.deleteIfExists(socket);
    }
}
