package io.corerouter.http;

import io.corerouter.core.codec.uwsgi.TooLongUwsgiPacketException;
import io.corerouter.core.codec.uwsgi.UwsgiVars;
import io.corerouter.core.config.NodeProtocol;
import io.corerouter.core.error.ErrorKind;
import io.corerouter.core.error.RouterException;
import io.corerouter.http.CurrentRequest.BodyMode;
import io.corerouter.ssl.TlsConnection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.function.Consumer;

/**
 * The client-to-node half of an {@link HttpSession}: everything of the request that goes to the node.
 * It builds and holds the uwsgi packet (kept for the request, so a replay can send it again), and the
 * body in whichever of the {@link BodyMode}s the head chose: a chunked body de-chunked into a
 * {@link SpooledBody} until it is complete (deviations.md), a {@code Content-Length} body held while
 * the node is being connected and then streamed as it comes, a chunked body re-chunked as it comes
 * ({@code --http-chunked-input}, spec §4.8), or the raw bytes behind a raw-mode head, held for the
 * {@link Tunnel}. It enforces {@code --limit-post} on bodies and counts the bytes sent to the node.
 *
 * <p>Body pieces that break framing or limits come back as a {@link RouterException} for the session
 * to answer; writes are not flushed here (the session flushes once per client read batch, and reads
 * the client only while the node is writable). One per connection, {@link #reset()} per request, used
 * only on the connection's event loop.
 */
final class RequestForwarder {
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final String PATH_INFO = "PATH_INFO";

    private final ChannelHandlerContext ctx;
    private final HttpRouterContext router;
    private final HttpFeatures features;
    private final CurrentRequest current;
    private final Runnable onSpoolStored;
    private final Consumer<IOException> onSpoolFailed;
    /** Body (or raw) bytes read while the node is not connected yet, in order. */
    private final ArrayDeque<ByteBuf> backlog = new ArrayDeque<>(2);

    private ByteBuf packet;
    /** The HTTP/1.1 head for {@code http://} nodes, built when the first such node is picked. */
    private ByteBuf httpHead;
    private HttpToUwsgi translator;
    private HttpRequest head;
    private String remoteAddr;
    private int remotePort;
    private HttpRequest pendingHead;
    private SpooledBody spool;
    private long bodyBytes;
    private long toNode;

    /**
     * @param onSpoolStored called when a spooled write to the temporary file is done (read on, or route)
     * @param onSpoolFailed called when the temporary file could not be written
     */
    RequestForwarder(ChannelHandlerContext ctx, HttpRouterContext router, CurrentRequest current,
            Runnable onSpoolStored, Consumer<IOException> onSpoolFailed) {
        this.ctx = ctx;
        this.router = router;
        this.features = router.features();
        this.current = current;
        this.onSpoolStored = onSpoolStored;
        this.onSpoolFailed = onSpoolFailed;
    }

    // ---------------------------------------------------------------- the packet

    /**
     * Takes the head of the request to forward: what goes out is built for the protocol of each node
     * picked ({@link #prepare}).
     *
     * @param translator   the connection's, plain or stud ({@code HTTPS=on})
     * @param remoteAddr   {@code REMOTE_ADDR} (the socket peer, or a PROXY header's or stud prefix's source)
     */
    void request(HttpToUwsgi translator, HttpRequest request, String remoteAddr, int remotePort) {
        this.translator = translator;
        this.head = request;
        this.remoteAddr = remoteAddr;
        this.remotePort = remotePort;
    }

