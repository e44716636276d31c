package io.corerouter.core.codec.uwsgi;

/**
 * The modifier values (header bytes 0 and 3) that the routers act on, from spec §1.5. The full
 * table of request types lives in uWSGI's {@code uwsgi.h}; routers only look at the few below, and
 * otherwise copy or overwrite the bytes without interpreting them.
 */
public final class UwsgiModifiers {
    /** Largest value a modifier byte can hold. */
    public static final int MAX_MODIFIER = 0xFF;

    /**
     * WSGI/Python request, the body follows the vars. What static, pattern and base mappers give a
     * node, so what the fastrouter writes over the client's modifiers for such nodes (spec §1.5).
     */
    public static final int MODIFIER1_WSGI = 0;
    /** {@code 'H'}: the raw HTTP response marker. */
    public static final int MODIFIER1_RAW_HTTP_RESPONSE = 72;
    /** Ping/pong; {@link #MODIFIER2_PING} or {@link #MODIFIER2_PONG} says which. */
    public static final int MODIFIER1_PING = 100;
    /**
     * HTTP router internal marker: a node announced with modifier1 123 gets 0 on the wire and the
     * session switches to raw-body mode (spec §1.5, §4.8). Never sent to a backend as is.
     */
    public static final int MODIFIER1_HTTP_RAW_BODY = 123;
    /**
     * Subscription packet. Subscription clients always send it; the subscription server never
     * checks it (spec §2.1).
     */
    public static final int MODIFIER1_SUBSCRIPTION = 224;
    /** Generic response. */
    public static final int MODIFIER1_RESPONSE = 255;

    /** modifier2 of a ping request. */
    public static final int MODIFIER2_PING = 0;
    /** modifier2 of a ping answer. */
    public static final int MODIFIER2_PONG = 1;
    /** modifier2 of a subscribe datagram; any other value unsubscribes (spec §2.1). */
    public static final int MODIFIER2_SUBSCRIBE = 0;
    /** modifier2 that subscription clients send to unsubscribe. */
    public static final int MODIFIER2_UNSUBSCRIBE = 1;

    private UwsgiModifiers() {
    }

    /**
     * Whether a subscription datagram with this modifier2 removes a node. uWSGI treats every
     * non-zero value as unsubscribe, not only {@link #MODIFIER2_UNSUBSCRIBE} (spec §2.1, §8.2).
     */
    public static boolean isUnsubscribe(int modifier2) {
        return modifier2 != MODIFIER2_SUBSCRIBE;
    }

    /**
     * Checks that {@code value} fits a modifier byte.
     *
     * @return {@code value}
     * @throws IllegalArgumentException naming {@code name} if it is outside 0-255
     */
    public static int checkModifier(int value, String name) {
        if (value < 0 || value > MAX_MODIFIER) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: 0-" + MAX_MODIFIER + ")");
        }
        return value;
    }
}
