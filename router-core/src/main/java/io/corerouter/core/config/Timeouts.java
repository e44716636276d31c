package io.corerouter.core.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The three timeouts of a router session (spec §4.1): while reading the request head, while
 * connecting to a node, and idle afterwards. Routers without a head or connect phase of their own use
 * {@code idle} for all three.
 *
 * @param idle    {@code --R-timeout} (60 s): no byte in either direction for this long closes the session
 * @param headers {@code --http-headers-timeout} (defaults to {@code idle}): time to receive a complete head
 * @param connect {@code --http-connect-timeout} (defaults to {@code idle}): time for a node connection
 */
public record Timeouts(Duration idle, Duration headers, Duration connect) {
    /** uWSGI's default socket timeout for routers. */
    public static final Duration DEFAULT_IDLE = Duration.ofSeconds(60);

    public Timeouts {
        check("idle", idle);
        check("headers", headers);
        check("connect", connect);
    }

    /** All three phases use the same timeout. */
    public static Timeouts of(Duration idle) {
        return new Timeouts(idle, idle, idle);
    }

    private static void check(String what, Duration d) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " timeout: " + d + " (expected: > 0)");
        }
    }
}
