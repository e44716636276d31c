package io.corerouter.http;

import io.corerouter.core.observe.Exchange;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayDeque;

/**
 * Turns the HTTP messages between the codec and the {@link HttpSession} into one {@link Exchange} per
 * request for the metrics and the access log (issue 12): a request head begins it, the response head
 * gives the status and the time to head, the body pieces its size, the last piece ends it. Requests
 * pipelined behind the one in flight wait here, in order, as the session answers them in order.
 * Interim responses (100 Continue) are not the response; a 101 is, and its tunnel ends with the
 * connection.
 */
final class HttpExchangeObserver extends ChannelDuplexHandler {
    static final String NAME = "observe-http";

    /** Pipelined requests behind the one in flight; made only when a client pipelines. */
    private ArrayDeque<HttpRequest> waiting;
    private Exchange exchange;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        exchange = Exchange.of(ctx.channel());
        if (exchange == null) {
            ctx.pipeline().remove(this); // a pipeline without ObserveHandler (unit tests)
        } else {
            exchange.perRequest();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            if (exchange.active()) {
                if (waiting == null) {
                    waiting = new ArrayDeque<>(2);
                }
                waiting.add(request);
            } else {
                begin(request);
            }
        }
        ctx.fireChannelRead(msg);
    }

    private void begin(HttpRequest request) {
        exchange.begin(System.nanoTime());
        exchange.request(request);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (exchange.active()) {
            if (msg instanceof HttpResponse response) {
                int code = response.status().code();
                if (code >= 200 || code == 101) {
                    exchange.responseHead(code, System.nanoTime());
                }
            }
            if (msg instanceof HttpContent content && exchange.headSent()) {
                exchange.addSize(content.content().readableBytes());
                if (msg instanceof LastHttpContent) {
                    exchange.end(System.nanoTime());
                    HttpRequest next = waiting == null ? null : waiting.poll();
                    if (next != null) {
                        begin(next);
                    }
                }
            }
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        waiting = null; // never answered: the connection closed before the session read them
        ctx.fireChannelInactive();
    }
}
