package io.corerouter.http;

import io.corerouter.core.error.ErrorKind;
import io.corerouter.core.error.RouterException;
import io.corerouter.core.log.Exceptions;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.OptionalInt;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code --http-to-https}: answers the first request of a connection with
 * {@code 301 Moved Permanently} and {@code Location: https://HOST[:PORT]URI}, then closes (spec §4.12).
 * HOST is the routing key (the Host header, else the host name) up to its first {@code ':'}; PORT is
 * the one configured after the listener address.
 */
final class HttpsRedirectHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = Logger.getLogger(HttpsRedirectHandler.class.getName());

    private final String serverName;
    private final String portSuffix;
    private boolean answered;

    HttpsRedirectHandler(String serverName, OptionalInt httpsPort) {
        this.serverName = serverName;
        this.portSuffix = httpsPort.isPresent() ? ":" + httpsPort.getAsInt() : "";
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (answered || !(msg instanceof HttpRequest request)) {
                return;
            }
            answered = true;
            FullHttpResponse response;
            if (request.decoderResult().isFailure()) {
                response = ErrorResponses.of(ctx.alloc(), new RouterException(ErrorKind.BAD_REQUEST,
                        "malformed request: " + request.decoderResult().cause().getMessage()));
            } else {
                try {
                    String key = RoutingKey.of(request.headers(), null, serverName);
                    int colon = key.indexOf(':');
                    String host = colon < 0 ? key : key.substring(0, colon);
                    response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.MOVED_PERMANENTLY,
                            Unpooled.EMPTY_BUFFER);
                    response.headers()
                            .set(HttpHeaderNames.LOCATION, "https://" + host + portSuffix + request.uri())
                            .setInt(HttpHeaderNames.CONTENT_LENGTH, 0)
                            .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                } catch (BadRequestException e) {
                    response = ErrorResponses.of(ctx.alloc(), new RouterException(ErrorKind.BAD_REQUEST, e.getMessage()));
                }
            }
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!answered) {
            ctx.read();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (Exceptions.isExpected(cause)) {
            LOG.log(Level.FINE, () -> ctx.channel() + " redirect: " + cause);
        } else {
            LOG.log(Level.WARNING, ctx.channel() + " redirect error", cause);
        }
        ctx.close();
    }
}
