package io.corerouter.core.server;

import io.corerouter.core.timer.IdleTimeoutHandler;
import io.netty.channel.ChannelHandlerContext;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code --R-timeout} for routers that relay bytes (spec §3.3): a client connection with no byte read
 * from it and no byte written to it for the timeout is closed. Written bytes include what a node sent
 * back, so a session whose node is still answering does not expire; uWSGI resets the client's timer on
 * node events the same way. The timer is the event loop's shared wheel ({@link IdleTimeoutHandler}).
 */
public final class IdleCloseHandler extends IdleTimeoutHandler {
    private static final Logger LOG = Logger.getLogger(IdleCloseHandler.class.getName());

    public IdleCloseHandler(Duration timeout) {
        super(timeout);
    }

    @Override
    protected void idle(ChannelHandlerContext ctx) {
        LOG.log(Level.FINE, () -> ctx.channel() + " idle timeout: closing");
        ctx.close();
    }
}
