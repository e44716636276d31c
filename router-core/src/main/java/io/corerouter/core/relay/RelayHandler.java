package io.corerouter.core.relay;

import io.corerouter.core.log.Exceptions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Relays bytes read on its channel to a peer channel, with backpressure and half-close (STYLE item
 * 9, model: netty socksproxy {@code RelayHandler}). Install one on each side of a pair.
 *
 * <p>Both channels run with {@code AUTO_READ} off. Everything read in one batch is written, then
 * flushed once on {@code channelReadComplete}; the next read is requested only when the peer is
 * writable, otherwise when it becomes writable again. An end of input is passed on as a shutdown of
 * the peer's output (when both are {@link DuplexChannel}s) once the bytes before it are written, so a
 * client that half-closes still gets its reply; the pair closes when both directions are done or on
 * any error. The same handler serves a splice relay (the bytes then bypass the pipeline, but end of
 * input, errors and close still arrive here).
 */
public final class RelayHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = Logger.getLogger(RelayHandler.class.getName());

    private final Channel peer;
    private final TrafficCounter counter;
    private boolean inputDone;

    /** Counts relayed bytes (node tx/rx); may be a no-op. */
    @FunctionalInterface
    public interface TrafficCounter {
        TrafficCounter NONE = bytes -> { };

        void add(long bytes);
    }

    public RelayHandler(Channel peer, TrafficCounter counter) {
        this.peer = peer;
        this.counter = counter;
    }

    /** Starts relaying: call once both handlers are installed. */
    public static void start(Channel a, Channel b) {
        a.read();
        b.read();
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
        if (peer.isWritable()) {
            if (!inputDone) {
                ctx.read();
            }
        }
        // else: channelWritabilityChanged on the peer's relay handler reads this side again
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // This side drained: let the peer read again.
        if (ctx.channel().isWritable() && peer.isActive()) {
            peer.read();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputDone = true;
            if (peer instanceof DuplexChannel duplex && peer.isActive()) {
                // shutdownOutput() fails writes still queued: shut down once everything before it is out
                peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(written -> {
                    if (written.isSuccess()) {
                        duplex.shutdownOutput().addListener(f -> closeIfBothDone(ctx.channel()));
                    } else {
                        ctx.close();
                        peer.close();
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

    private void closeIfBothDone(Channel self) {
        if (self instanceof DuplexChannel duplex && duplex.isOutputShutdown() && duplex.isInputShutdown()) {
            self.close();
            flushAndClose(peer);
        }
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

    /** Flushes what is pending and closes once it is written. */
    public static void flushAndClose(Channel channel) {
        if (channel.isActive()) {
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
