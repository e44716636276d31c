package io.corerouter.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;

/**
 * On an https listener with HTTP/2 on: once the handshake is done, switches the connection to HTTP/2
 * when the client chose {@code h2} by ALPN ({@link Http2Front#switchTo}); otherwise (an HTTP/1.1 client,
 * or a certificate picked by SNI, whose context offers no ALPN) the HTTP/1.1 handlers stay. Either way it
 * leaves the pipeline: an idle connection does not keep it.
 */
final class Http2AlpnSwitch extends ChannelInboundHandlerAdapter {
    private final Http2Front front;
    private final HttpRouterContext router;

    Http2AlpnSwitch(Http2Front front, HttpRouterContext router) {
        this.front = front;
        this.router = router;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent done && done.isSuccess()) {
            SslHandler ssl = ctx.pipeline().get(SslHandler.class);
            if (ssl != null && "h2".equals(ssl.applicationProtocol())) {
                front.switchTo(ctx, router);
            }
            ctx.pipeline().remove(this);
        }
        ctx.fireUserEventTriggered(evt);
    }
}
