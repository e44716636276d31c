package io.corerouter.http;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One {@code --http-var KEY=VALUE}: a var the HTTP router appends to every uwsgi packet, after the
 * header vars (spec §4.2, row 12). Key and value are the configured text; they go on the wire as
 * UTF-8, the bytes uWSGI would send for the same (UTF-8) config file.
 *
 * @param key   non-empty, at most 65535 UTF-8 bytes
 * @param value at most 65535 UTF-8 bytes
 */
public record UwsgiVar(String key, String value) {
    /** A uwsgi var key or value has a u16 length (spec §1.2). */
    public static final int MAX_FIELD_BYTES = 0xFFFF;

    public UwsgiVar {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        if (key.isEmpty()) {
            throw new IllegalArgumentException("empty uwsgi var key");
        }
        if (key.getBytes(StandardCharsets.UTF_8).length > MAX_FIELD_BYTES
                || value.getBytes(StandardCharsets.UTF_8).length > MAX_FIELD_BYTES) {
            throw new IllegalArgumentException(key + ": uwsgi var longer than " + MAX_FIELD_BYTES + " bytes");
        }
    }
}
