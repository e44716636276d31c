package io.corerouter.core.error;

/**
 * One failure type for every router (STYLE item 13, model: Pingora's {@code Error}): what went
 * wrong ({@link ErrorKind}, which also gives the response), and whether trying another backend is
 * still safe (true until the first request byte reached a backend, or for a connect failure).
 *
 * <p>Stack traces are not filled in: these are expected events on a busy proxy, created on hot
 * paths, and the message carries the detail that matters.
 */
public final class RouterException extends RuntimeException {
    private final ErrorKind kind;
    private final boolean retryable;

    public RouterException(ErrorKind kind, String detail, boolean retryable) {
        super(detail, null, false, false);
        this.kind = kind;
        this.retryable = retryable;
    }

    public RouterException(ErrorKind kind, String detail) {
        this(kind, detail, false);
    }

    public ErrorKind kind() {
        return kind;
    }

    public ErrorKind.Side side() {
        return kind.side();
    }

    public boolean retryable() {
        return retryable;
    }

    /** The text body sent to the client: status line reason plus the detail. */
    public String responseText() {
        return kind.status() + " " + kind.reasonPhrase() + ": " + getMessage() + "\n";
    }
}
