package io.corerouter.core.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code --R-timeout} for routers that relay bytes (spec §3.3): a client connection with no byte read
 * from it and no byte written to it for the timeout is closed. Written bytes include what a node sent
 * back, so a session whose node is still answering does not expire; uWSGI resets the client's timer on
 * node events the same way.
 */
public final class IdleCloseHandler extends IdleStateHandler {
    private static final Logger LOG = Logger.getLogger(IdleCloseHandler.class.getName());

    public IdleCloseHandler(Duration timeout) {
        super(0, 0, timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent evt) {
        LOG.log(Level.FINE, () -> ctx.channel() + " idle timeout: closing");
        ctx.close();
    }
}
