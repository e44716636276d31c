package io.corerouter.raw;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code --rawrouter-xclient} on the node side (spec §6, Postfix XCLIENT): swallows the node's first
 * line (its {@code 220} banner, up to {@code \r\n}), sends {@code XCLIENT ADDR=<client ip>\r\n}, then
 * removes itself and hands what followed the banner to the relay. The node's answer to XCLIENT (a
 * fresh greeting) is the first thing the client sees. A {@code \r} followed by anything but {@code \n}
 * aborts the session, as in uWSGI; so does a first line longer than {@link #MAX_LINE}.
 *
 * <p>Unlike uWSGI, the client is not read before the XCLIENT line is sent, so client bytes never
 * overtake it.
 */
final class XClientHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = Logger.getLogger(XClientHandler.class.getName());
    /** Longest banner line accepted (uWSGI: the buffer size). */
    static final int MAX_LINE = 4096;

    private final String clientIp;
    private final Runnable onDone;
    private ByteBuf line;
    private boolean done;

    /**
     * @param onDone installs the relay; called after this handler removed itself and the XCLIENT
     *     line was written, before the bytes that followed the banner are passed on
     */
    XClientHandler(String clientIp, Runnable onDone) {
        this.clientIp = clientIp;
        this.onDone = onDone;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        line = ctx.alloc().buffer(256);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (done || !(msg instanceof ByteBuf in)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        try {
            line.writeBytes(in);
        } finally {
            in.release();
        }
        int cr = line.indexOf(line.readerIndex(), line.writerIndex(), (byte) '\r');
        if (cr < 0) {
            if (line.readableBytes() > MAX_LINE) {
                abort(ctx, "banner longer than " + MAX_LINE + " bytes");
            }
            return;
        }
        if (cr + 1 >= line.writerIndex()) {
            return; // the '\n' has not arrived yet
        }
        if (line.getByte(cr + 1) != '\n') {
            abort(ctx, "banner line has a CR without LF");
            return;
        }
        done = true;
        line.readerIndex(cr + 2); // the banner is swallowed
        ByteBuf rest = line;
        line = null;
        ctx.writeAndFlush(ByteBufUtil.writeAscii(ctx.alloc(), "XCLIENT ADDR=" + clientIp + "\r\n"));
        ctx.pipeline().remove(this);
        onDone.run();
        if (rest.isReadable()) {
            ctx.channel().pipeline().fireChannelRead(rest);
            ctx.channel().pipeline().fireChannelReadComplete();
        } else {
            rest.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!done) {
            ctx.read();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        LOG.log(Level.FINE, () -> ctx.channel() + " [rawrouter] node closed before its banner");
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (line != null) {
            line.release();
            line = null;
        }
    }

    private void abort(ChannelHandlerContext ctx, String reason) {
        LOG.log(Level.INFO, () -> ctx.channel() + " [rawrouter] xclient: " + reason + ", closing");
        done = true;
        ctx.close();
    }
}
