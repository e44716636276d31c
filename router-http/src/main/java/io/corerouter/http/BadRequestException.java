package io.corerouter.http;

/**
 * A request that can be answered but not routed: the caller answers it with
 * {@code 400 Bad Request} and the {@link #reason()} as the body (deviations.md, "Errors are answered,
 * not swallowed"), where uWSGI closes the connection silently.
 *
 * <p>Clients trigger it at will, so it carries no stack trace.
 */
public final class BadRequestException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BadRequestException(String reason) {
        super(reason, null, false, false);
    }

    /** Short text naming what is wrong with the request, fit for a {@code text/plain} body. */
    public String reason() {
        return getMessage();
    }
}