    /**
     * Builds what a node of {@code protocol} gets before the body, once per request: the uwsgi packet
     * (spec §4.2, with a second {@code PATH_INFO} for an {@code rtsp://} target, §4.8) for uwsgi and
     * puwsgi nodes, the HTTP/1.1 head ({@link HttpToHttp}) for HTTP nodes.
     *
     * @return null, or the failure to answer when the head does not fit a uwsgi packet
     */
    RouterException prepare(NodeProtocol protocol) {
        if (protocol == NodeProtocol.HTTP) {
            if (httpHead == null) {
                ByteBuf out = ctx.alloc().directBuffer(1024);
                HttpToHttp.write(head, remoteAddr, current.key, translator.https(), current.bodyMode == BodyMode.RECHUNK,
                        current.rawMode == RawMode.WEBSOCKET, out);
                httpHead = out;
            }
            return null;
        }
        if (packet != null) {
            return null;
        }
        ByteBuf out = ctx.alloc().directBuffer(1024);
        try {
            translator.write(head, remoteAddr, remotePort, TlsConnection.of(ctx.channel()), out,
                    router.modifier1(), router.modifier2());
            if (current.rtspPath != null) {
                // spec §4.8: a second PATH_INFO, after everything else
                UwsgiVars.add(out, PATH_INFO, current.rtspPath);
                UwsgiVars.finishPacket(out, 0, router.modifier1(), router.modifier2());
            }
        } catch (TooLongUwsgiPacketException e) {
            out.release();
            return new RouterException(ErrorKind.HEADERS_TOO_LARGE, "request does not fit a uwsgi packet (" + e.getMessage() + ")");
        }
        packet = out;
        return null;
    }

    /** What goes out before the body to a node of {@code protocol} ({@link #prepare prepared}), owned here. */
    ByteBuf head(NodeProtocol protocol) {
        return protocol == NodeProtocol.HTTP ? httpHead : packet;
    }

    /** Whether the request can still be sent again (its head is kept; a streamed body is not). */
    boolean replayable() {
        return head != null;
    }

    /** Releases what was built for the nodes; the request can no longer be sent again. */
    void releasePacket() {
        if (packet != null) {
            packet.release();
            packet = null;
        }
        if (httpHead != null) {
            httpHead.release();
            httpHead = null;
        }
        head = null;
        translator = null;
    }

    // ---------------------------------------------------------------- a de-chunked body

    /** Starts storing the chunked body of {@code head}, which goes out once the body is complete. */
    void spool(HttpRequest head) {
        pendingHead = head;
        spool = new SpooledBody(ctx.alloc(), features.chunkedMemory(), router.offload(), ctx.executor(),
                onSpoolStored, onSpoolFailed);
    }

    /** File writes of the spooled body are in flight: do not read more of it from the client. */
    boolean spoolBusy() {
        return spool.busy();
    }

    /**
     * One piece of a chunked body, stored until the last one (which sets {@code requestDone}).
     *
     * @return null, or the failure to answer (the content is released either way)
     */
    RouterException spoolContent(HttpContent content) {
        if (content.decoderResult().isFailure()) {
            Throwable cause = content.decoderResult().cause();
            content.release();
            return new RouterException(ErrorKind.BAD_REQUEST, "invalid chunked body: " + cause.getMessage());
        }
        ByteBuf data = content.content();
        if (features.overPostLimit(spool.size() + data.readableBytes())) {
            content.release();
            return new RouterException(ErrorKind.PAYLOAD_TOO_LARGE, "chunked body over limit-post " + features.limitPost());
        }
        if (data.isReadable()) {
            spool.append(data);
        } else {
            data.release();
        }
        if (content instanceof LastHttpContent) {
            current.requestDone = true; // trailer fields, if any, are dropped: a uwsgi packet has no place for them
        }
        return null;
    }

    /** The whole chunked body is stored: its head, with the length instead of the chunking. */
    HttpRequest dechunkedHead() {
        HttpRequest request = pendingHead;
        pendingHead = null;
        request.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
        request.headers().set(HttpHeaderNames.CONTENT_LENGTH, spool.size());
        return request;
    }

    /** Size of the de-chunked body. */
    long spooledSize() {
        return spool.size();
    }

    /** Whether part of the de-chunked body went to a temporary file. */
    boolean spilled() {
        return spool.spilled();
    }

    // ---------------------------------------------------------------- a streamed body

