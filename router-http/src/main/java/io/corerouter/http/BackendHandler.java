package io.corerouter.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * The backend end of an HTTP session: hands the decoded response and the channel's events to the
 * {@link HttpSession} that owns the connection. Both run on the same event loop.
 *
 * <p>Sharable: a session makes one and adds it to each of its backend channels (one per request),
 * stateless apart from the session; the session tells its current backend from a stale one by channel.
 */
@ChannelHandler.Sharable
final class BackendHandler extends ChannelInboundHandlerAdapter {
    private final HttpSession session;

    BackendHandler(HttpSession session) {
        this.session = session;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        session.onBackendMessage(ctx.channel(), msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        session.onBackendReadComplete(ctx.channel());
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        session.onBackendWritabilityChanged(ctx.channel());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        session.onBackendInactive(ctx.channel());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        session.onBackendError(ctx.channel(), cause);
    }
}
