package io.corerouter.fast;

import io.corerouter.core.backend.BackendNode;
import io.corerouter.core.backend.ConnectAttempts;
import io.corerouter.core.backend.NodeSelector;
import io.corerouter.core.codec.uwsgi.UwsgiPacket;
import io.corerouter.core.codec.uwsgi.UwsgiPacketEncoder;
import io.corerouter.core.codec.uwsgi.UwsgiProtocolException;
import io.corerouter.core.codec.uwsgi.UwsgiVars;
import io.corerouter.core.config.NodeProtocol;
import io.corerouter.core.error.ErrorKind;
import io.corerouter.core.error.HttpErrorBytes;
import io.corerouter.core.error.RouterException;
import io.corerouter.core.observe.Exchange;
import io.corerouter.core.log.Exceptions;
import io.corerouter.core.relay.RelayHandler;
import io.corerouter.core.server.HandlerNames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One fastrouter connection (spec §3, §8.1): read one uwsgi packet, pick a node by the packet's key,
 * connect, send the packet with the node's modifiers (spec §1.5) followed by the body, then become a
 * plain byte relay (STYLE item 5: read a header, then relay).
 *
 * <p>Lifecycle ({@link State}): {@code AWAIT_PACKET} until the decoder hands over the packet;
 * {@code BUFFERING} while {@code --fastrouter-post-buffering} reads the body; {@code CONNECTING} while
 * {@link ConnectAttempts} tries nodes; then the session replaces itself with a {@link RelayHandler} on
 * each side ({@code RELAYING}), or ends ({@code CLOSED}).
 *
 * <p>Failures the client can be told about are answered with a short HTTP response, since the uwsgi
 * response stream is HTTP (deviations.md): 400 without a routing key, 503 without a node, 502 when
 * every connect failed. A broken packet closes the connection (STYLE item 4).
 */
