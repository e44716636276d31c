package io.corerouter.http;

import io.corerouter.core.error.ErrorKind;
import io.corerouter.core.error.RouterException;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code --http-max-connections} (new): counts the router's open client connections in a counter
 * shared by all its event loops. A connection over the limit is refused cleanly: it gets a
 * {@code 503} with {@code Connection: close} and is closed; the session behind never sees it become
 * active, so it reads nothing and connects nowhere. Sits after the HTTP codec so the 503 is encoded
 * (and encrypted on an https listener).
 */
final class ConnectionLimiter extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = Logger.getLogger(ConnectionLimiter.class.getName());

    private final AtomicInteger open;
    private final int max;
    private boolean counted;
    private boolean refused;

    ConnectionLimiter(AtomicInteger open, int max) {
        this.open = open;
        this.max = max;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        counted = true;
        if (open.incrementAndGet() <= max) {
            ctx.fireChannelActive();
            return;
        }
        refused = true;
        LOG.log(Level.WARNING, () -> ctx.channel() + " refusing the connection: " + max
                + " connections open (http-max-connections)");
        RouterException failure = new RouterException(ErrorKind.OVERLOADED, "too many connections");
        ctx.writeAndFlush(ErrorResponses.of(ctx.alloc(), failure)).addListener(ChannelFutureListener.CLOSE);
        ctx.read(); // lets a TLS handshake in front of us make progress; whatever arrives is dropped
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused) {
            ReferenceCountUtil.release(msg);
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (counted) {
            counted = false;
            open.decrementAndGet();
        }
        ctx.fireChannelInactive();
    }
}
