package io.corerouter.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Flags;
import io.netty.handler.codec.http2.Http2FrameTypes;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A raw HTTP/2 client for hostile-client tests: writes whatever frames a test asks for, in any order and
 * as fast as it likes, over a blocking TCP or UNIX socket (frame headers by
 * {@link Http2CodecUtil#writeFrameHeader}, header blocks by Netty's HPACK encoder), and optionally reads
 * the router's frames on a thread of its own into a queue per stream (HPACK-decoded, SETTINGS
 * acknowledged), or does not read at all.
 *
 * <p>Nothing here is pooled: encoding buffers are released before each write returns.
 */
final class H2RawClient implements AutoCloseable {
    /** One frame from the router; {@code headers} set for HEADERS (continuations folded in). */
    record Frame(int type, int flags, int streamId, byte[] payload, Http2Headers headers) {
        boolean endStream() {
            return (flags & Http2Flags.END_STREAM) != 0;
        }

        boolean is(int frameType) {
            return type == frameType;
        }

        /** The increment of a WINDOW_UPDATE. */
        int windowIncrement() {
            return ((payload[0] & 0x7f) << 24) | ((payload[1] & 0xff) << 16) | ((payload[2] & 0xff) << 8)
                    | (payload[3] & 0xff);
        }

        /** The error code of a GOAWAY or RST_STREAM. */
        long errorCode() {
            int at = type == Http2FrameTypes.GO_AWAY ? 4 : 0;
            return ((payload[at] & 0xffL) << 24) | ((payload[at + 1] & 0xff) << 16) | ((payload[at + 2] & 0xff) << 8)
                    | (payload[at + 3] & 0xff);
        }

        @Override
        public String toString() {
            return "Frame[type=" + type + " flags=" + flags + " stream=" + streamId + " length=" + payload.length
                    + (headers == null ? "" : " headers=" + headers) + "]";
        }
    }

    /** A response read off one stream. */
    record Response(int status, Http2Headers headers, byte[] body, long resetCode) {
        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** What the reader thread puts in the queue at the end of the connection. */
    private static final Frame EOF = new Frame(-1, 0, 0, new byte[0], null);

    private final SocketChannel channel;
    private final DataInputStream in;
    private final DefaultHttp2HeadersEncoder encoder = new DefaultHttp2HeadersEncoder();
    private final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false);
    /** The router's frames by stream, 0 for the connection's. */
    private final Map<Integer, BlockingQueue<Frame>> frames = new ConcurrentHashMap<>();
    private volatile boolean eof;
    private volatile boolean goAway;
    private volatile String failure;
    private Thread reader;

    private H2RawClient(SocketChannel channel) {
        this.channel = channel;
        // not Channels.newInputStream: its reads hold the lock its writes need, and this client writes
        // while its reader thread waits for the router
        this.in = new DataInputStream(new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return channel.read(ByteBuffer.wrap(b, off, len));
            }
        });
    }

    /**
     * Connects over TCP or a UNIX socket, sends the preface and {@code settings}, and starts reading
     * unless {@code read} is false.
     *
     * @param receiveBuffer SO_RCVBUF set before connecting, or 0 for the default
     */
    static H2RawClient connect(SocketAddress address, Http2Settings settings, boolean read, int receiveBuffer)
            throws IOException {
        SocketChannel channel = address instanceof UnixDomainSocketAddress
                ? SocketChannel.open(StandardProtocolFamily.UNIX)
                : SocketChannel.open();
        try {
            if (receiveBuffer > 0) {
                channel.setOption(StandardSocketOptions.SO_RCVBUF, receiveBuffer);
            }
            if (address instanceof InetSocketAddress) {
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
            channel.connect(address);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        H2RawClient client = new H2RawClient(channel);
        ByteBuf preface = Http2CodecUtil.connectionPrefaceBuf();
        try {
            client.writeRaw(ByteBufUtil.getBytes(preface));
        } finally {
            preface.release();
        }
        client.settings(settings);
        if (read) {
            client.startReading();
        }
        return client;
    }

    static H2RawClient connect(SocketAddress address) throws IOException {
        return connect(address, new Http2Settings(), true, 0);
    }

    /** Starts the reader thread (for a client that did not read so far). */
    void startReading() {
        reader = new Thread(this::readLoop, "h2-raw-client-reader");
        reader.setDaemon(true);
        reader.start();
    }

    // ---------------------------------------------------------------- frames out

    /** The bytes of one frame. */
    static byte[] frame(int type, int flags, int streamId, byte[] payload) {
        ByteBuf buf = Unpooled.buffer(Http2CodecUtil.FRAME_HEADER_LENGTH + payload.length);
        try {
            Http2CodecUtil.writeFrameHeader(buf, payload.length, (byte) type, new Http2Flags((short) flags), streamId);
            buf.writeBytes(payload);
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    /** An HPACK block of {@code headers}, encoded with this connection's table. */
    synchronized byte[] encode(int streamId, Http2Headers headers) {
        ByteBuf buf = Unpooled.buffer();
        try {
            encoder.encodeHeaders(streamId, headers, buf);
            return ByteBufUtil.getBytes(buf);
        } catch (Http2Exception e) {
            throw new IllegalStateException(e);
        } finally {
            buf.release();
        }
    }

    static Http2Headers request(String method, String path) {
        return new DefaultHttp2Headers().method(method).path(path).scheme("http").authority("example.com");
    }

    synchronized void writeRaw(byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    void settings(Http2Settings settings) throws IOException {
        ByteBuf buf = Unpooled.buffer();
        try {
            for (char id : settings.keySet()) {
                buf.writeChar(id);
                buf.writeInt(settings.get(id).intValue());
            }
            writeRaw(frame(Http2FrameTypes.SETTINGS, 0, 0, ByteBufUtil.getBytes(buf)));
        } finally {
            buf.release();
        }
    }

    /** A complete request head on {@code streamId}; {@code endStream} when it has no body. */
    void headers(int streamId, Http2Headers headers, boolean endStream) throws IOException {
        int flags = Http2Flags.END_HEADERS | (endStream ? Http2Flags.END_STREAM : 0);
        writeRaw(frame(Http2FrameTypes.HEADERS, flags, streamId, encode(streamId, headers)));
    }

    void data(int streamId, byte[] bytes, boolean endStream) throws IOException {
        writeRaw(frame(Http2FrameTypes.DATA, endStream ? Http2Flags.END_STREAM : 0, streamId, bytes));
    }

    void rst(int streamId, long errorCode) throws IOException {
        writeRaw(frame(Http2FrameTypes.RST_STREAM, 0, streamId, int32(errorCode)));
    }

    void windowUpdate(int streamId, int increment) throws IOException {
        writeRaw(frame(Http2FrameTypes.WINDOW_UPDATE, 0, streamId, int32(increment)));
    }

    static byte[] int32(long value) {
        return new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
    }

    // ---------------------------------------------------------------- frames in

    private void readLoop() {
        try {
            while (true) {
                Frame frame = readFrame();
                if (frame.is(Http2FrameTypes.SETTINGS) && (frame.flags() & Http2Flags.ACK) == 0) {
                    writeRaw(frame(Http2FrameTypes.SETTINGS, Http2Flags.ACK, 0, new byte[0]));
                }
                goAway |= frame.is(Http2FrameTypes.GO_AWAY);
                queue(frame.streamId()).add(frame);
            }
        } catch (IOException closed) {
            // the router closed (FIN or reset), or the test closed the socket
        } catch (Http2Exception | RuntimeException e) {
            failure = String.valueOf(e);
        } finally {
            eof = true;
            frames.values().forEach(queue -> queue.add(EOF));
        }
    }

    private Frame readFrame() throws IOException, Http2Exception {
        int length = in.readUnsignedByte() << 16 | in.readUnsignedShort();
        int type = in.readUnsignedByte();
        int flags = in.readUnsignedByte();
        int streamId = in.readInt() & 0x7fffffff;
        byte[] payload = new byte[length];
        in.readFully(payload);
        if (type != Http2FrameTypes.HEADERS) {
            return new Frame(type, flags, streamId, payload, null);
        }
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        block.write(headerBlock(flags, payload));
        int endFlags = flags;
        while ((endFlags & Http2Flags.END_HEADERS) == 0) { // CONTINUATION frames follow, nothing else
            length = in.readUnsignedByte() << 16 | in.readUnsignedShort();
            in.readUnsignedByte();
            endFlags = in.readUnsignedByte();
            in.readInt();
            byte[] more = new byte[length];
            in.readFully(more);
            block.write(more);
        }
        ByteBuf buf = Unpooled.wrappedBuffer(block.toByteArray());
        try {
            return new Frame(type, flags, streamId, payload, decoder.decodeHeaders(streamId, buf));
        } finally {
            buf.release();
        }
    }

    /** The header block fragment of a HEADERS payload, without padding and priority. */
    private static byte[] headerBlock(int flags, byte[] payload) {
        int from = 0;
        int pad = 0;
        if ((flags & Http2Flags.PADDED) != 0) {
            pad = payload[0] & 0xff;
            from = 1;
        }
        if ((flags & Http2Flags.PRIORITY) != 0) {
            from += 5;
        }
        byte[] block = new byte[payload.length - from - pad];
        System.arraycopy(payload, from, block, 0, block.length);
        return block;
    }

    private BlockingQueue<Frame> queue(int streamId) {
        BlockingQueue<Frame> queue = frames.computeIfAbsent(streamId, id -> new LinkedBlockingQueue<>());
        if (eof) {
            queue.add(EOF); // ended before this stream was asked for
        }
        return queue;
    }

    /**
     * Frames of {@code streamId} (0: the connection's) until one matches {@code wanted} (returned) or the
     * connection ends (null); fails after {@code timeout}.
     */
    Frame await(int streamId, Predicate<Frame> wanted, Duration timeout) throws InterruptedException {
        BlockingQueue<Frame> queue = queue(streamId);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            Frame frame = left <= 0 ? null : queue.poll(left, TimeUnit.NANOSECONDS);
            if (frame == null) {
                throw new AssertionError("no awaited frame on stream " + streamId + " within " + timeout);
            }
            if (frame == EOF) {
                queue.add(EOF); // stays the end for later calls
                if (failure != null) {
                    throw new AssertionError("reader failed: " + failure);
                }
                return null;
            }
            if (wanted.test(frame)) {
                return frame;
            }
        }
    }

    /**
     * The next frame of {@code streamId} (0: the connection's), or null when none came within
     * {@code timeout} or the connection ended.
     */
    Frame poll(int streamId, Duration timeout) throws InterruptedException {
        BlockingQueue<Frame> queue = queue(streamId);
        Frame frame = queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (frame == EOF) {
            queue.add(EOF);
            return null;
        }
        return frame;
    }

    /** The GOAWAY the router sends, or null when it closed without one; fails after {@code timeout}. */
    Frame awaitGoAway(Duration timeout) throws InterruptedException {
        return await(0, f -> f.is(Http2FrameTypes.GO_AWAY), timeout);
    }

    /** Waits for the end of the connection, skipping frames; fails after {@code timeout}. */
    void awaitClose(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!eof) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("connection still open after " + timeout);
            }
            Thread.sleep(10); // polling the reader's state; bounded by the deadline
        }
    }

    /**
     * The response on {@code streamId}: its head and body up to END_STREAM, or its RST_STREAM code (status
     * -1). Fails after {@code timeout} or when the connection ends first.
     */
    Response response(int streamId, Duration timeout) throws InterruptedException {
        Http2Headers head = null;
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            Frame frame = await(streamId, f -> true, timeout);
            if (frame == null) {
                throw new AssertionError("connection closed before the response on stream " + streamId);
            }
            if (frame.is(Http2FrameTypes.RST_STREAM)) {
                return new Response(-1, head, body.toByteArray(), frame.errorCode());
            }
            if (frame.is(Http2FrameTypes.HEADERS) && head == null) {
                head = frame.headers();
            } else if (frame.is(Http2FrameTypes.DATA)) {
                body.write(frame.payload(), 0, frame.payload().length);
            }
            if (frame.endStream()) {
                return new Response(Integer.parseInt(head.status().toString()), head, body.toByteArray(), -1);
            }
        }
    }

    /**
     * DATA bytes received on {@code streamId} until at least {@code bytes} came (returns what came); fails
     * after {@code timeout}, when the stream ends or is reset first.
     */
    long awaitData(int streamId, long bytes, Duration timeout) throws InterruptedException {
        long received = 0;
        while (received < bytes) {
            Frame frame = await(streamId, f -> true, timeout);
            if (frame == null || frame.is(Http2FrameTypes.RST_STREAM) || frame.endStream()) {
                throw new AssertionError("stream " + streamId + " ended after " + received + " bytes: " + frame);
            }
            if (frame.is(Http2FrameTypes.DATA)) {
                received += frame.payload().length;
            }
        }
        return received;
    }

    /** DATA bytes of {@code streamId} received so far and not yet taken by a call above. */
    long dataQueued(int streamId) {
        long bytes = 0;
        for (Frame frame : queue(streamId)) {
            if (frame.is(Http2FrameTypes.DATA)) {
                bytes += frame.payload().length;
            }
        }
        return bytes;
    }

    /** One GET on a new connection to {@code address}: its response. */
    static Response get(SocketAddress address, String path) throws IOException, InterruptedException {
        try (H2RawClient client = connect(address)) {
            client.headers(1, request("GET", path), true);
            return client.response(1, Duration.ofSeconds(10));
        }
    }

    /** Whether the router said GOAWAY or closed: a flood may stop. */
    boolean ended() {
        return eof || goAway;
    }

    /** Closes the socket from another thread: a write or read blocked on it fails. */
    void abort() throws IOException {
        channel.close();
    }

    @Override
    public void close() throws IOException {
        channel.close();
        if (reader != null) {
            try {
                reader.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
