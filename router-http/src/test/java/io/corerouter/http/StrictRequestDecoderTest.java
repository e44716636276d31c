package io.corerouter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObjectDecoder;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link StrictRequestDecoder}: obs-fold heads (RFC 9112 §5.2) become one failed request and the rest
 * of the connection is discarded, while clean heads, bodies with CRLF+SP inside, pipelined requests and
 * RTSP heads decode as Netty decodes them. Every input is fed whole, split in two at every position,
 * and byte by byte, and must give the same messages each way.
 */
class StrictRequestDecoderTest {
    private static final HttpDecoderConfig CONFIG = config();
    private static final String H = "Host: a\r\n";
    private static final String BAD = "bad: obs-fold";

    private static HttpDecoderConfig config() {
        try {
            return HttpRouterContext.requestDecoderConfig(HttpConfigs.http("--http", ":80"));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void foldWithSpaceIsRejected() {
        assertEverySplit("GET /x HTTP/1.1\r\n" + H + "X-Fold: a\r\n b\r\n\r\n", BAD);
    }

    @Test
    void foldWithTabIsRejected() {
        assertEverySplit("GET /x HTTP/1.1\r\n" + H + "X-Fold: a\r\n\tb\r\n\r\n", BAD);
    }

    @Test
    void foldAsTheFirstHeaderLineIsRejected() {
        assertEverySplit("GET /x HTTP/1.1\r\n Host: a\r\n\r\n", BAD);
        assertEverySplit("GET /x HTTP/1.1\r\n\tHost: a\r\n\r\n", BAD);
    }

    @Test
    void foldAfterLeadingEmptyLinesIsRejected() {
        assertEverySplit("\r\n\r\nGET /x HTTP/1.1\r\n" + H + "X: a\r\n b\r\n\r\n", BAD);
    }

    @Test
    void everythingAfterTheRejectedHeadIsDiscarded() {
        assertEverySplit("POST /x HTTP/1.1\r\n" + H + "X: a\r\n b\r\nContent-Length: 5\r\n\r\nhello"
                + "GET /next HTTP/1.1\r\n" + H + "\r\n", BAD);
    }

    @Test
    void closingInsideTheRejectedHeadAddsNothing() {
        // the request line went to Netty in an earlier read: Netty is inside the head when the channel closes
        assertEquals(List.of(BAD), decode("GET /x HTTP/1.1\r\n", H + "X: a\r\n b"));
    }

    @Test
    void cleanHeadIsDecoded() {
        assertEverySplit("\r\nGET /x HTTP/1.1\r\n" + H + "X-A: 1\r\n\r\n", "request GET /x [a, 1]", "end");
    }

    /** The scratch buffer starts small (it lives as long as the connection) and grows for longer lines. */
    @Test
    void linesLongerThanTheInitialScratchBufferAreDecoded() {
        assertEquals(HttpObjectDecoder.DEFAULT_INITIAL_BUFFER_SIZE, CONFIG.getInitialBufferSize());
        String path = "/" + "p".repeat(600);
        String value = "v".repeat(700);
        assertEverySplit("GET " + path + " HTTP/1.1\r\n" + H + "X-Long: " + value + "\r\n\r\n"
                        + "GET /x HTTP/1.1\r\n" + H + "\r\n",
                "request GET " + path + " [a, " + value + "]", "end", "request GET /x [a]", "end");
    }

    @Test
    void contentLengthBodyWithCrlfSpaceIsNotScanned() {
        assertEverySplit("POST /x HTTP/1.1\r\n" + H + "Content-Length: 13\r\n\r\na\r\n b\r\n\tc\r\n\r\n",
                "request POST /x [a, 13]", "body a\r\n b\r\n\tc\r\n\r\n", "end");
    }

    @Test
    void chunkedBodyWithCrlfSpaceIsNotScanned() {
        assertEverySplit("POST /x HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n"
                + "5\r\na\r\n b\r\n4\r\n\r\n\tc\r\n0\r\n\r\n",
                "request POST /x [a, chunked]", "body a\r\n b\r\n\tc", "end");
    }

    @Test
    void pipelinedFoldAfterACleanRequestIsRejected() {
        assertEverySplit("GET /first HTTP/1.1\r\n" + H + "\r\n"
                + "GET /second HTTP/1.1\r\n" + H + "X: a\r\n b\r\n\r\n",
                "request GET /first [a]", "end", BAD);
    }

    @Test
    void pipelinedFoldAfterABodyIsRejected() {
        assertEverySplit("POST /first HTTP/1.1\r\n" + H + "Content-Length: 3\r\n\r\n\r\n "
                + "GET /second HTTP/1.1\r\n" + H + "X: a\r\n\tb\r\n\r\n",
                "request POST /first [a, 3]", "body \r\n ", "end", BAD);
    }

    @Test
    void pipelinedCleanRequestsAreAllDecoded() {
        assertEverySplit("GET /1 HTTP/1.1\r\n" + H + "\r\nPOST /2 HTTP/1.1\r\n" + H + "Content-Length: 2\r\n\r\n"
                + "\r\n" + "GET /3 HTTP/1.1\r\n" + H + "\r\n",
                "request GET /1 [a]", "end", "request POST /2 [a, 2]", "body \r\n", "end", "request GET /3 [a]", "end");
    }

    @Test
    void rtspHeadsAreAcceptedOnlyWhenAsked() {
        String rtsp = "DESCRIBE rtsp://cam/s RTSP/1.0\r\nCSeq: 2\r\n\r\n";
        assertEquals(List.of("request DESCRIBE rtsp://cam/s [2] RTSP/1.0", "end"), decode(true, rtsp));
        assertEquals(List.of(BAD), decode(true, "DESCRIBE rtsp://cam/s RTSP/1.0\r\nCSeq: 2\r\n x\r\n\r\n"));
    }

    /** The same messages for the input whole, in two pieces at every split, and byte by byte. */
    private static void assertEverySplit(String input, String... expected) {
        List<String> want = List.of(expected);
        assertEquals(want, decode(input), "whole");
        for (int i = 1; i < input.length(); i++) {
            int at = i;
            assertEquals(want, decode(input.substring(0, i), input.substring(i)), () -> "split at " + at);
        }
        assertEquals(want, decode(input.split("")), "byte by byte");
    }

    private static List<String> decode(String... reads) {
        return decode(false, reads);
    }

    /**
     * Feeds the reads one by one, closes the channel, and describes what came out: one entry per head
     * ({@code request METHOD URI [header values]} and the version unless HTTP/1.1, or {@code bad: obs-fold}),
     * the body pieces joined ({@code body ...}), and {@code end} for each last content.
     */
    private static List<String> decode(boolean rtsp, String... reads) {
        EmbeddedChannel channel = new EmbeddedChannel(new StrictRequestDecoder(CONFIG, rtsp));
        List<String> seen = new ArrayList<>();
        StringBuilder body = new StringBuilder();
        try {
            for (String read : reads) {
                channel.writeInbound(Unpooled.copiedBuffer(read, StandardCharsets.ISO_8859_1));
                drain(channel, seen, body);
            }
            channel.finish();
            drain(channel, seen, body);
        } finally {
            channel.finishAndReleaseAll();
        }
        return seen;
    }

    private static void drain(EmbeddedChannel channel, List<String> seen, StringBuilder body) {
        Object msg;
        while ((msg = channel.readInbound()) != null) {
            try {
                describe(msg, seen, body);
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }
    }

    private static void describe(Object msg, List<String> seen, StringBuilder body) {
        if (msg instanceof HttpRequest request) {
            if (request.decoderResult().isFailure()) {
                String cause = request.decoderResult().cause().getMessage();
                seen.add(cause.startsWith("obs-fold") ? BAD : "bad: " + cause);
                return;
            }
            List<String> values = new ArrayList<>();
            request.headers().forEach(e -> values.add(e.getValue()));
            String version = "HTTP/1.1".equals(request.protocolVersion().text()) ? "" : " " + request.protocolVersion();
            seen.add("request " + request.method() + " " + request.uri() + " " + values + version);
        }
        if (msg instanceof HttpContent content) {
            ByteBuf data = content.content();
            body.append(data.toString(StandardCharsets.ISO_8859_1));
            if (content.decoderResult().isFailure()) {
                seen.add("bad: " + content.decoderResult().cause().getMessage());
                return;
            }
            if (msg instanceof LastHttpContent) {
                if (!body.isEmpty()) {
                    seen.add("body " + body);
                    body.setLength(0);
                }
                seen.add("end");
            }
        }
    }
}
