package io.corerouter.http;

import java.util.Objects;
import java.util.Optional;

/**
 * One {@code --http-var KEY=VALUE} entry: a var appended to every generated packet, after the header
 * vars, in option order (spec §4.2 row 12).
 *
 * @param key   the var name, ISO-8859-1 text; never empty, since a zero-length key makes the worker
 *              reject every request (spec §1.2)
 * @param value the var value, possibly empty
 */
public record HttpVar(String key, String value) {
    public HttpVar {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        if (key.isEmpty()) {
            throw new IllegalArgumentException("http-var: =" + value + " (expected: KEY=VALUE with a non-empty KEY)");
        }
    }

    /**
     * Parses an option value the way uWSGI does: split at the first {@code '='}. An entry without
     * {@code '='} is ignored (empty result), as uWSGI ignores it.
     *
     * @throws IllegalArgumentException if the key is empty ({@code =VALUE})
     */
    public static Optional<HttpVar> parse(String option) {
        int equals = option.indexOf('=');
        if (equals < 0) {
            return Optional.empty();
        }
        return Optional.of(new HttpVar(option.substring(0, equals), option.substring(equals + 1)));
    }
}
