package io.corerouter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.core.config.ConfigException;
import io.corerouter.core.config.Endpoint;
import io.corerouter.core.config.Limits;
import io.corerouter.core.config.RouterConfig;
import io.corerouter.core.config.RouterOptions;
import io.corerouter.core.config.RouterServices;
import io.corerouter.core.config.RouterSubscriptionOptions;
import io.corerouter.core.config.StatsOptions;
import io.corerouter.core.config.Timeouts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HttpRouterConfigTest {
    @TempDir
    Path dir;

    private static HttpRouterConfig http(String... args) throws ConfigException {
        return HttpConfigs.http(args);
    }

    private static String error(String... args) {
        return assertThrows(ConfigException.class, () -> HttpConfigs.parse(args)).getMessage();
    }

    @Test
    void defaults() throws Exception {
        RouterConfig config = HttpConfigs.parse("--http", "127.0.0.1:0");
        assertEquals(2, config.offloadThreads());
        assertEquals(Duration.ofSeconds(10), config.drain());
        assertTrue(config.warnings().isEmpty());
        HttpRouterConfig http = HttpConfigs.kind(config).router();
        RouterOptions common = http.common();
        assertEquals("http", common.kind());
        assertEquals(List.of(Endpoint.parseListener("127.0.0.1:0")), common.listeners());
        assertEquals(List.of(), common.to());
        assertEquals(List.of(), common.fallback());
        assertEquals(Runtime.getRuntime().availableProcessors(), common.processes());
        assertEquals(Timeouts.of(Duration.ofSeconds(60)), common.timeouts());
        assertEquals(Duration.ofSeconds(30), common.gracetime());
        assertFalse(common.quiet());
        assertEquals(4096, common.bufferSize());
        assertEquals(Duration.ZERO, common.harakiri());
        assertFalse(common.cheap());
        assertEquals(KeepAlive.DISABLED, http.keepAlive());
        assertEquals(List.of(), http.vars());
        assertEquals(0, http.modifier1());
        assertEquals(0, http.modifier2());
        assertFalse(http.serverNameAsHttpHost());
        assertEquals(new Limits(65536, 65536, 1024), http.limits());
    }

    @Test
    void noHttpListenerNoHttpRouter() throws Exception {
        RouterConfig config = HttpConfigs.parse("--offload-threads", "3", "--reload-mercy", "0");
        assertTrue(config.get(HttpRouterKind.INSTANCE).isEmpty());
        assertEquals(3, config.offloadThreads());
        assertEquals(Duration.ZERO, config.drain());
        assertTrue(config.warnings().isEmpty());
    }

    @Test
    void httpOptionsWithoutListenerWarn() throws Exception {
        RouterConfig config = HttpConfigs.parse("--http-to", "127.0.0.1:3031");
        assertTrue(config.get(HttpRouterKind.INSTANCE).isEmpty());
        assertEquals(List.of("http-* options given without --http: no HTTP router is started"), config.warnings());
    }

    @Test
    void everyOptionIsRead() throws Exception {
        HttpRouterConfig http = http("--http", ":8080", "--httprouter", "/tmp/r.sock", "--http-to", ":3031",
                "--http-to", "@app", "--http-fallback", "[::1]:3032", "--http-processes", "3", "--http-timeout", "20",
                "--http-gracetime", "0", "--http-quiet", "1", "--http-buffer-size", "8192", "--http-harakiri", "5",
                "--http-cheap", "--http-modifier1", "255", "--http-modifier2", "7",
                "--http-server-name-as-http-host", "yes", "--http-var", "A=1", "--http-var", "B=x=y",
                "--http-events", "64", "--http-uid", "www-data", "--http-gid", "33");
        RouterOptions c = http.common();
        assertEquals(List.of(":8080", "/tmp/r.sock"), c.listeners().stream().map(Endpoint::name).toList());
        assertEquals(List.of(":3031", "@app"), c.to().stream().map(Endpoint::name).toList());
        assertEquals(List.of("[::1]:3032"), c.fallback().stream().map(Endpoint::name).toList());
        assertEquals(3, c.processes());
        assertEquals(Timeouts.of(Duration.ofSeconds(20)), c.timeouts());
        assertEquals(Duration.ZERO, c.gracetime());
        assertTrue(c.quiet());
        assertEquals(8192, c.bufferSize());
        assertEquals(Duration.ofSeconds(5), c.harakiri());
        assertTrue(c.cheap());
        assertEquals(64, c.events());
        assertEquals(Optional.of("www-data"), c.uid());
        assertEquals(Optional.of("33"), c.gid());
        assertEquals(255, http.modifier1());
        assertEquals(7, http.modifier2());
        assertTrue(http.serverNameAsHttpHost());
        assertEquals(List.of(new UwsgiVar("A", "1"), new UwsgiVar("B", "x=y")), http.vars());
        assertEquals(new Limits(131072, 131072, 1024), http.limits());
    }

    @Test
    void headAndConnectTimeoutsDefaultToHttpTimeout() throws Exception {
        assertEquals(Timeouts.of(Duration.ofSeconds(10)), http("--http", ":0", "--http-timeout", "10").common().timeouts());
        assertEquals(new Timeouts(Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofSeconds(10)),
                http("--http", ":0", "--http-timeout", "10", "--http-headers-timeout", "5").common().timeouts());
        assertEquals(new Timeouts(Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(3)),
                http("--http", ":0", "--http-connect-timeout", "3").common().timeouts());
    }

    @Test
    void processesDefaultToCpuCoresAndWorkersIsAnAlias() throws Exception {
        assertEquals(Runtime.getRuntime().availableProcessors(), http("--http", ":0").common().processes());
        assertEquals(5, http("--http", ":0", "--http-workers", "5").common().processes());
    }

    @ParameterizedTest(name = "--http-keepalive{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        // value    | http-timeout | enabled | idle
        "\"\"       | 60           | false   | 0",   // not given
        "(bare)     | 60           | true    | 60",
        "(bare)     | 15           | true    | 15",
        "=1         | 15           | true    | 15",
        "=0         | 15           | false   | 0",   // uWSGI: keepalive = atoi("0") = off
        "=5         | 60           | true    | 5",
        "=2         | 60           | true    | 2",
    })
    void keepAlive(String form, int httpTimeout, boolean enabled, long idle) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("--http", ":0", "--http-timeout", Integer.toString(httpTimeout)));
        if (form.equals("(bare)")) {
            args.add("--http-keepalive");
        } else if (!form.isEmpty()) {
            args.add("--http-keepalive" + form);
        }
        assertEquals(new KeepAlive(enabled, Duration.ofSeconds(idle)), http(args.toArray(String[]::new)).keepAlive());
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "--http-timeout          | -1          | http-timeout: -1 (expected: > 0)",
        "--http-timeout          | 0           | http-timeout: 0 (expected: > 0)",
        "--http-timeout          | abc         | http-timeout: abc (expected: a number)",
        "--http-timeout          | \"\"        | http-timeout: '' (expected: a number)",
        "--http-timeout          | 60s         | http-timeout: 60s (expected: a number)",
        "--http-timeout          | 99999999999 | http-timeout: 99999999999 (expected: > 0)",
        "--http-timeout          | -99999999999999999999 | http-timeout: -99999999999999999999 (expected: > 0)",
        "--http-headers-timeout  | 0           | http-headers-timeout: 0 (expected: > 0)",
        "--http-connect-timeout  | x           | http-connect-timeout: x (expected: a number)",
        "--http-gracetime        | -1          | http-gracetime: -1 (expected: >= 0)",
        "--http-harakiri         | -5          | http-harakiri: -5 (expected: >= 0)",
        "--http-processes        | 0           | http-processes: 0 (expected: > 0)",
        "--http-events           | -1          | http-events: -1 (expected: 0-1048576)",
        "--http-uid              | \"\"        | http-uid: '' (expected: a non-empty value)",
        "--http-workers          | -2          | http-processes: -2 (expected: > 0)",
        "--http-buffer-size      | 0           | http-buffer-size: 0 (expected: 1-1048576)",
        "--http-buffer-size      | 2000000     | http-buffer-size: 2000000 (expected: 1-1048576)",
        "--http-modifier1        | 300         | http-modifier1: 300 (expected: 0-255)",
        "--http-modifier1        | -1          | http-modifier1: -1 (expected: 0-255)",
        "--http-modifier2        | 256         | http-modifier2: 256 (expected: 0-255)",
        "--http-keepalive=x      | \"\"        | http-keepalive: x (expected: a number)",
        "--http-keepalive=-1     | \"\"        | http-keepalive: -1 (expected: >= 0)",
        "--offload-threads       | 0           | offload-threads: 0 (expected: > 0)",
        "--reload-mercy          | -1          | reload-mercy: -1 (expected: >= 0)",
        "--http-to               | 127.0.0.1:0 | http-to: 127.0.0.1:0 (expected: port 1-65535)",
        "--http-fallback         | ::1:3031    | http-fallback: ::1:3031 (expected: port 1-65535)",
        "--httprouter            | 1.2.3.4:99999 | http: 1.2.3.4:99999 (expected: port 0-65535)",
    })
    void validationMessages(String option, String value, String message) {
        List<String> args = new java.util.ArrayList<>(List.of("--http", ":0"));
        args.add(option);
        if (!option.contains("=")) {
            args.add(value);
        }
        assertEquals(message, error(args.toArray(String[]::new)));
    }

    @Test
    void validationMessageFromIniNamesFileAndLine() throws Exception {
        Path ini = Files.writeString(dir.resolve("app.ini"), "[uwsgi]\nhttp = :0\nhttp-timeout = -1\n");
        assertEquals("http-timeout: -1 (expected: > 0) [" + ini + ":3]", error(ini.toString()));
    }

    @Test
    void httpVarWithoutEqualsIsIgnoredWithAWarning() throws Exception {
        RouterConfig config = HttpConfigs.parse("--http", ":0", "--http-var", "NOEQUALS", "--http-var", "=x",
                "--http-var", "K=", "--http-var", "A=1");
        assertEquals(List.of(new UwsgiVar("K", ""), new UwsgiVar("A", "1")), HttpConfigs.kind(config).router().vars());
        assertEquals(List.of("http-var: ignoring 'NOEQUALS' (expected: KEY=VALUE)",
                "http-var: ignoring '=x' (expected: KEY=VALUE)"), config.warnings());
    }

    @Test
    void httpVarLongerThanAUwsgiFieldIsAnError() {
        String message = error("--http", ":0", "--http-var", "A=" + "v".repeat(0x10000));
        assertEquals("http-var: A: uwsgi var longer than 65535 bytes", message);
    }

    @Test
    void booleanValueOptionsFollowUwsgiTruth() throws Exception {
        assertFalse(http("--http", ":0", "--http-quiet", "off").common().quiet());
        assertTrue(http("--http", ":0", "--http-quiet", "on").common().quiet());
        assertFalse(http("--http", ":0", "--http-server-name-as-http-host", "0").serverNameAsHttpHost());
        assertTrue(http("--http", ":0", "--http-server-name-as-http-host=1").serverNameAsHttpHost());
    }

    @Test
    void headLimitIsSixteenBuffersWithAFloor() {
        assertEquals(65536, Limits.forBufferSize(4096).maxHeadSize());
        assertEquals(8192, Limits.forBufferSize(256).maxHeadSize());
        assertEquals(16 << 20, Limits.forBufferSize(1 << 20).maxHeadSize());
        assertEquals(Limits.forBufferSize(4096).maxHeadSize(), Limits.forBufferSize(4096).maxInitialLineLength());
    }

    @Test
    void recordsCheckThemselves() {
        Duration s = Duration.ofSeconds(1);
        assertThrows(IllegalArgumentException.class, () -> new Timeouts(Duration.ZERO, s, s));
        assertThrows(IllegalArgumentException.class, () -> new Timeouts(s, s, Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> new KeepAlive(true, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new KeepAlive(false, s));
        assertThrows(IllegalArgumentException.class, () -> new Limits(100, 200, 1));
        assertThrows(IllegalArgumentException.class, () -> new Limits(100, 100, 0));
        assertThrows(IllegalArgumentException.class, () -> new UwsgiVar("", "x"));
        assertThrows(IllegalArgumentException.class, () -> new RouterConfig(List.of(), java.util.Map.of(), 0,
                RouterConfig.DEFAULT_DRAIN, List.of(), StatsOptions.DEFAULTS));
        RouterOptions ok = new RouterOptions("http", List.of(), List.of(), List.of(), 1, Timeouts.of(s), s, false,
                4096, Duration.ZERO, false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new HttpRouterConfig(ok,
                KeepAlive.DISABLED, List.of(), 256, 0, false, Limits.forBufferSize(4096)));
        assertEquals("http-modifier1: 256 (expected: 0-255)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RouterOptions("http", List.of(), List.of(), List.of(),
                0, Timeouts.of(s), s, false, 4096, Duration.ZERO, false));
        assertThrows(UnsupportedOperationException.class, () -> ok.listeners().add(Endpoint.parseListener(":1")));
    }

    @Test
    void subscriptionAndStatsServers() throws Exception {
        RouterConfig config = HttpConfigs.parse("--http", ":8080", "--http-subscription-server", "127.0.0.1:7000",
                "--http-subscription-server", "/run/sub.sock", "--http-subscription-fallback-key", "default.test",
                "--http-resubscribe", "10.0.0.2:7000", "--http-resubscribe-bind", "10.0.0.1:0",
                "--http-ss", "/run/stats.sock", "--http-cheap", "--stats-http", "--stats-min");
        HttpRouterConfig http = HttpConfigs.kind(config).router();
        RouterSubscriptionOptions subs = http.subscriptions();
        assertEquals(List.of(Endpoint.parseListener("127.0.0.1:7000"), Endpoint.parseListener("/run/sub.sock")),
                subs.servers());
        assertEquals(Optional.of("default.test"), subs.fallbackKey());
        assertEquals(List.of(Endpoint.parseBackend("10.0.0.2:7000")), subs.resubscribe());
        assertEquals(Optional.of(Endpoint.parseListener("10.0.0.1:0")), subs.resubscribeBind());
        assertEquals(Optional.of(Endpoint.parseListener("/run/stats.sock")), http.stats());
        assertEquals(new RouterServices(subs, http.stats()), HttpRouterKind.INSTANCE.services(HttpConfigs.kind(config)));
        assertTrue(http.common().cheap());
        assertEquals(new StatsOptions(true, true), config.stats());
        assertTrue(config.warnings().isEmpty(), config.warnings().toString());
    }

    @Test
    void noSubscriptionOrStatsServerByDefault() throws Exception {
        RouterConfig config = HttpConfigs.parse("--http", "127.0.0.1:0");
        HttpRouterConfig http = HttpConfigs.kind(config).router();
        assertFalse(http.subscriptions().enabled());
        assertEquals(Optional.empty(), http.stats());
        assertEquals(StatsOptions.DEFAULTS, config.stats());
    }

    @Test
    void cheapWithoutSubscriptionServerWarns() throws Exception {
        RouterConfig config = HttpConfigs.parse("--http", ":0", "--http-to", "/a.sock", "--http-cheap");
        assertEquals(List.of("http-cheap: has no effect without http-subscription-server"), config.warnings());
    }

    @Test
    void badSubscriptionValues() {
        assertEquals("http-subscription-fallback-key: " + "k".repeat(256) + " (expected: a key of 1-255 bytes)",
                error("--http", ":0", "--http-subscription-fallback-key", "k".repeat(256)));
        assertEquals("http-resubscribe-bind: /tmp/x (expected: a UDP host:port)",
                error("--http", ":0", "--http-subscription-server", ":0", "--http-resubscribe-bind", "/tmp/x"));
    }

    @Test
    void http2IsOffByDefaultWithTheUsualLimits() throws Exception {
        Http2Config http2 = http("--http", ":0").http2();
        assertEquals(Http2Config.OFF, http2);
        assertFalse(http2.enabled());
        assertEquals(100, http2.maxConcurrentStreams());
        assertEquals(16384, http2.maxHeaderListSize());
        assertEquals(200, http2.maxResets());
        assertEquals(30, http2.resetWindowSeconds());
        assertEquals(Optional.empty(), http2.streamTimeout());
    }

    @Test
    void http2Options() throws Exception {
        Http2Config http2 = http("--http", ":0", "--http2", "--http2-max-concurrent-streams", "10",
                "--http2-max-header-list-size", "8192", "--http2-header-table-size", "0",
                "--http2-initial-window-size", "1048576", "--http2-max-resets", "50/10",
                "--http2-max-control-frames", "100", "--http2-max-empty-data", "5",
                "--http2-max-continuations", "8", "--http2-stream-timeout", "7").http2();
        assertEquals(new Http2Config(true, 10, 8192, 0, 1048576, 50, 10, 100, 5, 8,
                Optional.of(Duration.ofSeconds(7))), http2);
        assertEquals(30, http("--http", ":0", "--http2-max-resets", "20").http2().resetWindowSeconds());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "http2-max-resets|20/x|http2-max-resets: 20/x (expected: N or N/SECONDS",
            "http2-max-resets|0|http2-max-resets: 0 (expected: N >= 1, SECONDS >= 1",
            "http2-max-concurrent-streams|0|http2-max-concurrent-streams: 0",
            "http2-max-header-list-size|100|http2-max-header-list-size: 100",
            "http2-stream-timeout|0|http2-stream-timeout: 0"})
    void badHttp2ValuesNameTheOption(String option, String value, String expected) {
        String message = error("--http", ":0", "--" + option, value);
        assertTrue(message.startsWith(expected), message);
    }
}
