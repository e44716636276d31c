package io.corerouter.http;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A uwsgi node on a UNIX socket for the HTTP/2 hostile-client tests, counting what a flood costs it: the
 * connections it accepted and has open, and the response bytes it managed to write. By PATH_INFO:
 * {@code /hold...} is answered only by {@link #releaseHeld()} (or never: the connection stays open until
 * the router closes it), {@code /stall...} is not even read (its body stays in the socket) until
 * {@link #releaseStalled()}, then held, {@code /big...} gets a {@link #BIG}-byte body written as fast as the router takes
 * it, anything else a 200 with the path as the body.
 */
final class H2TestNode implements AutoCloseable {
    static final long BIG = 100L << 20;

    private final Path socket;
    private final ServerSocketChannel server;
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong bigBytesWritten = new AtomicLong();
    private final List<SocketChannel> held = new CopyOnWriteArrayList<>();
    private final AtomicInteger stalled = new AtomicInteger();
    private volatile boolean stallReleased;

    H2TestNode(Path dir) throws IOException {
        socket = dir.resolve("h2node.sock");
        Files.deleteIfExists(socket);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket), 1024); // a burst of streams must not find it full
        Thread acceptor = new Thread(this::acceptLoop, "h2-test-node");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    String address() {
        return socket.toString();
    }

    /** Connections accepted since start. */
    int accepted() {
        return accepted.get();
    }

    /** Connections open now (the router has not closed them yet). */
    int open() {
        return open.get();
    }

    /** Body bytes written by all {@code /big} responses (into the socket: the router may not have read them). */
    long bigBytesWritten() {
        return bigBytesWritten.get();
    }

    /** Requests held now. */
    int held() {
        return held.size();
    }

    /** Requests whose body the node does not read now. */
    int stalled() {
        return stalled.get();
    }

    /** The stalled requests are read from now on (and held). */
    void releaseStalled() {
        stallReleased = true;
    }

    /** Answers every held request 200 with body {@code held}. */
    void releaseHeld() {
        List<SocketChannel> now = new ArrayList<>(held);
        held.removeAll(now);
        for (SocketChannel channel : now) {
            try {
                write(channel, ByteBuffer.wrap(FakeNode.response(200, "held")));
            } catch (IOException gone) {
                // the router closed it meanwhile
            }
        }
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try {
                SocketChannel channel = server.accept();
                accepted.incrementAndGet();
                open.incrementAndGet();
                Thread worker = new Thread(() -> serve(channel), "h2-test-node-conn");
                worker.setDaemon(true);
                worker.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(SocketChannel channel) {
        try (channel) {
            ByteBuffer header = FakeNode.read(channel, 4);
            if (header == null) {
                return;
            }
            int datasize = header.order(ByteOrder.LITTLE_ENDIAN).getShort(1) & 0xffff;
            ByteBuffer vars = FakeNode.read(channel, datasize);
            if (vars == null) {
                return;
            }
            vars.order(ByteOrder.LITTLE_ENDIAN);
            String path = null;
            long contentLength = 0;
            while (vars.hasRemaining()) {
                String key = FakeNode.field(vars);
                String value = FakeNode.field(vars);
                if (key.equals("PATH_INFO")) {
                    path = value;
                } else if (key.equals("CONTENT_LENGTH") && !value.isEmpty()) {
                    contentLength = Long.parseLong(value);
                }
            }
            if (path != null && path.startsWith("/stall")) {
                stalled.incrementAndGet();
                while (!stallReleased) {
                    Thread.sleep(20); // a node too busy to read: polls the test's release, bounded by the test
                }
                stalled.decrementAndGet();
            }
            if (path != null && (path.startsWith("/hold") || path.startsWith("/stall"))) {
                held.add(channel);
                drainUntilClosed(channel); // also takes the body, if any
                held.remove(channel);
                return;
            }
            if (contentLength > 0 && FakeNode.read(channel, (int) contentLength) == null) {
                return;
            }
            if (path != null && path.startsWith("/big")) {
                writeBig(channel);
            } else {
                write(channel, ByteBuffer.wrap(FakeNode.response(200, String.valueOf(path))));
                drainUntilClosed(channel);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            // the router closed on us
        } finally {
            open.decrementAndGet();
        }
    }

    private void writeBig(SocketChannel channel) throws IOException {
        write(channel, ByteBuffer.wrap(("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: "
                + BIG + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1)));
        ByteBuffer chunk = ByteBuffer.allocate(16384);
        long left = BIG;
        while (left > 0) {
            chunk.clear().limit((int) Math.min(chunk.capacity(), left));
            while (chunk.hasRemaining()) {
                int n = channel.write(chunk); // blocks while the router does not read: the point of the test
                bigBytesWritten.addAndGet(n);
                left -= n;
            }
        }
    }

    private static void write(SocketChannel channel, ByteBuffer bytes) throws IOException {
        synchronized (channel) {
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        }
    }

    private static void drainUntilClosed(SocketChannel channel) throws IOException {
        ByteBuffer scratch = ByteBuffer.allocate(8192);
        while (channel.read(scratch) >= 0) {
            scratch.clear();
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        Files.deleteIfExists(socket);
    }
}