    /**
     * A piece of a Content-Length body, or of a chunked one with chunked-input: held while connecting,
     * else written to the node (not flushed). The last piece sets {@code requestDone}.
     *
     * @param node the connected node channel, or null while connecting
     * @return null, or the failure to answer (the content is released either way)
     */
    RouterException forward(HttpContent content, Channel node) {
        boolean last = content instanceof LastHttpContent;
        if (content.decoderResult().isFailure()) {
            Throwable cause = content.decoderResult().cause();
            content.release();
            return new RouterException(ErrorKind.BAD_REQUEST, "invalid request body: " + cause.getMessage());
        }
        if (last) {
            current.requestDone = true;
        }
        ByteBuf data = content.content();
        bodyBytes += data.readableBytes();
        if (features.overPostLimit(bodyBytes)) {
            content.release();
            return new RouterException(ErrorKind.PAYLOAD_TOO_LARGE, "request body over limit-post " + features.limitPost());
        }
        if (current.bodyMode == BodyMode.RECHUNK) {
            data = rechunk(data, last);
        }
        if (!data.isReadable()) {
            data.release();
        } else if (node == null) {
            backlog.add(data);
        } else if (node.isActive()) {
            toNode += data.readableBytes();
            node.write(data, node.voidPromise());
        } else {
            data.release();
        }
        return null;
    }

    /** {@code --http-chunked-input}: the body goes on chunked, one chunk per piece, as the client framed it. */
    private ByteBuf rechunk(ByteBuf data, boolean last) {
        int n = data.readableBytes();
        if (n == 0) {
            data.release();
            return last ? Unpooled.wrappedBuffer(LAST_CHUNK) : Unpooled.EMPTY_BUFFER;
        }
        ByteBuf size = ctx.alloc().buffer(12);
        ByteBufUtil.writeAscii(size, Integer.toHexString(n));
        size.writeBytes(CRLF);
        return last
                ? Unpooled.wrappedBuffer(size, data, Unpooled.wrappedBuffer(CRLF), Unpooled.wrappedBuffer(LAST_CHUNK))
                : Unpooled.wrappedBuffer(size, data, Unpooled.wrappedBuffer(CRLF));
    }

    /** Raw modes: bytes after the head, held until the tunnel opens (and content the removed decoder still emitted). */
    void holdRaw(Object msg) {
        if (msg instanceof ByteBuf buf && buf.isReadable()) {
            backlog.add(buf);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    /** The client bytes held for a tunnel, in order; the {@link Tunnel} drains them. */
    Queue<ByteBuf> held() {
        return backlog;
    }

    // ---------------------------------------------------------------- to the node

    /** The node is connected: writes (a duplicate of) the packet or HTTP head, not flushed. */
    void writeHead(Channel node, NodeProtocol protocol) {
        ByteBuf out = head(protocol);
        toNode += out.readableBytes();
        node.write(out.retainedDuplicate(), node.voidPromise());
    }

    /**
     * Writes what is already here of the body behind the packet, not flushed: the spooled body, and
     * the bytes held while connecting (unless a websocket's, which wait for the {@code 101}).
     */
    void writeBody(Channel node) {
        if (spool != null) {
            toNode += spool.size();
            spool.writeTo(node);
            spool = null;
        }
        if (current.rawMode == RawMode.NONE) {
            ByteBuf early;
            while ((early = backlog.poll()) != null) {
                toNode += early.readableBytes();
                node.write(early, node.voidPromise());
            }
        } // WEBSOCKET: bytes behind the handshake wait for the 101
    }

    /** Request bytes written to the node since the last {@link #clearToNode()}. */
    long toNode() {
        return toNode;
    }

    void clearToNode() {
        toNode = 0;
    }

    // ---------------------------------------------------------------- cleanup

    /** Drops the body of an unfinished request (head and spool); held bytes stay for {@link #close()}. */
    void releaseBody() {
        pendingHead = null;
        if (spool != null) {
            spool.close();
            spool = null;
        }
    }

    /** Forgets the previous request. */
    void reset() {
        releasePacket();
        releaseBody();
        bodyBytes = 0;
        toNode = 0;
    }

    /** The connection is done: releases everything still held. */
    void close() {
        releasePacket();
        releaseBody();
        ByteBuf buf;
        while ((buf = backlog.poll()) != null) {
            buf.release();
        }
    }
}
