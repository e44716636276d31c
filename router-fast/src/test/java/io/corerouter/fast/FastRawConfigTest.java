package io.corerouter.fast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.core.config.ConfigException;
import io.corerouter.core.config.RouterConfig;
import io.corerouter.core.config.RouterOptions;
import io.corerouter.core.config.Timeouts;
import io.corerouter.raw.RawRouterConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link FastRouterConfig}, {@link RawRouterConfig} and the mapper/zerg options every router has. */
class FastRawConfigTest {
    @Test
    void fastrouterDefaults() throws Exception {
        RouterConfig config = RouterConfig.parse("--fastrouter", "127.0.0.1:3017", "--fastrouter-to", "/tmp/a.sock");
        FastRouterConfig fast = config.fastrouter().orElseThrow();
        assertTrue(config.http().isEmpty());
        assertTrue(config.rawrouter().isEmpty());
        assertFalse(fast.fallbackOnNoKey());
        assertEquals(0, fast.postBuffering());
        assertEquals(Optional.empty(), fast.postBufferingDir());
        RouterOptions common = fast.common();
        assertEquals("fastrouter", common.kind());
        assertEquals(Timeouts.of(Duration.ofSeconds(60)), common.timeouts());
        assertEquals(List.of(), common.zerg());
        assertEquals(Optional.empty(), common.usePattern());
        assertEquals(Optional.empty(), common.useBase());
    }

    @Test
    void fastrouterOptions() throws Exception {
        FastRouterConfig fast = RouterConfig.parse("--fastrouter", ":3017", "--fastrouter-use-pattern", "/run/%s.sock",
                "--fastrouter-use-base", "/run/", "--fastrouter-fallback-on-no-key", "--fastrouter-post-buffering",
                "8192", "--fastrouter-post-buffering-dir", "/var/tmp", "--fastrouter-zerg", "/tmp/z1.sock",
                "--fastrouter-zerg", "/tmp/z2.sock", "--fastrouter-harakiri", "5").fastrouter().orElseThrow();
        assertTrue(fast.fallbackOnNoKey());
        assertEquals(8192, fast.postBuffering());
        assertEquals(Optional.of(Path.of("/var/tmp")), fast.postBufferingDir());
        assertEquals(Optional.of("/run/%s.sock"), fast.common().usePattern());
        assertEquals(Optional.of("/run/"), fast.common().useBase());
        assertEquals(List.of("/tmp/z1.sock", "/tmp/z2.sock"), fast.common().zerg());
        assertEquals(Duration.ofSeconds(5), fast.common().harakiri());
    }

    @Test
    void rawrouterDefaultsAndOptions() throws Exception {
        RawRouterConfig raw = RouterConfig.parse("--rawrouter", ":9090").rawrouter().orElseThrow();
        assertEquals(3, raw.maxRetries());
        assertFalse(raw.xclient());
        assertFalse(raw.splice());
        raw = RouterConfig.parse("--rawrouter", ":9090", "--rawrouter-max-retries", "0", "--rawrouter-xclient",
                "--rawrouter-splice").rawrouter().orElseThrow();
        assertEquals(0, raw.maxRetries());
        assertTrue(raw.xclient());
        assertTrue(raw.splice());
    }

    @Test
    void zergAloneStartsTheRouter() throws Exception {
        // deviations.md: uWSGI never starts a router that has only --R-zerg
        RouterConfig config = RouterConfig.parse("--http-zerg", "/tmp/z.sock", "--fastrouter-zerg", "/tmp/z.sock",
                "--rawrouter-zerg", "/tmp/z.sock");
        assertTrue(config.http().orElseThrow().common().hasSockets());
        assertTrue(config.fastrouter().isPresent());
        assertTrue(config.rawrouter().isPresent());
        assertTrue(config.warnings().isEmpty(), config.warnings()::toString);
    }

    @Test
    void optionsWithoutListenerWarn() throws Exception {
        RouterConfig config = RouterConfig.parse("--rawrouter-to", "127.0.0.1:3031");
        assertTrue(config.rawrouter().isEmpty());
        assertEquals(List.of("rawrouter-* options given without --rawrouter: no rawrouter is started"), config.warnings());
    }

    @Test
    void badValuesNameTheOption() {
        String message = assertThrows(ConfigException.class,
                () -> RouterConfig.parse("--fastrouter", ":1", "--fastrouter-post-buffering", "-1")).getMessage();
        assertTrue(message.contains("fastrouter-post-buffering"), message);
        message = assertThrows(ConfigException.class,
                () -> RouterConfig.parse("--rawrouter", ":1", "--rawrouter-max-retries", "x")).getMessage();
        assertTrue(message.contains("rawrouter-max-retries"), message);
        message = assertThrows(ConfigException.class,
                () -> RouterConfig.parse("--rawrouter", ":1", "--rawrouter-use-pattern", "")).getMessage();
        assertTrue(message.contains("rawrouter-use-pattern"), message);
    }
}
