package io.corerouter.http;

import io.corerouter.core.observe.Exchange;
import io.corerouter.core.observe.Http2Counters;
import io.corerouter.core.observe.ListenerCounters;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameLogger;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.logging.LogLevel;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sees the frames of every HTTP/2 connection through the hook Netty gives its frame logger, and turns
 * the few that matter into counters and log lines (issue 11): client resets, refused streams, the
 * 431 answers Netty writes itself, and every GOAWAY sent with its reason (a flood limit, a stop, an
 * idle connection). Every other frame costs one call that does nothing. Stateless: one per router.
 */
final class Http2FrameCounter extends Http2FrameLogger {
    private static final Logger LOG = Logger.getLogger(Http2FrameCounter.class.getName());
    private static final String STATUS_431 = "431";

    Http2FrameCounter() {
        super(LogLevel.TRACE, Http2FrameCounter.class);
    }

    private static Http2Counters counters(ChannelHandlerContext ctx) {
        Exchange exchange = Exchange.of(ctx.channel());
        ListenerCounters listener = exchange == null ? null : exchange.listener();
        return listener == null ? null : listener.http2();
    }

    @Override
    public boolean isEnabled() {
        return false;
    }

    @Override
    public void logRstStream(Direction direction, ChannelHandlerContext ctx, int streamId, long errorCode) {
        Http2Counters counters = counters(ctx);
        if (direction == Direction.INBOUND) {
            if (counters != null) {
                counters.streamReset();
            }
            LOG.log(Level.FINE, () -> ctx.channel() + " h2 stream=" + streamId + " reset by the client error="
                    + name(errorCode));
        } else if (errorCode == Http2Error.REFUSED_STREAM.code()) {
            if (counters != null) {
                counters.streamRefused();
            }
            LOG.log(Level.INFO, () -> ctx.channel() + " h2 stream=" + streamId
                    + " refused: over http2-max-concurrent-streams");
        }
    }

    @Override
    public void logGoAway(Direction direction, ChannelHandlerContext ctx, int lastStreamId, long errorCode,
            ByteBuf debugData) {
        if (direction != Direction.OUTBOUND) {
            return;
        }
        Http2Counters counters = counters(ctx);
        if (counters != null) {
            counters.goAwaySent();
        }
        // a GOAWAY for a connection already gone (the client left: broken pipe) is network noise
        Level level = errorCode == Http2Error.NO_ERROR.code() || !ctx.channel().isActive() ? Level.FINE : Level.WARNING;
        if (LOG.isLoggable(level)) {
            String reason = debugData == null || !debugData.isReadable() ? ""
                    : " reason=\"" + debugData.toString(StandardCharsets.UTF_8) + "\"";
            LOG.log(level, ctx.channel() + " h2 GOAWAY sent error=" + name(errorCode) + " last-stream="
                    + lastStreamId + reason);
        }
    }

    @Override
    public void logHeaders(Direction direction, ChannelHandlerContext ctx, int streamId, Http2Headers headers,
            int padding, boolean endStream) {
        if (direction == Direction.OUTBOUND && endStream && headers.status() != null
                && STATUS_431.contentEquals(headers.status()) && headers.size() == 1) {
            // Netty's own answer to a head over http2-max-header-list-size (the router's 431s carry a body)
            LOG.log(Level.INFO, () -> ctx.channel() + " h2 stream=" + streamId
                    + " status=431 reason=\"request head over http2-max-header-list-size\"");
        }
    }

    @Override
    public void logHeaders(Direction direction, ChannelHandlerContext ctx, int streamId, Http2Headers headers,
            int streamDependency, short weight, boolean exclusive, int padding, boolean endStream) {
        logHeaders(direction, ctx, streamId, headers, padding, endStream);
    }

    private static String name(long code) {
        Http2Error error = Http2Error.valueOf(code);
        return error == null ? Long.toString(code) : error.name();
    }

    // the rest: nothing to count
    @Override
    public void logData(Direction direction, ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding,
            boolean endStream) {
    }

    @Override
    public void logPriority(Direction direction, ChannelHandlerContext ctx, int streamId, int streamDependency,
            short weight, boolean exclusive) {
    }

    @Override
    public void logSettingsAck(Direction direction, ChannelHandlerContext ctx) {
    }

    @Override
    public void logSettings(Direction direction, ChannelHandlerContext ctx, io.netty.handler.codec.http2.Http2Settings settings) {
    }

    @Override
    public void logPing(Direction direction, ChannelHandlerContext ctx, long data) {
    }

    @Override
    public void logPingAck(Direction direction, ChannelHandlerContext ctx, long data) {
    }

    @Override
    public void logPushPromise(Direction direction, ChannelHandlerContext ctx, int streamId, int promisedStreamId,
            Http2Headers headers, int padding) {
    }

    @Override
    public void logWindowsUpdate(Direction direction, ChannelHandlerContext ctx, int streamId, int windowSizeIncrement) {
    }

    @Override
    public void logUnknownFrame(Direction direction, ChannelHandlerContext ctx, byte frameType, int streamId,
            io.netty.handler.codec.http2.Http2Flags flags, ByteBuf data) {
    }
}
