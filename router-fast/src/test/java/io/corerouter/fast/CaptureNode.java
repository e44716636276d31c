package io.corerouter.fast;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A uwsgi "node" that records the raw packet (header and vars) of every request and answers a fixed
 * HTTP response: what the fastrouter forwards can be compared byte for byte with what nginx sends.
 */
final class CaptureNode implements AutoCloseable {
    /** One record of a vars block. */
    record Var(String key, String value) {
    }

    /** A captured packet: the header modifiers and the vars in wire order. */
    record Packet(int modifier1, int modifier2, List<Var> vars) {
        String get(String key) {
            String value = null;
            for (Var var : vars) {
                if (var.key().equals(key)) {
                    value = var.value();
                }
            }
            return value;
        }
    }

    private final ServerSocket server;
    private final BlockingQueue<Packet> packets = new LinkedBlockingQueue<>();
    private final Thread thread;

    CaptureNode() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        thread = new Thread(this::serve, "capture-node");
        thread.setDaemon(true);
        thread.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** The next packet received, waiting up to 30 s. */
    Packet next() throws InterruptedException {
        Packet packet = packets.poll(30, TimeUnit.SECONDS);
        if (packet == null) {
            throw new AssertionError("no packet reached the capture node");
        }
        return packet;
    }

    private void serve() {
        while (!server.isClosed()) {
            try (Socket socket = server.accept()) {
                socket.setSoTimeout(30_000);
                DataInputStream in = new DataInputStream(socket.getInputStream());
                int modifier1 = in.readUnsignedByte();
                int size = in.readUnsignedByte() | in.readUnsignedByte() << 8;
                int modifier2 = in.readUnsignedByte();
                byte[] block = in.readNBytes(size);
                packets.add(new Packet(modifier1, modifier2, parse(block)));
                OutputStream out = socket.getOutputStream();
                out.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 8\r\n\r\ncaptured"
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException e) {
                // closed, or a broken client: next
            }
        }
    }

    private static List<Var> parse(byte[] block) {
        List<Var> vars = new ArrayList<>();
        int p = 0;
        while (p + 2 <= block.length) {
            int keyLength = (block[p] & 0xFF) | (block[p + 1] & 0xFF) << 8;
            String key = new String(block, p + 2, keyLength, StandardCharsets.ISO_8859_1);
            p += 2 + keyLength;
            int valueLength = (block[p] & 0xFF) | (block[p + 1] & 0xFF) << 8;
            String value = new String(block, p + 2, valueLength, StandardCharsets.ISO_8859_1);
            p += 2 + valueLength;
            vars.add(new Var(key, value));
        }
        return vars;
    }

    @Override
    public void close() throws IOException {
        server.close();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
