package io.corerouter.core.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.time.Duration;
import io.corerouter.core.timer.TimerWheel;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * {@code --R-harakiri N}: a request that is still running N seconds after it started is killed: the
 * client connection (and with it the node connection) is closed and the kill is logged once, as uWSGI's
 * {@code *** HARAKIRI ***} lines are.
 *
 * <p>uWSGI's gateway harakiri watches one event-loop round (spec §3.1), which a non-blocking Netty
 * loop never makes long; what an operator wants from it is that nothing stays stuck, so here it bounds
 * each request instead. The clock starts when the connection is accepted; routers with several
 * requests per connection (HTTP keep-alive) {@link #stop} it between requests and {@link #restart} it
 * for the next. A raw relay is one request: set harakiri only for short-lived protocols there.
 *
 * <p>The clock is the event loop's {@link TimerWheel}: restarting it per request allocates nothing,
 * and a kill comes 0-0.5 s after the limit.
 */
public final class HarakiriHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = Logger.getLogger(HarakiriHandler.class.getName());

    private final String routerName;
    private final long limitNanos;
    private ChannelHandlerContext ctx;
    private TimerWheel.Timeout timer;

    public HarakiriHandler(String routerName, Duration limit) {
        this.routerName = routerName;
        this.limitNanos = limit.toNanos();
    }

    /** Restarts the clock of {@code channel}'s harakiri handler, if it has one (a new request begins). */
    public static void restart(Channel channel) {
        HarakiriHandler handler = channel.pipeline().get(HarakiriHandler.class);
        if (handler != null) {
            handler.arm();
        }
    }

    /** Stops the clock of {@code channel}'s harakiri handler, if it has one (the request is done). */
    public static void stop(Channel channel) {
        HarakiriHandler handler = channel.pipeline().get(HarakiriHandler.class);
        if (handler != null) {
            handler.cancel();
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.timer = new TimerWheel.Timeout(TimerWheel.of(ctx.executor())) {
            @Override
            protected void expired() {
                expire();
            }
        };
        if (ctx.channel().isActive()) {
            arm();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        arm();
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    private void arm() {
        timer.arm(limitNanos);
    }

    private void cancel() {
        timer.cancel();
    }

    private void expire() {
        if (ctx.channel().isActive()) {
            LOG.warning(() -> "*** HARAKIRI ON " + routerName + " " + ctx.channel() + " client="
                    + ctx.channel().remoteAddress() + ": request still running after "
                    + TimeUnit.NANOSECONDS.toSeconds(limitNanos) + "s, closing ***");
            ctx.close();
        }
    }
}
