package io.corerouter.http;

import io.netty.handler.codec.http.HttpMethod;

/**
 * What {@link HttpSession} learned from the head of the request in flight, read by the stages after
 * it: the {@link RequestForwarder} (how the body travels), the {@link ResponseRelay} (how the response
 * is framed) and the session's own decisions (keepalive, replay, raw modes).
 *
 * <p>A plain mutable holder, one per connection, {@link #reset() reset} per request: its fields are
 * written by the session while it reads the head (and {@link #requestDone} when the body ends) and
 * only read by the others. Used only on the connection's event loop.
 */
final class CurrentRequest {
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
    }
}
