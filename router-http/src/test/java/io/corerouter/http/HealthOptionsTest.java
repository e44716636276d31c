package io.corerouter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.core.config.ConfigException;
import io.corerouter.core.config.HealthOptions;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code --http-check-*} and {@code --http-error-limit}: defaults, values, and each bad value named. */
class HealthOptionsTest {
    static HealthOptions health(String... more) throws ConfigException {
        String[] args = new String[more.length + 4];
        args[0] = "--http";
        args[1] = "127.0.0.1:0";
        args[2] = "--http-to";
        args[3] = "127.0.0.1:3031";
        System.arraycopy(more, 0, args, 4, more.length);
        return HttpConfigs.http(args).common().health();
    }

    static String error(String... more) {
        return assertThrows(ConfigException.class, () -> health(more)).getMessage();
    }

    @Test
    void offByDefault() throws Exception {
        HealthOptions health = health();
        assertEquals(HealthOptions.OFF, health);
        assertFalse(health.checks());
        assertEquals(2, health.rise());
        assertEquals(3, health.fall());
        assertEquals(0, health.errorLimit());
    }

    @Test
    void values() throws Exception {
        HealthOptions health = health("--http-check-interval", "5", "--http-check-path", "/health?full=1",
                "--http-check-rise", "1", "--http-check-fall", "4", "--http-error-limit", "10");
        assertTrue(health.checks());
        assertEquals(new HealthOptions(Duration.ofSeconds(5), Optional.of("/health?full=1"), 1, 4, 10), health);
    }

    @Test
    void badValuesNameTheirOption() {
        assertEquals("http-check-interval: -1 (expected: >= 0)", error("--http-check-interval", "-1"));
        assertTrue(error("--http-check-rise", "0").startsWith("http-check-rise: 0 (expected:"));
        assertTrue(error("--http-check-fall", "x").startsWith("http-check-fall: x (expected:"));
        assertTrue(error("--http-error-limit", "-2").startsWith("http-error-limit: -2 (expected:"));
        assertEquals("http-check-path: health (expected: a path starting with /)",
                error("--http-check-interval", "1", "--http-check-path", "health"));
        assertEquals("http-check-path: /a b (expected: visible ASCII characters only (percent-encode the others))",
                error("--http-check-interval", "1", "--http-check-path", "/a b"));
        assertEquals("http-check-path: needs --http-check-interval N (checks are off)",
                error("--http-check-path", "/health"));
    }
}
