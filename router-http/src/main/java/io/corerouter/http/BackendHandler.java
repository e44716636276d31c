package io.corerouter.http;

import io.corerouter.core.pool.PoolUser;
import io.corerouter.core.pool.PooledConnection;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * The backend end of an HTTP session: hands the decoded response and the channel's events to the
 * {@link HttpSession} that owns the connection. Both run on the same event loop.
 *
 * <p>Sharable: a session makes one and adds it to each of its backend channels (one per request),
 * stateless apart from the session; the session tells its current backend from a stale one by channel.
 * For a pooled node connection it is the {@link PoolUser} the connection's own handler calls while the
 * session holds the lease.
 */
@ChannelHandler.Sharable
final class BackendHandler extends ChannelInboundHandlerAdapter implements PoolUser {
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

    @Override
    public void poolRead(PooledConnection connection, Object msg) {
        session.onBackendMessage(connection.channel(), msg);
    }

    @Override
    public void poolReadComplete(PooledConnection connection) {
        session.onBackendReadComplete(connection.channel());
    }

    @Override
    public void poolWritabilityChanged(PooledConnection connection) {
        session.onBackendWritabilityChanged(connection.channel());
    }

    @Override
    public void poolInactive(PooledConnection connection) {
        session.onBackendInactive(connection.channel());
    }

    @Override
    public void poolError(PooledConnection connection, Throwable cause) {
        session.onBackendError(connection.channel(), cause);
    }
}
