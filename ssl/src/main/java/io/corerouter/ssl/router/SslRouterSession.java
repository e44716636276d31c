package io.corerouter.ssl.router;

import io.corerouter.core.backend.BackendConnector;
import io.corerouter.core.backend.BackendNode;
import io.corerouter.core.backend.NodeSelector;
import io.corerouter.core.error.ErrorKind;
import io.corerouter.core.log.Exceptions;
import io.corerouter.core.observe.Exchange;
import io.corerouter.core.relay.RelayHandler;
import io.corerouter.core.server.HandlerNames;
import io.corerouter.ssl.TlsConnection;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One sslrouter client connection until its relay starts (spec §5.5, §5.6).
 *
 * <p>Lifecycle ({@link State}): {@code HANDSHAKE} until TLS completes; then {@code CONNECTING}: the
 * key (listener name, or SNI name with {@code --sslrouter-sni}) picks a node, connected on this
 * channel's event loop and retried per spec §3.6; then the session replaces itself with a
 * {@link RelayHandler} on each side and is gone. Plaintext that arrived with the end of the
 * handshake is held and written first. No node, or no node accepting, closes the connection (there
 * is no protocol to answer in).
 */
final class SslRouterSession extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = Logger.getLogger(SslRouterSession.class.getName());

    enum State { HANDSHAKE, CONNECTING, RELAYING, CLOSED }

    private final SslRouterContext router;
    private final String listenerName;
    private final NodeSelector selector;
    private final ArrayDeque<Object> early = new ArrayDeque<>(2);
    private ChannelHandlerContext ctx;
    private State state = State.HANDSHAKE;
    private String key;
    private BackendNode node;
    private long toNode;
    private long fromNode;

    SslRouterSession(SslRouterContext router, String listenerName) {
        this.router = router;
        this.listenerName = listenerName;
        this.selector = router.newSelector();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read(); // AUTO_READ is off: start the handshake
        ctx.fireChannelActive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent done && done.isSuccess() && state == State.HANDSHAKE) {
            TlsConnection tls = TlsConnection.of(ctx.channel());
            String sni = tls == null ? null : tls.sniName();
            key = router.config().sni() && sni != null ? sni : listenerName;
            node = selector.first(key);
            if (node == null) {
                log(Level.WARNING, "no node available for the key: closing");
                Exchange.failed(ctx.channel(), ErrorKind.NO_NODE);
                close();
                return;
            }
            state = State.CONNECTING;
            connect();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (state == State.CLOSED) {
            ReferenceCountUtil.release(msg);
        } else {
            early.add(msg); // decrypted bytes that came with the handshake's end; written once connected
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // no read here: the client is read again once the node is connected and the relay starts
        ctx.fireChannelReadComplete();
    }

    private void connect() {
        router.connector().connect(ctx.channel().eventLoop(), node.address()).addListener(this::onConnect);
    }

    private void onConnect(io.netty.util.concurrent.Future<? super Void> result) {
        Channel backend = ((ChannelFuture) result).channel();
        if (state != State.CONNECTING) {
            backend.close();
            releaseNode();
            return;
        }
        if (!result.isSuccess()) {
            connectFailed(result.cause());
            return;
        }
        node.connected();
        Exchange.node(ctx.channel(), node.name(), key);
        state = State.RELAYING;
        BackendConnector.allowHalfClosure(backend); // half-close is relayed both ways
        Channel client = ctx.channel();
        backend.pipeline().addLast(HandlerNames.RELAY, new RelayHandler(client, bytes -> fromNode += bytes));
        Object msg;
        while ((msg = early.poll()) != null) {
            if (msg instanceof io.netty.buffer.ByteBuf buf) {
                toNode += buf.readableBytes();
            }
            backend.write(msg, backend.voidPromise());
        }
        backend.flush();
        BackendNode connected = node;
        client.closeFuture().addListener(f -> {
            connected.addTraffic(fromNode, toNode);
            connected.release();
        });
        node = null; // released by the close listener above
        ctx.pipeline().replace(this, HandlerNames.RELAY, new RelayHandler(backend, bytes -> toNode += bytes));
        RelayHandler.start(client, backend);
    }

    private void connectFailed(Throwable cause) {
        BackendNode failed = node;
        node = null;
        failed.connectFailed();
        failed.release();
        if (!router.config().common().quiet()) {
            log(Level.WARNING, "unable to connect() to node \"" + failed.name() + "\" (" + selector.retries()
                    + " retries): " + cause + "; marking it as failed");
        }
        BackendNode next = selector.retry(key, false);
        if (next == null) {
            log(Level.WARNING, "no node accepted the connection: closing");
            Exchange.failed(ctx.channel(), ErrorKind.CONNECT_FAILED);
            close();
            return;
        }
        node = next;
        connect();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        state = State.CLOSED;
        releaseEarly();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseEarly();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (Exceptions.isExpected(cause)) {
            LOG.log(Level.FINE, () -> ctx.channel() + " client error: " + cause);
        } else {
            LOG.log(Level.WARNING, ctx.channel() + " client error", cause);
        }
        close();
    }

    private void close() {
        state = State.CLOSED;
        releaseEarly();
        ctx.close();
    }

    private void releaseNode() {
        if (node != null) {
            node.release();
            node = null;
        }
    }

    private void releaseEarly() {
        Object msg;
        while ((msg = early.poll()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }

    private void log(Level level, String message) {
        if (LOG.isLoggable(level)) {
            LOG.log(level, ctx.channel() + " key=" + key + " " + message);
        }
    }
}
