package io.corerouter.raw;

import io.corerouter.core.backend.BackendConnector;
import io.corerouter.core.backend.BackendNode;
import io.corerouter.core.backend.ConnectAttempts;
import io.corerouter.core.backend.NodeSelector;
import io.corerouter.core.error.ErrorKind;
import io.corerouter.core.error.RouterException;
import io.corerouter.core.observe.Exchange;
import io.corerouter.core.log.Exceptions;
import io.corerouter.core.relay.RelayHandler;
import io.corerouter.core.server.HandlerNames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.epoll.AbstractEpollStreamChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One rawrouter connection (spec §6): the node is chosen by the listener's name and connected at
 * accept time, before any client byte; with {@code --rawrouter-xclient} the node's banner is swapped
 * for an XCLIENT line; then both sides relay bytes untouched, with backpressure and half-close in both
 * directions, through {@link RelayHandler}s, or with {@code --rawrouter-splice} through
 * {@code splice(2)} (Netty's {@link AbstractEpollStreamChannel#spliceTo}), bytes never entering the JVM.
 *
 * <p>Lifecycle ({@link State}): {@code CONNECTING} (retries per {@code --rawrouter-max-retries}), then
 * {@code XCLIENT} (optional), then the session replaces itself with the relay; a failure closes the
 * client, since a raw stream has no protocol to answer in (deviations.md).
 */
final class RawSession extends ChannelInboundHandlerAdapter implements ConnectAttempts.Callback {
    private static final Logger LOG = Logger.getLogger(RawSession.class.getName());

    enum State { CONNECTING, XCLIENT, RELAYING, CLOSED }

    private final RawRouterContext router;
    private final String key;
    private final NodeSelector selector;
    private ChannelHandlerContext ctx;
    private State state = State.CONNECTING;
    private ConnectAttempts attempts;
    /** Client bytes that arrived before the relay started (epoll reads on a half-close even with AUTO_READ off). */
    private final ArrayDeque<ByteBuf> early = new ArrayDeque<>(2);
    private boolean clientInputDone;
    private long toNode;
    private long fromNode;

    RawSession(RawRouterContext router, String key) {
        this.router = router;
        this.key = key;
        this.selector = router.newSelector();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.fireChannelActive();
        BackendNode node = selector.first(key);
        if (node == null) {
            LOG.log(Level.WARNING, () -> ctx.channel() + " [rawrouter] key=" + key + " no node available, closing");
            Exchange.failed(ctx.channel(), ErrorKind.NO_NODE);
            close();
            return;
        }
        attempts = new ConnectAttempts(router.connector(), selector, ctx.channel().eventLoop(), router.quiet(),
                "rawrouter", ctx.channel(), this);
        attempts.start(key, node);
    }

    @Override
    public void connected(BackendNode node, Channel backend) {
        attempts = null;
        if (state != State.CONNECTING || !ctx.channel().isActive()) {
            backend.close();
            node.release();
            return;
        }
        BackendConnector.allowHalfClosure(backend); // half-close is relayed both ways
        Exchange.node(ctx.channel(), node.name(), key);
        backend.closeFuture().addListener(f -> {
            node.addTraffic(fromNode, toNode);
            node.release();
            if (state != State.RELAYING) {
                close(); // the node left before the relay started (e.g. during the XCLIENT exchange)
            }
        });
        if (router.xclient() && ctx.channel().remoteAddress() instanceof InetSocketAddress client
                && client.getAddress() != null) {
            state = State.XCLIENT;
            backend.pipeline().addLast(HandlerNames.XCLIENT,
                    new XClientHandler(client.getAddress().getHostAddress(), () -> startRelay(backend)));
            backend.read();
        } else {
            startRelay(backend);
        }
    }

    @Override
    public void failed(RouterException failure) {
        attempts = null;
        LOG.log(Level.WARNING, () -> ctx.channel() + " [rawrouter] key=" + key + " " + failure.getMessage() + ", closing");
        Exchange.failed(ctx.channel(), failure.kind());
        close();
    }

    private void startRelay(Channel backend) {
        if (state == State.CLOSED) {
            backend.close();
            return;
        }
        state = State.RELAYING;
        Channel client = ctx.channel();
        ByteBuf buf;
        while ((buf = early.poll()) != null) {
            toNode += buf.readableBytes();
            backend.write(buf, backend.voidPromise());
        }
        backend.pipeline().addLast(HandlerNames.RELAY, new RelayHandler(client, n -> fromNode += n));
        ctx.pipeline().replace(this, HandlerNames.RELAY, new RelayHandler(backend, n -> toNode += n));
        boolean spliced = router.splice() && client instanceof AbstractEpollStreamChannel
                && backend instanceof AbstractEpollStreamChannel;
        if (spliced && client.pipeline().get(HandlerNames.IDLE_TIMEOUT) != null) {
            // spliced bytes bypass the pipeline, so the idle handler would see a busy connection as idle
            client.pipeline().remove(HandlerNames.IDLE_TIMEOUT);
        }
        if (clientInputDone) {
            // the client already sent everything and half-closed: pass that on, relay the reply only
            shutdownOutputAfterWrites(backend);
            if (spliced) {
                spliceOneWay((AbstractEpollStreamChannel) backend, (AbstractEpollStreamChannel) client);
            } else {
                backend.config().setAutoRead(true);
            }
        } else if (spliced) {
            backend.flush();
            spliceOneWay((AbstractEpollStreamChannel) client, (AbstractEpollStreamChannel) backend);
            spliceOneWay((AbstractEpollStreamChannel) backend, (AbstractEpollStreamChannel) client);
        } else {
            backend.flush();
            RelayHandler.start(client, backend);
        }
    }

    /**
     * Zero-copy relay of one direction: {@code from} splices into a pipe and out to {@code to}. Netty
     * pauses {@code from} while {@code to} cannot take more (backpressure); the relay handlers still see
     * end of input (half-close), errors and close.
     */
    @SuppressWarnings("deprecation") // Netty 4.2 deprecates spliceTo without a replacement; it works as in 4.1
    private static void spliceOneWay(AbstractEpollStreamChannel from, AbstractEpollStreamChannel to) {
        ChannelFuture spliced = from.spliceTo(to, Integer.MAX_VALUE);
        spliced.addListener(f -> closeOnFailure(f.isSuccess(), from, to));
        from.config().setAutoRead(true);
    }

    private static void closeOnFailure(boolean success, Channel a, Channel b) {
        if (!success) {
            RelayHandler.flushAndClose(a);
            RelayHandler.flushAndClose(b);
        }
    }

    private static void shutdownOutputAfterWrites(Channel channel) {
        if (channel instanceof DuplexChannel duplex) {
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
                if (f.isSuccess()) {
                    duplex.shutdownOutput();
                }
            });
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf && state != State.CLOSED) {
            early.add(buf); // forwarded first when the relay starts
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            clientInputDone = true; // passed on to the node once the relay starts
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        close();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (Exceptions.isExpected(cause)) {
            LOG.log(Level.FINE, () -> ctx.channel() + " [rawrouter] client error: " + cause);
        } else {
            LOG.log(Level.WARNING, ctx.channel() + " [rawrouter] client error", cause);
        }
        close();
    }

    private void close() {
        if (state == State.RELAYING) {
            return; // the relay owns both channels now
        }
        state = State.CLOSED;
        ByteBuf buf;
        while ((buf = early.poll()) != null) {
            buf.release();
        }
        if (attempts != null) {
            attempts.cancel();
            attempts = null;
        }
        // from a task: this may run inside the node channel's event (see RelayHandler)
        RelayHandler.closeLater(ctx.channel());
    }
}
