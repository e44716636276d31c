package io.corerouter.core.observe;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;

/**
 * The first handler of every client connection of a router: counts the connection, the bytes in and
 * out (as they cross the socket, so TLS records included), and keeps the connection's
 * {@link Exchange}. For byte routers (rawrouter, sslrouter) and the fastrouter the exchange is the
 * connection: it begins when the connection opens and ends when it closes, and a response that starts
 * with an HTTP status line gives the status. The HTTP router drives the exchange per request instead
 * ({@link Exchange#perRequest()}).
 *
 * <p>Bytes are summed in plain fields and added to the router's adders once per read batch and at
 * close: no shared write per message.
 */
public final class ObserveHandler extends ChannelDuplexHandler {
    /** Handler name. */
    public static final String NAME = "observe";

    private final RouterObserver observer;
    private final ListenerCounters listener;
    private Exchange exchange;
    private long in;
    private long out;

    public ObserveHandler(RouterObserver observer, ListenerCounters listener) {
        this.observer = observer;
        this.listener = listener;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        exchange = new Exchange(observer, listener);
        ctx.channel().attr(Exchange.KEY).set(exchange);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        listener.opened();
        exchange.remote = ctx.channel().remoteAddress();
        if (!exchange.perRequest) {
            exchange.begin(System.nanoTime());
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            in += buf.readableBytes();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        flushCounts();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        long bytes = sizeOf(msg);
        out += bytes;
        if (!exchange.perRequest && exchange.active) {
            if (!exchange.headSent() && msg instanceof ByteBuf buf) {
                int status = HttpStatusLine.status(buf);
                exchange.responseHead(status, System.nanoTime());
            }
            exchange.addSize(bytes);
        }
        ctx.write(msg, promise);
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        if (out > 0) {
            flushCounts();
        }
        ctx.flush();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        flushCounts();
        listener.closed();
        exchange.end(System.nanoTime());
        ctx.fireChannelInactive();
    }

    private void flushCounts() {
        observer.bytes(in, out);
        in = 0;
        out = 0;
    }

    private static long sizeOf(Object msg) {
        if (msg instanceof ByteBuf buf) {
            return buf.readableBytes();
        }
        if (msg instanceof ByteBufHolder holder) {
            return holder.content().readableBytes();
        }
        if (msg instanceof FileRegion region) {
            return region.count();
        }
        return 0;
    }
}