final class FastSession extends ChannelInboundHandlerAdapter
        implements ConnectAttempts.Callback, PostBuffer.Listener, PooledExchange.Session {
    private static final Logger LOG = Logger.getLogger(FastSession.class.getName());

    enum State { AWAIT_PACKET, BUFFERING, CONNECTING, RELAYING, CLOSED }

    /** Body bytes held while connecting before the client is paused (a connect is normally sub-millisecond). */
    static final int EARLY_LIMIT = 64 * 1024;

    private final FastRouterContext router;
    private final NodeSelector selector;
    private final ArrayDeque<ByteBuf> early = new ArrayDeque<>(2);
    private int earlyBytes;

    private ChannelHandlerContext ctx;
    private State state = State.AWAIT_PACKET;
    private UwsgiPacket packet;
    private String key = "";
    private PostBuffer body;
    /** The node picked for the packet while the body is being buffered. */
    private BackendNode pendingNode;
    private ConnectAttempts attempts;
    /** The request to a puwsgi node over a pooled connection, or null. */
    private PooledExchange exchange;
    private boolean clientInputDone;
    private long toNode;
    private long fromNode;

    FastSession(FastRouterContext router) {
        this.router = router;
        this.selector = router.newSelector();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // The client is read continuously from here to the relay (which keeps it so): no epoll
        // interest change per request. Only post-buffering paces reads itself, and a connect that
        // takes long stops reading once EARLY_LIMIT bytes of body wait for it.
        ctx.channel().config().setAutoRead(true);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        switch (state) {
            case AWAIT_PACKET -> {
                if (msg instanceof UwsgiPacket p) {
                    onPacket(p);
                } else {
                    ReferenceCountUtil.release(msg);
                }
            }
            case BUFFERING -> {
                if (msg instanceof ByteBuf buf) {
                    body.add(buf);
                } else {
                    ReferenceCountUtil.release(msg);
                }
            }
            case CONNECTING -> {
                if (msg instanceof ByteBuf buf) {
                    earlyBytes += buf.readableBytes();
                    early.add(buf); // body bytes read before the node connection is up
                } else {
                    ReferenceCountUtil.release(msg);
                }
            }
            default -> ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        switch (state) {
            case BUFFERING -> body.readComplete();
            case CONNECTING -> {
                if (earlyBytes > EARLY_LIMIT) {
                    ctx.channel().config().setAutoRead(false); // the relay reads on once the node is connected
                }
            }
            default -> {
                // AWAIT_PACKET: auto-read brings the rest of the packet
            }
        }
        ctx.fireChannelReadComplete();
    }

    private void onPacket(UwsgiPacket p) {
        packet = p;
        key = FastRouterKey.of(p);
        Exchange.request(ctx.channel(), p, key);
        if (key.isEmpty()) {
            fail(new RouterException(ErrorKind.BAD_REQUEST,
                    "no routing key (UWSGI_FASTROUTER_KEY, HTTP_HOST or SERVER_NAME)"));
            return;
        }
        BackendNode node = selector.first(key);
        if (node == null && router.fallbackOnNoKey()) {
            node = selector.retry(key, true);
        }
        if (node == null) {
            fail(new RouterException(ErrorKind.NO_NODE, "no node available for the key"));
            return;
        }
        Exchange.node(ctx.channel(), node.name(), null);
        if (node.protocol().pooled()) {
            pooled(node, p);
            return;
        }
        long contentLength = router.postBuffering() > 0 ? contentLength(p) : 0;
        if (contentLength > 0) {
            state = State.BUFFERING;
            ctx.channel().config().setAutoRead(false); // the buffer asks for each read (readMore)
            body = new PostBuffer(contentLength, router.postBuffering(), ctx.alloc(), ctx.channel().eventLoop(),
                    router.offload(), router.postBufferingDir(), this);
            pendingNode = node;
            removeDecoder(); // leftover body bytes arrive in channelRead from inside this call
            body.readComplete();
            return;
        }
        state = State.CONNECTING;
        removeDecoder();
        connect(node);
    }

    /** A puwsgi node: the packet goes out on a pooled connection ({@link PooledExchange}). */
    private void pooled(BackendNode node, UwsgiPacket p) {
        if (node.protocol() != NodeProtocol.PUWSGI) {
            node.release();
            fail(new RouterException(ErrorKind.CONNECT_FAILED, "node " + node.name() + " speaks HTTP: the fastrouter "
                    + "forwards uwsgi packets (give it as puwsgi:// or without a scheme)"));
            return;
        }
        if (contentLength(p) > 0) {
            node.release();
            fail(new RouterException(ErrorKind.CONNECT_FAILED, "node " + node.name() + " speaks puwsgi, which carries "
                    + "no request body (uWSGI reads none on --puwsgi-socket): give it without a scheme (--socket)"));
            return;
        }
        state = State.CONNECTING;
        removeDecoder();
        exchange = new PooledExchange(router, ctx, node, p, this);
        packet = null; // the exchange owns it
        exchange.start();
    }

    @Override
    public void finished() {
        state = State.CLOSED;
        exchange = null;
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (exchange != null && ctx.channel().isWritable()) {
            exchange.clientWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    private void removeDecoder() {
        if (ctx.pipeline().get(HandlerNames.UWSGI_DECODER) != null) {
            ctx.pipeline().remove(HandlerNames.UWSGI_DECODER);
        }
    }

    /** CONTENT_LENGTH as a non-negative decimal; anything else means no body to buffer. */
    private static long contentLength(UwsgiPacket p) {
        String value = p.get("CONTENT_LENGTH");
        if (value == null || value.isEmpty() || value.length() > 18) {
            return 0;
        }
        long n = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return 0;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    // ---------------------------------------------------------------- post-buffering

    @Override
    public void readMore() {
        if (state == State.BUFFERING) {
            if (clientInputDone) {
                abort("client closed before sending the whole body (" + body.received() + " bytes buffered)");
            } else {
                ctx.read();
            }
        }
    }

    @Override
    public void complete() {
        if (state == State.BUFFERING) {
            state = State.CONNECTING;
            BackendNode node = pendingNode;
            pendingNode = null;
            connect(node);
        }
    }

    @Override
    public void failed(IOException e) {
        if (state == State.BUFFERING) {
            fail(new RouterException(ErrorKind.INTERNAL, "post-buffering failed: " + e.getMessage()));
        }
    }

    // ---------------------------------------------------------------- connecting

    private void connect(BackendNode node) {
        attempts = new ConnectAttempts(router.connector(), selector, ctx.channel().eventLoop(), router.quiet(),
                "fastrouter", ctx.channel(), this);
        attempts.start(key, node);
    }

    @Override
    public void connected(BackendNode node, Channel backend) {
        if (state != State.CONNECTING) {
            backend.close();
            node.release();
            return;
        }
        state = State.RELAYING;
        attempts = null;
        Channel client = ctx.channel();
        backend.closeFuture().addListener(f -> {
            if (fromNode > 0) {
                node.requestSucceeded();
            } else if (client.isActive()) {
                // the node closed first (the relay closes the client after it) without a byte: passive health
                node.requestFailed("closed the connection without a response");
            }
            node.addTraffic(fromNode, toNode);
            node.release();
        });
        toNode += writePacket(backend, node);
        ByteBuf buf;
        while ((buf = early.poll()) != null) {
            toNode += buf.readableBytes();
            backend.write(buf, backend.voidPromise());
        }
        if (body != null) {
            toNode += body.received();
            backend.write(body.takeBody(), backend.voidPromise());
            body = null;
        }
        // the node's close ends the response (spec §1.4): the pair closes once the client has it all
        backend.pipeline().addLast(HandlerNames.RELAY, new RelayHandler(client, n -> fromNode += n, false));
        ctx.pipeline().replace(this, HandlerNames.RELAY, new RelayHandler(backend, n -> toNode += n));
        if (clientInputDone && backend instanceof DuplexChannel duplex) {
            // the client half-closed after its request: it still gets the response (deviations.md)
            backend.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
                if (f.isSuccess()) {
                    duplex.shutdownOutput();
                }
            });
            backend.config().setAutoRead(true);
        } else {
            backend.flush();
            RelayHandler.start(client, backend);
        }
    }

    /** The packet with the node's modifiers (spec §1.5), header and vars in one buffer. */
    private int writePacket(Channel backend, BackendNode node) {
        UwsgiPacket outgoing = packet.withModifiers(node.modifier1(), node.modifier2());
        ByteBuf out = backend.alloc().ioBuffer(UwsgiVars.HEADER_LENGTH + outgoing.datasize());
        try {
            UwsgiPacketEncoder.write(outgoing, out);
        } finally {
            outgoing.release();
            releasePacket();
        }
        int bytes = out.readableBytes();
        backend.write(out, backend.voidPromise());
        return bytes;
    }

    @Override
    public void failed(RouterException failure) {
        attempts = null;
        // answered from a task: this runs inside the node channel's event, and closing the client from
        // there could free its descriptor while epoll still holds an event for it (see RelayHandler)
        ctx.executor().execute(() -> fail(failure));
    }

    // ---------------------------------------------------------------- events and errors

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            clientInputDone = true;
            if (state == State.AWAIT_PACKET) {
                LOG.log(Level.FINE, () -> ctx.channel() + " closed before a complete uwsgi packet");
                close();
            } else if (state == State.BUFFERING && !body.isComplete()) {
                // the buffer asks for more when it has written what it got; it aborts then
                body.readComplete();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        state = State.CLOSED;
        cleanup();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof UwsgiProtocolException) {
            // broken framing: nothing sensible can be answered (spec §8.1 items 4, 9)
            LOG.log(Level.INFO, () -> ctx.channel() + " [fastrouter] closing: bad uwsgi packet: " + cause.getMessage());
        } else if (Exceptions.isExpected(cause)) {
            LOG.log(Level.FINE, () -> ctx.channel() + " [fastrouter] client error: " + cause);
        } else {
            LOG.log(Level.WARNING, ctx.channel() + " [fastrouter] client error", cause);
        }
        close();
    }

    /** Answers the client with a minimal HTTP error and closes; logged once. */
    private void fail(RouterException failure) {
        LOG.log(failure.kind().status() >= 500 ? Level.WARNING : Level.INFO,
                () -> ctx.channel() + " [fastrouter] key=" + key + " status=" + failure.kind().status()
                        + " reason=\"" + failure.getMessage() + "\"");
        Exchange.failed(ctx.channel(), failure.kind());
        boolean canAnswer = state != State.CLOSED && ctx.channel().isActive();
        state = State.CLOSED;
        cleanup();
        if (canAnswer) {
            ctx.writeAndFlush(HttpErrorBytes.of(ctx.alloc(), failure)).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
    }

    private void abort(String reason) {
        LOG.log(Level.INFO, () -> ctx.channel() + " [fastrouter] key=" + key + " aborting: " + reason);
        close();
    }

    private void close() {
        state = State.CLOSED;
        cleanup();
        ctx.close();
    }

    private void cleanup() {
        releasePacket();
        if (exchange != null) {
            exchange.close();
            exchange = null;
        }
        if (attempts != null) {
            attempts.cancel();
            attempts = null;
        }
        if (pendingNode != null) {
            pendingNode.release();
            pendingNode = null;
        }
        if (body != null) {
            body.close();
            body = null;
        }
        ByteBuf buf;
        while ((buf = early.poll()) != null) {
            buf.release();
        }
    }

    private void releasePacket() {
        if (packet != null) {
            packet.release();
            packet = null;
        }
    }
}
