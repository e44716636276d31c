package io.corerouter.fast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.core.config.ConfigException;
import io.corerouter.core.config.ConfigSection;
import io.corerouter.core.config.Endpoint;
import io.corerouter.core.config.RouterConfig;
import io.corerouter.core.config.RouterOptions;
import io.corerouter.core.config.RouterServices;
import io.corerouter.core.config.Timeouts;
import io.corerouter.raw.RawRouterConfig;
import io.corerouter.raw.RawRouterKind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link FastRouterConfig}, {@link RawRouterConfig} and the mapper/zerg options every router has. */
class FastRawConfigTest {
    /** This module's router kinds, as the launcher lists them. */
    static final List<ConfigSection<?>> SECTIONS = List.of(FastRouterKind.INSTANCE, RawRouterKind.INSTANCE);

    static RouterConfig parse(String... args) throws ConfigException {
        return RouterConfig.parse(SECTIONS, args);
    }

    @Test
    void fastrouterDefaults() throws Exception {
        RouterConfig config = parse("--fastrouter", "127.0.0.1:3017", "--fastrouter-to", "/tmp/a.sock");
        FastRouterConfig fast = config.get(FastRouterKind.INSTANCE).orElseThrow();
        assertTrue(config.get(RawRouterKind.INSTANCE).isEmpty());
        assertFalse(fast.fallbackOnNoKey());
        assertEquals(0, fast.postBuffering());
        assertEquals(Optional.empty(), fast.postBufferingDir());
        RouterOptions common = fast.common();
        assertEquals("fastrouter", common.kind());
        assertEquals(Timeouts.of(Duration.ofSeconds(60)), common.timeouts());
        assertEquals(List.of(), common.zerg());
        assertEquals(Optional.empty(), common.usePattern());
        assertEquals(Optional.empty(), common.useBase());
        assertEquals(RouterServices.NONE, FastRouterKind.INSTANCE.services(fast));
    }

    @Test
    void fastrouterOptions() throws Exception {
        FastRouterConfig fast = parse("--fastrouter", ":3017", "--fastrouter-use-pattern", "/run/%s.sock",
                "--fastrouter-use-base", "/run/", "--fastrouter-fallback-on-no-key", "--fastrouter-post-buffering",
                "8192", "--fastrouter-post-buffering-dir", "/var/tmp", "--fastrouter-zerg", "/tmp/z1.sock",
                "--fastrouter-zerg", "/tmp/z2.sock", "--fastrouter-harakiri", "5", "--fastrouter-subscription-server",
                "127.0.0.1:7000", "--fastrouter-stats", "/run/fast.sock").get(FastRouterKind.INSTANCE).orElseThrow();
        assertTrue(fast.fallbackOnNoKey());
        assertEquals(8192, fast.postBuffering());
        assertEquals(Optional.of(Path.of("/var/tmp")), fast.postBufferingDir());
        assertEquals(Optional.of("/run/%s.sock"), fast.common().usePattern());
        assertEquals(Optional.of("/run/"), fast.common().useBase());
        assertEquals(List.of("/tmp/z1.sock", "/tmp/z2.sock"), fast.common().zerg());
        assertEquals(Duration.ofSeconds(5), fast.common().harakiri());
        assertEquals(List.of(Endpoint.parseListener("127.0.0.1:7000")), fast.services().subscriptions().servers());
        assertEquals(Optional.of(Endpoint.parseListener("/run/fast.sock")), fast.services().stats());
    }

    @Test
    void rawrouterDefaultsAndOptions() throws Exception {
        RawRouterConfig raw = parse("--rawrouter", ":9090").get(RawRouterKind.INSTANCE).orElseThrow();
        assertEquals(3, raw.maxRetries());
        assertFalse(raw.xclient());
        assertFalse(raw.splice());
        raw = parse("--rawrouter", ":9090", "--rawrouter-max-retries", "0", "--rawrouter-xclient",
                "--rawrouter-splice", "--rawrouter-stats", "127.0.0.1:9191").get(RawRouterKind.INSTANCE).orElseThrow();
        assertEquals(0, raw.maxRetries());
        assertTrue(raw.xclient());
        assertTrue(raw.splice());
        assertEquals(Optional.of(Endpoint.parseListener("127.0.0.1:9191")), raw.services().stats());
    }

    @Test
    void zergAloneStartsTheRouter() throws Exception {
        // deviations.md: uWSGI never starts a router that has only --R-zerg
        RouterConfig config = parse("--fastrouter-zerg", "/tmp/z.sock", "--rawrouter-zerg", "/tmp/z.sock");
        assertTrue(config.get(FastRouterKind.INSTANCE).orElseThrow().common().hasSockets());
        assertTrue(config.get(RawRouterKind.INSTANCE).isPresent());
        assertTrue(config.warnings().isEmpty(), config.warnings()::toString);
    }

    @Test
    void optionsWithoutListenerWarn() throws Exception {
        RouterConfig config = parse("--rawrouter-to", "127.0.0.1:3031");
        assertTrue(config.get(RawRouterKind.INSTANCE).isEmpty());
        assertEquals(List.of("rawrouter-* options given without --rawrouter: no rawrouter is started"), config.warnings());
    }

    @Test
    void badValuesNameTheOption() {
        String message = assertThrows(ConfigException.class,
                () -> parse("--fastrouter", ":1", "--fastrouter-post-buffering", "-1")).getMessage();
        assertTrue(message.contains("fastrouter-post-buffering"), message);
        message = assertThrows(ConfigException.class,
                () -> parse("--rawrouter", ":1", "--rawrouter-max-retries", "x")).getMessage();
        assertTrue(message.contains("rawrouter-max-retries"), message);
        message = assertThrows(ConfigException.class,
                () -> parse("--rawrouter", ":1", "--rawrouter-use-pattern", "")).getMessage();
        assertTrue(message.contains("rawrouter-use-pattern"), message);
    }

    @Test
    void everyKindHasConnectChecksOnlyTheUwsgiAndHttpSpeakersHaveCheckRequests() throws Exception {
        RawRouterConfig raw = parse("--rawrouter", ":9090", "--rawrouter-to", "127.0.0.1:22", "--rawrouter-check-interval", "3",
                "--rawrouter-check-fall", "5").get(RawRouterKind.INSTANCE).orElseThrow();
        assertEquals(Duration.ofSeconds(3), raw.common().health().interval());
        assertEquals(5, raw.common().health().fall());
        String error = assertThrows(ConfigException.class, () -> parse("--rawrouter", ":9090", "--rawrouter-check-interval",
                "3", "--rawrouter-check-path", "/health")).getMessage();
        assertTrue(error.contains("rawrouter-check-path"), error);
        FastRouterConfig fast = parse("--fastrouter", ":3017", "--fastrouter-check-interval", "2", "--fastrouter-check-path",
                "/ping", "--fastrouter-error-limit", "3").get(FastRouterKind.INSTANCE).orElseThrow();
        assertEquals(Optional.of("/ping"), fast.common().health().path());
        assertEquals(3, fast.common().health().errorLimit());
    }
}
