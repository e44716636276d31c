package io.corerouter.core.relay;

import io.corerouter.core.log.Exceptions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Relays bytes read on its channel to a peer channel, with backpressure and half-close (STYLE item
 * 9, model: netty socksproxy {@code RelayHandler}). Install one on each side of a pair, then
 * {@link #start} them.
 *
 * <p>Backpressure: while relaying, a side reads as long as its peer is writable. Everything read in
 * one batch is written, then flushed once on {@code channelReadComplete}; when the peer's outbound
 * buffer passes its high-water mark, this side stops reading ({@code AUTO_READ} off) until the peer
 * drained. Auto-read is left on otherwise, because toggling it per read costs two {@code epoll_ctl}
 * calls per read on the epoll transport.
 *
 * <p>Half-close: an end of input is passed on as a shutdown of the peer's output (when both are
 * {@link DuplexChannel}s; a TLS peer first gets a close_notify) once the bytes before it are written, so a client that half-closes still
 * gets its reply; the pair closes when both directions are done or on any error. A relay built with
 * {@code halfClose = false} instead ends the pair at the end of its input, once pending bytes are
 * flushed (a uwsgi node's close ends its response, spec §1.4).
 *
 * <p>Closing the <em>peer</em> is always deferred to a task of its event loop: closing it inline, from
 * inside another channel's event, frees its descriptor while epoll may still hold an event for it in
 * the batch being processed; a socket opened in the same batch can reuse the descriptor and receive
 * that stale event (observed under load as connects failing with {@code epoll_ctl} ENOENT).
 *
 * <p>The same handler serves a splice relay (bytes then bypass the pipeline, but end of input,
 * errors and close still arrive here).
 */
public final class RelayHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = Logger.getLogger(RelayHandler.class.getName());

    private final Channel peer;
    private final TrafficCounter counter;
    private final boolean halfClose;

    /** Counts relayed bytes (node tx/rx); may be a no-op. */
    @FunctionalInterface
    public interface TrafficCounter {
        TrafficCounter NONE = bytes -> { };

        void add(long bytes);
    }

    /** A relay that honours half-close: the end of this side's input shuts down the peer's output. */
    public RelayHandler(Channel peer, TrafficCounter counter) {
        this(peer, counter, true);
    }

    /**
     * @param halfClose {@code true}: the end of this side's input shuts down the peer's output, and
     *     the pair closes when both directions are done; {@code false}: it closes the pair once the
     *     pending bytes are written
     */
    public RelayHandler(Channel peer, TrafficCounter counter, boolean halfClose) {
        this.peer = peer;
        this.counter = counter;
        this.halfClose = halfClose;
    }

    /** Starts relaying in both directions: call once both handlers are installed. */
    public static void start(Channel a, Channel b) {
        a.config().setAutoRead(true);
        b.config().setAutoRead(true);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!peer.isActive()) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof ByteBuf buf) {
            counter.add(buf.readableBytes());
        }
        peer.write(msg, peer.voidPromise());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        peer.flush();
        if (!peer.isWritable()) {
            // the peer's channelWritabilityChanged turns reading back on
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // This side drained: let the peer read again.
        if (ctx.channel().isWritable() && peer.isActive()) {
            peer.config().setAutoRead(true);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            if (halfClose && peer instanceof DuplexChannel duplex && peer.isActive()) {
                // shutdownOutput() fails writes still queued: shut down once everything before it is out;
                // a TLS peer is told with close_notify before the FIN, else it sees a truncation attack
                SslHandler tls = peer.pipeline().get(SslHandler.class);
                peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(written -> {
                    if (!written.isSuccess()) {
                        closeLater(ctx.channel());
                        closeLater(peer);
                    } else if (tls != null) {
                        tls.closeOutbound().addListener(f -> duplex.shutdownOutput()
                                .addListener(g -> peerOutputDone(ctx.channel())));
                    } else {
                        duplex.shutdownOutput().addListener(f -> peerOutputDone(ctx.channel()));
                    }
                });
            } else {
                flushAndClose(peer);
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    /**
     * This side's input and the peer's output are done. If the other direction is done too, the pair
     * closes; else the peer is told to close at its own end of input (no half-closure left to keep:
     * Netty then closes it directly instead of shutting its input down, de-registering it from epoll
     * and firing an event).
     */
    private void peerOutputDone(Channel self) {
        if (!closeIfBothDone(self) && peer.isActive()) {
            peer.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, false);
        }
    }

    private boolean closeIfBothDone(Channel self) {
        if (self instanceof DuplexChannel duplex && duplex.isOutputShutdown() && duplex.isInputShutdown()) {
            closeLater(self);
            flushAndClose(peer);
            return true;
        }
        return false;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        flushAndClose(peer);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (Exceptions.isExpected(cause)) {
            LOG.log(Level.FINE, () -> ctx.channel() + " relay closed: " + cause);
        } else {
            LOG.log(Level.WARNING, ctx.channel() + " relay error", cause);
        }
        ctx.close();
        flushAndClose(peer);
    }

    /**
     * Flushes what is pending and closes once it is written, from a task of the channel's event loop
     * (see the class comment: never free a descriptor from inside another channel's event).
     */
    public static void flushAndClose(Channel channel) {
        if (channel.isActive()) {
            channel.eventLoop().execute(() ->
                    channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE));
        }
    }

    /** Closes {@code channel} from a task of its event loop. */
    public static void closeLater(Channel channel) {
        if (channel.isOpen()) {
            channel.eventLoop().execute(() -> channel.close());
        }
    }
}
