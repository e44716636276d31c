package io.corerouter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.core.config.ConfigException;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class HttpFeaturesTest {
    private static HttpFeatures parse(String... args) throws ConfigException {
        String[] all = new String[args.length + 2];
        all[0] = "--http";
        all[1] = ":8080";
        System.arraycopy(args, 0, all, 2, args.length);
        return HttpConfigs.http(all).features();
    }

    @Test
    void everythingIsOffByDefault() throws Exception {
        assertEquals(HttpFeatures.DEFAULTS, parse());
        assertFalse(HttpFeatures.DEFAULTS.overPostLimit(Long.MAX_VALUE));
    }

    @Test
    void flagsAndValues() throws Exception {
        HttpFeatures f = parse("--http-websockets", "--http-raw-body", "--http-chunked-input", "--http-auto-chunked",
                "--http-auto-gzip", "--http-enable-proxy-protocol", "--http-manage-source", "--http-manage-rtsp",
                "--http-stud-prefix", "10.0.0.1", "--http-stud-prefix", "10.0.0.2", "--http-max-connections", "100",
                "--limit-post", "1000", "--http-chunked-buffer", "0");
        assertTrue(f.websockets() && f.rawBody() && f.chunkedInput() && f.autoChunked() && f.autoGzip()
                && f.proxyProtocol() && f.manageSource() && f.manageRtsp());
        assertEquals(List.of(InetAddress.getByName("10.0.0.1"), InetAddress.getByName("10.0.0.2")), f.studPrefixes());
        assertEquals(100, f.maxConnections());
        assertTrue(f.overPostLimit(1001));
        assertFalse(f.overPostLimit(1000));
        assertEquals(0, f.chunkedMemory());
    }

    @Test
    void manageExpectAsInUwsgi() throws Exception {
        assertTrue(parse("--http-manage-expect").manageExpect());
        assertEquals(0, parse("--http-manage-expect").expectLimit());
        assertEquals(0, parse("--http-manage-expect=1").expectLimit());
        assertEquals(4096, parse("--http-manage-expect=4096").expectLimit());
        assertFalse(parse().manageExpect());
    }

    @Test
    void badValuesNameTheOption() {
        assertTrue(assertThrows(ConfigException.class, () -> parse("--http-stud-prefix", "example.com"))
                .getMessage().startsWith("http-stud-prefix"));
        assertTrue(assertThrows(ConfigException.class, () -> parse("--http-stud-prefix", "10.0.0.256"))
                .getMessage().startsWith("http-stud-prefix"));
        assertTrue(assertThrows(ConfigException.class, () -> parse("--http-max-connections", "-1"))
                .getMessage().startsWith("http-max-connections"));
        assertTrue(assertThrows(ConfigException.class, () -> parse("--limit-post", "x"))
                .getMessage().startsWith("limit-post"));
    }
}
