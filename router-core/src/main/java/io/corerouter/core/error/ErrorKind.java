package io.corerouter.core.error;

/**
 * Every failure a router answers, with the HTTP status and the short text body the client gets
 * (deviations.md "Errors are answered, not swallowed"). Routers without a protocol to answer in
 * (rawrouter, sslrouter) close instead.
 */
public enum ErrorKind {
    BAD_REQUEST(400, "Bad Request", Side.CLIENT),
    PAYLOAD_TOO_LARGE(413, "Payload Too Large", Side.CLIENT),
    URI_TOO_LONG(414, "URI Too Long", Side.CLIENT),
    HEADERS_TOO_LARGE(431, "Request Header Fields Too Large", Side.CLIENT),
    LENGTH_REQUIRED(411, "Length Required", Side.CLIENT),
    HEADERS_TIMEOUT(408, "Request Timeout", Side.CLIENT),
    /** A transfer coding other than {@code chunked} (RFC 9112 §6.1). */
    NOT_IMPLEMENTED(501, "Not Implemented", Side.CLIENT),
    CONNECT_FAILED(502, "Bad Gateway", Side.BACKEND),
    BAD_RESPONSE(502, "Bad Gateway", Side.BACKEND),
    NO_NODE(503, "Service Unavailable", Side.BACKEND),
    /** The router's own connection limit is reached ({@code --http-max-connections}). */
    OVERLOADED(503, "Service Unavailable", Side.INTERNAL),
    BACKEND_TIMEOUT(504, "Gateway Timeout", Side.BACKEND),
    INTERNAL(500, "Internal Server Error", Side.INTERNAL);

    private final int status;
    private final String reasonPhrase;
    private final Side side;

    ErrorKind(int status, String reasonPhrase, Side side) {
        this.status = status;
        this.reasonPhrase = reasonPhrase;
        this.side = side;
    }

    public int status() {
        return status;
    }

    public String reasonPhrase() {
        return reasonPhrase;
    }

    /** Who failed: the default side of this kind. */
    public Side side() {
        return side;
    }

    /** Who caused a failure. */
    public enum Side {
        CLIENT, BACKEND, INTERNAL
    }
}
