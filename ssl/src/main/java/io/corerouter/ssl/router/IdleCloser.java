package io.corerouter.ssl.router;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Closes a channel that was idle in both directions for the router's timeout (spec §3, {@code --R-timeout}). */
@ChannelHandler.Sharable
final class IdleCloser extends ChannelInboundHandlerAdapter {
    static final String NAME = "idle-closer";
    static final IdleCloser INSTANCE = new IdleCloser();
    private static final Logger LOG = Logger.getLogger(IdleCloser.class.getName());

    private IdleCloser() {
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            LOG.log(Level.FINE, () -> ctx.channel() + " closing: idle timeout");
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }
}
