package io.corerouter.subscription.codec;

/**
 * A subscription datagram that is rejected whole (deviations.md "Subscriptions"): shorter than its
 * header, larger than 4096 bytes, broken vars, an empty or too long key or address, a number that
 * is not a number. The message names the problem for the (rate-limited) log line.
 *
 * <p>Thrown a lot under a flood of garbage, so it carries no stack trace.
 */
public final class InvalidSubscriptionException extends RuntimeException {
    public InvalidSubscriptionException(String message) {
        super(message, null, false, false);
    }
}
