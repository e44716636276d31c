package io.corerouter.core.backend;

import io.corerouter.core.codec.uwsgi.UwsgiVars;
import io.corerouter.core.config.HealthOptions;
import io.corerouter.core.config.NodeProtocol;
import io.corerouter.core.log.Exceptions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * One active check of one node ({@link HealthChecker}), on a connection of its own, on one event
 * loop, within the check timeout (connect, write and answer together):
 *
 * <ul>
 *   <li>without {@code --R-check-path}: the connect is the check;</li>
 *   <li>{@code http://} nodes: {@code GET PATH HTTP/1.1} with {@code Host} (the node's address) and
 *       {@code Connection: close};</li>
 *   <li>{@code puwsgi://} and classic uwsgi nodes: a uwsgi packet with the vars of that GET
 *       ({@code REQUEST_METHOD}, {@code REQUEST_URI}, {@code PATH_INFO}, {@code QUERY_STRING},
 *       {@code SERVER_PROTOCOL}, {@code SERVER_NAME}, {@code SERVER_PORT}, {@code HTTP_HOST}) and the
 *       node's modifiers; both answer with an HTTP status line.</li>
 * </ul>
 *
 * <p>A request check passes on a 2xx or 3xx status line ({@code HTTP/1.x NNN}) in the first
 * {@link #MAX_STATUS_LINE} bytes; the connection is closed as soon as the line is read (the rest of
 * the response is not wanted). Everything else fails: refused, timeout, a close or reset before the
 * line, any other status, a line that is not a status line.
 */
final class HealthCheck extends ChannelInboundHandlerAdapter implements ChannelFutureListener {
    /** Bytes read at most for the status line. */
    static final int MAX_STATUS_LINE = 512;

    private final HealthChecker checker;
    private final BackendNode node;
    private final NodeHealth health;
    private final EventLoop loop;
    private final byte[] line = new byte[MAX_STATUS_LINE];
    private int lineLength;
    private ChannelFuture connect;
    private ScheduledFuture<?> timeout;
    private boolean done;

    HealthCheck(HealthChecker checker, BackendNode node, NodeHealth health, EventLoop loop) {
        this.checker = checker;
        this.node = node;
        this.health = health;
        this.loop = loop;
    }

    /** Connects; runs on {@link #loop}. */
    void start() {
        long millis = checker.timeoutMillis();
        timeout = loop.schedule(() -> finish(false, "timeout after " + millis + "ms"), millis, TimeUnit.MILLISECONDS);
        try {
            connect = checker.connector().connect(loop, node.address());
        } catch (RuntimeException e) {
            finish(false, "connect: " + Exceptions.describe(e));
            return;
        }
        connect.addListener(this);
    }

    @Override
    public void operationComplete(ChannelFuture future) {
        if (done) {
            future.channel().close();
            return;
        }
        if (!future.isSuccess()) {
            Throwable cause = future.cause();
            finish(false, cause instanceof ConnectTimeoutException ? "connect timeout"
                    : "connect: " + Exceptions.describe(cause));
            return;
        }
        if (checker.options().path().isEmpty()) {
            finish(true, "connected");
            return;
        }
        Channel channel = future.channel();
        channel.pipeline().addLast(this);
        channel.writeAndFlush(request(channel.alloc(), checker.options().path().get()))
                .addListener((ChannelFutureListener) written -> {
                    if (!written.isSuccess()) {
                        finish(false, "write: " + Exceptions.describe(written.cause()));
                    }
                });
        channel.read();
    }

    /** The check request for this node: HTTP for {@code http://} nodes, else a uwsgi packet. */
    private ByteBuf request(ByteBufAllocator alloc, String path) {
        SocketAddress address = node.address();
        String host;
        String port;
        if (address instanceof InetSocketAddress inet) {
            String name = inet.getHostString();
            host = name.indexOf(':') >= 0 ? "[" + name + "]" : name;
            port = Integer.toString(inet.getPort());
        } else {
            host = "localhost"; // a UNIX socket has no host name
            port = "80";
        }
        String hostHeader = address instanceof InetSocketAddress ? host + ":" + port : host;
        ByteBuf out = alloc.ioBuffer(256 + 2 * path.length());
        if (node.protocol() == NodeProtocol.HTTP) {
            ByteBufUtil.writeAscii(out, "GET " + path + " HTTP/1.1\r\nHost: " + hostHeader
                    + "\r\nUser-Agent: corerouter-check\r\nConnection: close\r\n\r\n");
            return out;
        }
        int query = path.indexOf('?');
        int header = UwsgiVars.beginPacket(out);
        UwsgiVars.add(out, "REQUEST_METHOD", "GET");
        UwsgiVars.add(out, "REQUEST_URI", path);
        UwsgiVars.add(out, "PATH_INFO", query < 0 ? path : path.substring(0, query));
        UwsgiVars.add(out, "QUERY_STRING", query < 0 ? "" : path.substring(query + 1));
        UwsgiVars.add(out, "SERVER_PROTOCOL", "HTTP/1.1");
        UwsgiVars.add(out, "SERVER_NAME", host);
        UwsgiVars.add(out, "SERVER_PORT", port);
        UwsgiVars.add(out, "HTTP_HOST", hostHeader);
        UwsgiVars.add(out, "HTTP_USER_AGENT", "corerouter-check");
        UwsgiVars.finishPacket(out, header, node.modifier1(), node.modifier2());
        return out;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (done || !(msg instanceof ByteBuf buf)) {
                return;
            }
            int n = Math.min(buf.readableBytes(), line.length - lineLength);
            buf.getBytes(buf.readerIndex(), line, lineLength, n);
            int from = lineLength;
            lineLength += n;
            for (int i = from; i < lineLength; i++) {
                if (line[i] == '\n') {
                    status(i);
                    return;
                }
            }
            if (lineLength == line.length) {
                finish(false, "no status line in the first " + MAX_STATUS_LINE + " bytes");
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    /** Judges the line that ends at {@code end} (its {@code \n}). */
    private void status(int end) {
        // HTTP/1.x SP 3DIGIT
        if (end >= 12 && line[0] == 'H' && line[1] == 'T' && line[2] == 'T' && line[3] == 'P' && line[4] == '/'
                && line[8] == ' ' && digit(line[9]) && digit(line[10]) && digit(line[11])) {
            int code = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
            finish(code >= 200 && code < 400, "status " + code);
            return;
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < Math.min(end, 40); i++) {
            char c = (char) (line[i] & 0xff);
            text.append(c >= ' ' && c < 0x7f ? c : '?');
        }
        finish(false, "not a status line: " + text);
    }

    private static boolean digit(byte b) {
        return b >= '0' && b <= '9';
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!done) {
            ctx.read();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        finish(false, lineLength == 0 ? "closed without an answer" : "closed before a complete status line");
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        finish(false, Exceptions.describe(cause));
    }

    /** Ends the check once: closes its connection and reports to the node's health. */
    private void finish(boolean passed, String detail) {
        if (done) {
            return;
        }
        done = true;
        if (timeout != null) {
            timeout.cancel(false);
        }
        if (connect != null) {
            connect.channel().close(); // also abandons a connect still in progress
        }
        HealthOptions options = checker.options();
        health.checkDone(passed, detail, options.rise(), options.fall());
    }
}
