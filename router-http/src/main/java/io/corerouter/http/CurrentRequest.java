package io.corerouter.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * What {@link HttpSession} learned from the head of the request in flight ({@link #read}), read by the stages after
 * it: the {@link RequestForwarder} (how the body travels), the {@link ResponseRelay} (how the response
 * is framed) and the session's own decisions (keepalive, replay, raw modes).
 *
 * <p>A plain mutable holder, one per connection, {@link #reset() reset} per request: its fields are
 * written while the session reads the head (and {@link #requestDone} when the body ends) and only
 * read by the others. Used only on the connection's event loop.
 */
final class CurrentRequest {
    private static final String RTSP_SCHEME = "rtsp://";

    /** How the request body travels to the node. */
    enum BodyMode {
        /** Content-Length or no body: relayed as it comes. */
        PLAIN,
        /** Chunked: stored whole, then sent with CONTENT_LENGTH (deviations.md). */
        DECHUNK,
        /** Chunked with {@code --http-chunked-input}: re-chunked as it comes, no CONTENT_LENGTH (§4.8). */
        RECHUNK
    }

    /** The routing key (spec §4.4), or the host of an {@code rtsp://} target. */
    String key;
    HttpMethod method;
    boolean headRequest;
    boolean http11;
    /** The client's {@code Accept-Encoding}, for {@code --http-auto-gzip}. */
    String acceptEncoding;
    /** The path of an {@code rtsp://host/path} target, sent as a second {@code PATH_INFO} (spec §4.8). */
    String rtspPath;
    RawMode rawMode = RawMode.NONE;
    BodyMode bodyMode = BodyMode.PLAIN;
    /** The router already answered {@code 100 Continue}: the node's own 100 is dropped. */
    boolean sentContinue;
    /** No body and an idempotent method: may go to another node if the first dies before answering. */
    boolean replayable;
    /** The client asked for a persistent connection and the router allows it (spec §4.6). */
    boolean keepAlive;
    /** The whole request (head and body) has been read from the client. */
    boolean requestDone;
    /** The request has a body (Content-Length > 0 or chunked): a puwsgi node cannot take it. */
    boolean hasBody;

    /**
     * Reads what the head says of the method, version, raw mode, body mode, replay and keepalive
     * (spec §4.6, §4.8). Nothing is checked or answered here: the session does that.
     *
     * @param keepAliveEnabled whether the router keeps connections open at all
     * @return the announced Content-Length, 0 without one
     */
    long read(HttpRequest request, HttpFeatures features, boolean keepAliveEnabled) {
        method = request.method();
        headRequest = HttpMethod.HEAD.equals(method);
        http11 = request.protocolVersion() == HttpVersion.HTTP_1_1;
        acceptEncoding = request.headers().get(HttpHeaderNames.ACCEPT_ENCODING);
        rawMode = RawMode.of(request, features);
        boolean chunked = rawMode == RawMode.NONE && HttpUtil.isTransferEncodingChunked(request);
        if (chunked) {
            bodyMode = features.chunkedInput() ? BodyMode.RECHUNK : BodyMode.DECHUNK;
        }
        long contentLength = HttpUtil.getContentLength(request, 0L);
        hasBody = contentLength > 0 || chunked;
        replayable = contentLength == 0 && !chunked && rawMode == RawMode.NONE && isIdempotent(method);
        keepAlive = keepAliveEnabled && isPersistent(request) && rawMode == RawMode.NONE && bodyMode != BodyMode.RECHUNK;
        return contentLength;
    }

    /** Spec §4.8: an {@code rtsp://host/path} target routes by host and adds {@code PATH_INFO=/path}. */
    void rtspTarget(String uri) {
        if (uri.regionMatches(true, 0, RTSP_SCHEME, 0, RTSP_SCHEME.length())) {
            int slash = uri.indexOf('/', RTSP_SCHEME.length());
            key = uri.substring(RTSP_SCHEME.length(), slash < 0 ? uri.length() : slash);
            rtspPath = slash < 0 ? "/" : uri.substring(slash);
        }
    }

    private static boolean isIdempotent(HttpMethod method) {
        return HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method) || HttpMethod.OPTIONS.equals(method)
                || HttpMethod.TRACE.equals(method) || HttpMethod.PUT.equals(method) || HttpMethod.DELETE.equals(method);
    }

    /** Spec §4.6: HTTP/1.1 exactly, and no Connection header whose whole value is close or upgrade. */
    private static boolean isPersistent(HttpRequest request) {
        if (request.protocolVersion() != HttpVersion.HTTP_1_1) {
            return false;
        }
        String connection = request.headers().get(HttpHeaderNames.CONNECTION);
        return connection == null
                || !(HttpHeaderValues.CLOSE.contentEqualsIgnoreCase(connection)
                        || HttpHeaderValues.UPGRADE.contentEqualsIgnoreCase(connection));
    }

    /** Forgets the previous request. */
    void reset() {
        key = null;
        method = null;
        headRequest = false;
        http11 = false;
        acceptEncoding = null;
        rtspPath = null;
        rawMode = RawMode.NONE;
        bodyMode = BodyMode.PLAIN;
        sentContinue = false;
        replayable = false;
        keepAlive = false;
        requestDone = false;
        hasBody = false;
    }
}
