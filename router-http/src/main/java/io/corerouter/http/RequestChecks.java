package io.corerouter.http;

import io.corerouter.core.config.Limits;
import io.corerouter.core.error.ErrorKind;
import io.corerouter.core.error.RouterException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.AsciiString;
import java.util.Iterator;
import java.util.Map;

/**
 * The request-smuggling defences that sit on top of Netty's decoder (docs/http-hardening.md). Netty,
 * configured with strict line parsing and RFC 9112 transfer-encoding rules, already rejects bare LF,
 * TE together with CL, differing Content-Lengths, TE on HTTP/1.0, invalid header names and values and
 * bad chunk sizes. What it lets through, and what a uwsgi backend would read differently from us, is
 * checked here, on the decoded head, before anything is sent to a node:
 *
 * <ul>
 *   <li>the protocol is {@code HTTP/1.0} or {@code HTTP/1.1} ({@code RTSP/1.0} with
 *       {@code --http-manage-rtsp});</li>
 *   <li>the target has no control character, space or DEL;</li>
 *   <li>at most one {@code Host};</li>
 *   <li>{@code Transfer-Encoding}, as a token list over all its fields, is exactly {@code chunked}:
 *       a list not ending in {@code chunked} is 400 (RFC 9112 §6.3: the length cannot be known),
 *       {@code chunked} twice is 400, another coding before it is 501;</li>
 *   <li>no header whose uwsgi name ({@link HeaderVars}: upper case, '-' to '_') is
 *       {@code CONTENT_LENGTH}, {@code CONTENT_TYPE} or {@code TRANSFER_ENCODING} unless it is spelled
 *       with '-': {@code Content_Length: 5} would reach the backend as {@code CONTENT_LENGTH} without
 *       framing anything here;</li>
 *   <li>at most {@code maxHeaderCount} header fields (431).</li>
 * </ul>
 */
final class RequestChecks {
    private static final String CONTENT_LENGTH = "CONTENT_LENGTH";
    private static final String CONTENT_TYPE = "CONTENT_TYPE";
    private static final String TRANSFER_ENCODING = "TRANSFER_ENCODING";
    private static final HttpVersion RTSP_1_0 = StrictRequestDecoder.RTSP_1_0;

    private RequestChecks() {
    }

    /** The version {@code --http-manage-rtsp} accepts. */
    static boolean isRtsp(HttpRequest request) {
        return RTSP_1_0.equals(request.protocolVersion());
    }

    /**
     * @return the failure to answer, or null when the head may be forwarded
     */
    static RouterException check(HttpRequest request, int maxHeaderCount, boolean rtsp) {
        HttpVersion version = request.protocolVersion();
        if (version != HttpVersion.HTTP_1_1 && version != HttpVersion.HTTP_1_0 && version != Http2RequestAdapter.HTTP_2
                && !(rtsp && RTSP_1_0.equals(version))) {
            return bad("unsupported protocol " + version.text());
        }
        String uri = request.uri();
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c <= 0x20 || c == 0x7f) {
                return bad("control character or space in the request target");
            }
        }
        if (request.headers().size() > maxHeaderCount) {
            return new RouterException(ErrorKind.HEADERS_TOO_LARGE, "more than " + maxHeaderCount + " header fields");
        }
        int hosts = 0;
        boolean te = false;
        Iterator<Map.Entry<CharSequence, CharSequence>> it = request.headers().iteratorCharSequence();
        while (it.hasNext()) {
            Map.Entry<CharSequence, CharSequence> header = it.next();
            CharSequence name = header.getKey();
            if (HttpHeaderNames.HOST.contentEqualsIgnoreCase(name)) {
                hosts++;
            } else if (HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(name)) {
                te = true;
            } else if (name.toString().indexOf('_') >= 0 && (HeaderVars.mangledEquals(name, CONTENT_LENGTH)
                    || HeaderVars.mangledEquals(name, CONTENT_TYPE) || HeaderVars.mangledEquals(name, TRANSFER_ENCODING))) {
                return bad("header " + name + " would reach the node as a framing variable");
            }
        }
        if (hosts > 1) {
            return bad("more than one Host header");
        }
        if (te) {
            if (version != HttpVersion.HTTP_1_1 && version != Http2RequestAdapter.HTTP_2) {
                // HTTP/2: the stream adapter marks a body of unknown length so
                return bad("Transfer-Encoding in an " + version.text() + " request");
            }
            if (request.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
                return bad("both Transfer-Encoding and Content-Length");
            }
            return checkTransferCodings(request);
        }
        return null;
    }

    /**
     * The head limits the HTTP/1.1 decoder applies, for a request that came over HTTP/2 (whose own limit is
     * {@code --http2-max-header-list-size}): 414 for a request target over the request-line limit, 431 for
     * a head over the head limit, counted as its HTTP/1.1 form would be.
     *
     * @return the failure to answer, or null
     */
    static RouterException checkHttp2Head(HttpRequest request, Limits limits) {
        String uri = request.uri();
        // "METHOD SP target SP HTTP/1.1"
        if (request.method().name().length() + uri.length() + 10 > limits.maxInitialLineLength()) {
            return new RouterException(ErrorKind.URI_TOO_LONG, "request target of " + uri.length() + " bytes");
        }
        long size = uri.length() + 16L;
        Iterator<Map.Entry<CharSequence, CharSequence>> it = request.headers().iteratorCharSequence();
        while (it.hasNext()) {
            Map.Entry<CharSequence, CharSequence> header = it.next();
            size += header.getKey().length() + header.getValue().length() + 4;
        }
        if (size > limits.maxHeadSize()) {
            return new RouterException(ErrorKind.HEADERS_TOO_LARGE, "request head of about " + size + " bytes");
        }
        return null;
    }

    /** RFC 9112 §6.1 and §6.3 over every Transfer-Encoding field, as one comma-separated list. */
    /** What Netty's request decoder rejected, as the answer: 414 for the request line, 431 for the head, else 400. */
    static RouterException decoderFailure(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            return new RouterException(ErrorKind.URI_TOO_LONG, "request line too long");
        }
        if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
            return new RouterException(ErrorKind.HEADERS_TOO_LARGE, "request head too large");
        }
        return new RouterException(ErrorKind.BAD_REQUEST, "malformed request: " + cause.getMessage());
    }

    private static RouterException checkTransferCodings(HttpRequest request) {
        int chunked = 0;
        boolean other = false;
        boolean chunkedLast = false;
        for (String field : request.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING)) {
            for (String token : field.split(",", -1)) {
                String coding = token.trim();
                if (coding.isEmpty()) {
                    return bad("empty element in Transfer-Encoding");
                }
                chunkedLast = AsciiString.contentEqualsIgnoreCase(coding, HttpHeaderValues.CHUNKED);
                if (chunkedLast) {
                    chunked++;
                } else {
                    other = true;
                }
            }
        }
        if (!chunkedLast) {
            return bad("Transfer-Encoding does not end with chunked: the body length is unknown");
        }
        if (chunked > 1) {
            return bad("chunked applied more than once");
        }
        if (other) {
            return new RouterException(ErrorKind.NOT_IMPLEMENTED, "transfer codings other than chunked are not supported");
        }
        return null;
    }

    private static RouterException bad(String reason) {
        return new RouterException(ErrorKind.BAD_REQUEST, reason);
    }
}
