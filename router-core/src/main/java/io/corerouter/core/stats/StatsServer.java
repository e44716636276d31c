package io.corerouter.core.stats;

import io.corerouter.core.config.Endpoint;
import io.corerouter.core.config.StatsOptions;
import io.corerouter.core.transport.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A router's stats server (spec §3.11, {@code --R-stats ADDR}): every connection gets one JSON
 * document and is closed. With {@code --stats-http} the server first reads the client's request (any
 * bytes) and answers with uWSGI's HTTP/1.0 head, so browsers and {@code curl} work; a request line
 * whose path is one of the {@linkplain #withPages pages} ({@code /metrics}, {@code /status}) gets that
 * page instead of the JSON (issue 12).
 *
 * <p>Runs on the event-loop group it is given (the process's auxiliary loop, not the routers'), so
 * rendering a large table never delays a request.
 */
public final class StatsServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(StatsServer.class.getName());
    /** uWSGI's head, byte for byte. */
    static final String HTTP_HEAD = "HTTP/1.0 200 OK\r\nConnection: close\r\nAccess-Control-Allow-Origin: *\r\n"
            + "Content-Type: application/json\r\n\r\n";
    /** How long a {@code --stats-http} client may take to send its request. */
    private static final long REQUEST_TIMEOUT_SECONDS = 30;

    private final String routerName;
    private final Transport transport;
    private final EventLoopGroup group;
    private final StatsDocument document;
    private final StatsOptions options;
    private Map<String, StatsPage> pages = Map.of();
    private Channel channel;

    public StatsServer(String routerName, Transport transport, EventLoopGroup group, StatsDocument document,
            StatsOptions options) {
        this.routerName = routerName;
        this.transport = transport;
        this.group = group;
        this.document = document;
        this.options = options;
    }

    /** Pages by path ({@code /metrics}), answered with {@code --stats-http}; set before {@link #bind}. */
    public StatsServer withPages(Map<String, StatsPage> pages) {
        this.pages = Map.copyOf(pages);
        return this;
    }

    /** Binds {@code endpoint} (TCP or UNIX); blocks until bound, start-up only. */
    public Channel bind(Endpoint endpoint) throws Exception {
        Responder responder = new Responder(document, options, pages);
        channel = new ServerBootstrap()
                .group(group)
                .channelFactory(transport.serverChannel(endpoint.toSocketAddress()))
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (options.http()) {
                            ch.pipeline().addLast(new IdleStateHandler(REQUEST_TIMEOUT_SECONDS, 0, 0, TimeUnit.SECONDS));
                        }
                        ch.pipeline().addLast(responder);
                    }
                })
                .bind(endpoint.toSocketAddress()).sync().channel();
        LOG.info(() -> routerName + " stats server enabled on " + endpoint.name() + " (" + channel.localAddress() + ")");
        return channel;
    }

    /** The bound channel, null before {@link #bind}. */
    public Channel channel() {
        return channel;
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    /** Writes the document on connect (or after the request with {@code --stats-http}) and closes. */
    @ChannelHandler.Sharable
    private static final class Responder extends ChannelInboundHandlerAdapter {
        private final StatsDocument document;
        private final StatsOptions options;
        private final Map<String, StatsPage> pages;

        Responder(StatsDocument document, StatsOptions options, Map<String, StatsPage> pages) {
            this.document = document;
            this.options = options;
            this.pages = pages;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            if (options.http()) {
                ctx.read();
            } else {
                respond(ctx);
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            StatsPage page = null;
            try {
                if (msg instanceof ByteBuf request && !pages.isEmpty()) {
                    page = pages.get(path(request));
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
            if (ctx.channel().isActive() && options.http()) {
                if (page != null) {
                    respond(ctx, page);
                } else {
                    respond(ctx);
                }
            }
        }

        /**
         * The path of the request line at the start of {@code request} ({@code GET /metrics?x HTTP/1.1}:
         * {@code /metrics}), or "" when the first read does not hold it.
         */
        static String path(ByteBuf request) {
            int end = request.indexOf(request.readerIndex(), request.writerIndex(), (byte) '\n');
            String line = request.toString(request.readerIndex(),
                    (end < 0 ? request.writerIndex() : end) - request.readerIndex(), StandardCharsets.ISO_8859_1);
            String[] parts = line.trim().split(" ");
            if (parts.length < 2) {
                return "";
            }
            String target = parts[1];
            int query = target.indexOf('?');
            return query < 0 ? target : target.substring(0, query);
        }

        private void respond(ChannelHandlerContext ctx, StatsPage page) {
            byte[] body = page.render();
            String head = "HTTP/1.0 200 OK\r\nConnection: close\r\nContent-Type: " + page.contentType()
                    + "\r\nContent-Length: " + body.length + "\r\nCache-Control: no-store\r\n\r\n";
            ByteBuf out = ctx.alloc().buffer(head.length() + body.length);
            ByteBufUtil.writeAscii(out, head);
            out.writeBytes(body);
            ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
            ctx.pipeline().remove(this);
            ctx.pipeline().addLast(Discard.INSTANCE);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                ctx.close();
            }
            ReferenceCountUtil.release(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.log(Level.FINE, () -> ctx.channel() + " stats client error: " + cause);
            ctx.close();
        }

        private void respond(ChannelHandlerContext ctx) {
            String json = document.render(options.minified());
            ByteBuf out = ctx.alloc().buffer((options.http() ? HTTP_HEAD.length() : 0) + json.length() + 1);
            if (options.http()) {
                ByteBufUtil.writeAscii(out, HTTP_HEAD);
            }
            ByteBufUtil.writeAscii(out, json);
            out.writeByte('\n');
            ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
            // answered: later reads (the rest of an HTTP request) are ignored
            ctx.pipeline().remove(this);
            ctx.pipeline().addLast(Discard.INSTANCE);
        }
    }

    /** Drops whatever the client sends after its answer. */
    @ChannelHandler.Sharable
    private static final class Discard extends ChannelInboundHandlerAdapter {
        static final Discard INSTANCE = new Discard();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
