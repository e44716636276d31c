package io.corerouter.http;

import io.corerouter.core.config.ConfigException;
import io.corerouter.core.config.OptionValues;
import io.corerouter.core.config.ParsedOptions;
import java.time.Duration;
import java.util.Objects;

/**
 * HTTP/1.1 keep-alive ({@code --http-keepalive[=N]}, spec §4.6).
 *
 * <p>As in uWSGI ({@code uwsgi_opt_set_int}): not given, off; {@code --http-keepalive} or {@code =1},
 * on, waiting {@code --http-timeout} for the next request; {@code =N} with N &gt; 1, on, waiting N
 * seconds; {@code =0}, off.
 *
 * @param enabled whether a connection may carry more than one request
 * @param idle    how long to wait for the next request; {@link Duration#ZERO} when disabled
 */
public record KeepAlive(boolean enabled, Duration idle) {
    /** Keep-alive off (the default). */
    public static final KeepAlive DISABLED = new KeepAlive(false, Duration.ZERO);

    public KeepAlive {
        Objects.requireNonNull(idle, "idle");
        if (enabled ? idle.isNegative() || idle.isZero() : !idle.isZero()) {
            throw new IllegalArgumentException("keepalive idle: " + idle
                    + (enabled ? " (expected: > 0)" : " (expected: 0 when disabled)"));
        }
    }

    /** Keep-alive on, waiting {@code idle} between requests. */
    public static KeepAlive enabled(Duration idle) {
        return new KeepAlive(true, idle);
    }

    /**
     * Interprets the last {@code --http-keepalive} value.
     *
     * @param value       the value, or null if the option was not given; {@code ""} means given without value
     * @param httpTimeout the idle wait used for {@code --http-keepalive} and {@code =1}
     */
    static KeepAlive from(ParsedOptions.Value value, Duration httpTimeout) throws ConfigException {
        if (value == null) {
            return DISABLED;
        }
        if (value.text().isEmpty()) {
            return enabled(httpTimeout);
        }
        int seconds = OptionValues.integer(value, 0, Integer.MAX_VALUE);
        if (seconds == 0) {
            return DISABLED;
        }
        return enabled(seconds == 1 ? httpTimeout : Duration.ofSeconds(seconds));
    }
}
