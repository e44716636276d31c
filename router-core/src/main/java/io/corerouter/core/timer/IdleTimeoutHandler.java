package io.corerouter.core.timer;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.timeout.IdleStateEvent;
import java.time.Duration;

/**
 * {@code --R-timeout} on a client connection: when nothing was read from it and nothing written to it
 * for the timeout, an {@link IdleStateEvent#ALL_IDLE_STATE_EVENT} goes up the pipeline (the session
 * decides what it means), and again after each further idle period, as Netty's
 * {@code IdleStateHandler(0, 0, timeout)} does. Written bytes include what a node sent back, so a
 * session whose node is still answering does not expire; uWSGI resets the client's timer on node
 * events the same way.
 *
 * <p>The timer is the loop's {@link TimerWheel}: traffic only stamps the time in a field, and the
 * wheel's sweep, finding the deadline moved, files the timeout again for the rest. Precision is the
 * wheel's (fires 0-0.5 s after the deadline).
 */
public class IdleTimeoutHandler extends ChannelDuplexHandler {
    private final long timeoutNanos;
    private ChannelHandlerContext ctx;
    private TimerWheel.Timeout timer;
    /** Last read batch or write, by the wheel's clock. */
    private long lastActivity;

    public IdleTimeoutHandler(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        TimerWheel wheel = TimerWheel.of(ctx.executor());
        timer = new TimerWheel.Timeout(wheel) {
            @Override
            protected void expired() {
                onTimer();
            }
        };
        if (ctx.channel().isActive()) {
            start();
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        timer.cancel();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start();
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        timer.cancel();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        lastActivity = timer.wheel().nanoTime();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        lastActivity = timer.wheel().nanoTime();
        ctx.write(msg, promise);
    }

    private void start() {
        if (!timer.armed()) {
            lastActivity = timer.wheel().nanoTime();
            timer.arm(timeoutNanos);
        }
    }

    private void onTimer() {
        if (!ctx.channel().isActive()) {
            return;
        }
        long idle = timer.wheel().nanoTime() - lastActivity;
        if (idle < timeoutNanos) {
            timer.arm(timeoutNanos - idle); // traffic since the timer was set
            return;
        }
        timer.arm(timeoutNanos); // the next idle period, as IdleStateHandler reports them
        idle(ctx);
    }

    /** The connection was idle for the timeout: tells the pipeline. Subclasses may close instead. */
    protected void idle(ChannelHandlerContext ctx) {
        ctx.fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
    }
}
