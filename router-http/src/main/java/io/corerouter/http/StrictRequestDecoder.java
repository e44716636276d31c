package io.corerouter.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.DecoderResultProvider;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ByteProcessor;
import java.util.List;

/**
 * The router's client request decoder: Netty's {@link HttpRequestDecoder} with two differences.
 * <ul>
 *   <li>A head with an obs-fold line (a header line starting with SP or HT, RFC 9112 §5.2) is
 *       rejected like any other malformed head: one {@link HttpRequest} whose decoder result is a
 *       failure, so the session answers 400 and closes, and every later byte is discarded
 *       (deviations.md "Errors are answered"). Netty instead joins the line to the previous value
 *       with a space, while uWSGI keeps the raw CRLF in the value (spec §4.1): the two disagree on
 *       the bytes of the value, so neither is safe to forward.</li>
 *   <li>With {@code acceptRtsp} ({@code --http-manage-rtsp}, spec §4.8) a request line may end in
 *       {@code RTSP/1.0}; Netty accepts {@code HTTP/x.y} only.</li>
 * </ul>
 *
 * <p>Netty has no hook for continuation lines, so while a head is being read this looks ahead:
 * before each {@code decode}, it scans the head bytes not yet consumed, from the reader index to the
 * head's empty line or the end of the readable bytes, and never past the head, so bodies are not
 * scanned. That works because Netty's line parsers consume whole lines only: in a head, the reader
 * index is always at the start of a line (or of the CR/LF run Netty skips before a request line).
 * Lines end in CRLF (strict line parsing rejects a bare LF). The only state kept across calls is
 * where in the message the decoder is ({@link Phase}); nothing is allocated unless a head is rejected.
 */
class StrictRequestDecoder extends HttpRequestDecoder {
    /** The version {@code --http-manage-rtsp} accepts in a request line. */
    static final HttpVersion RTSP_1_0 = HttpVersion.valueOf("RTSP/1.0");
    private static final String RTSP_1_0_TEXT = "RTSP/1.0";
    private static final byte CR = '\r';
    private static final byte LF = '\n';

    /** Where the decoder is in the current message, as far as the look-ahead needs to know. */
    private enum Phase {
        /** Before the request line is complete: CR/LF runs, then the request line. */
        REQUEST_LINE,
        /** After the request line, before the empty line: the reader index is at a header line. */
        HEADERS,
        /** Body, up to the {@link LastHttpContent}: not scanned. */
        BODY,
        /** A failed message went out: every later byte is discarded, as in Netty's BAD_MESSAGE state. */
        REJECTED
    }

    private final boolean acceptRtsp;
    private Phase phase = Phase.REQUEST_LINE;

    /**
     * @param config     the decoder limits and strictness ({@link HttpRouterContext#requestDecoderConfig})
     * @param acceptRtsp whether {@code RTSP/1.0} request lines are accepted ({@code --http-manage-rtsp})
     */
    StrictRequestDecoder(HttpDecoderConfig config, boolean acceptRtsp) {
        super(config);
        this.acceptRtsp = acceptRtsp;
    }

    /** Called for each request head this decoder emits, the failed ones included, in order. */
    protected void requestDecoded(HttpRequest request) {
    }

    @Override
    protected HttpMessage createMessage(String[] initialLine) throws Exception {
        if (acceptRtsp && RTSP_1_0_TEXT.equals(initialLine[2])) {
            return new DefaultHttpRequest(RTSP_1_0, HttpMethod.valueOf(initialLine[0]), initialLine[1],
                    headersFactory);
        }
        return super.createMessage(initialLine);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
        if (phase == Phase.REJECTED) {
            buffer.skipBytes(buffer.readableBytes());
            return;
        }
        int before = out.size();
        if (foldAhead(buffer)) {
            buffer.skipBytes(buffer.readableBytes());
            out.add(obsFoldRejected());
        } else {
            super.decode(ctx, buffer, out);
        }
        for (int i = before; i < out.size(); i++) {
            observe(out.get(i));
        }
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (phase == Phase.REJECTED) {
            // Netty may still be inside the rejected head and would report it a second time
            in.skipBytes(in.readableBytes());
            return;
        }
        super.decodeLast(ctx, in, out);
    }

    @Override
    public void reset() {
        // Netty starts over at the next request line (a rejected Expect: 100-continue body)
        phase = Phase.REQUEST_LINE;
        super.reset();
    }

    /**
     * Whether the unconsumed head bytes hold an obs-fold line. Moves the phase to {@code HEADERS} once
     * the request line is complete, since Netty consumes a complete request line in this call.
     */
    private boolean foldAhead(ByteBuf buffer) {
        int headers;
        if (phase == Phase.REQUEST_LINE) {
            int end = buffer.writerIndex();
            int start = buffer.forEachByte(buffer.readerIndex(), buffer.readableBytes(), ByteProcessor.FIND_NON_CRLF);
            int lf = start < 0 ? -1 : buffer.indexOf(start, end, LF);
            if (lf < 0) {
                return false; // no complete request line yet: nothing after it to look at
            }
            phase = Phase.HEADERS;
            headers = lf + 1;
        } else if (phase == Phase.HEADERS) {
            headers = buffer.readerIndex();
        } else {
            return false;
        }
        return foldInHeaders(buffer, headers);
    }

    /** Scans header lines from {@code from} (a line start) to the empty line or the readable end. */
    private static boolean foldInHeaders(ByteBuf buffer, int from) {
        int end = buffer.writerIndex();
        int i = from;
        while (i < end) {
            byte first = buffer.getByte(i);
            if (first == ' ' || first == '\t') {
                return true;
            }
            if (first == LF || first == CR && (i + 1 == end || buffer.getByte(i + 1) == LF)) {
                return false; // the head's empty line (a bare LF is Netty's to reject), or not here yet
            }
            int lf = buffer.indexOf(i, end, LF);
            if (lf < 0) {
                return false;
            }
            i = lf + 1;
        }
        return false;
    }

    private void observe(Object msg) {
        if (msg instanceof HttpRequest request) {
            requestDecoded(request);
            phase = Phase.BODY;
        }
        if (msg instanceof DecoderResultProvider provider && provider.decoderResult().isFailure()) {
            phase = Phase.REJECTED;
        } else if (msg instanceof LastHttpContent) {
            phase = Phase.REQUEST_LINE;
        }
    }

    private static HttpRequest obsFoldRejected() {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/bad-request");
        request.setDecoderResult(DecoderResult.failure(
                new IllegalArgumentException("obs-fold: a header line starts with SP or HT (RFC 9112 §5.2)")));
        return request;
    }
}
