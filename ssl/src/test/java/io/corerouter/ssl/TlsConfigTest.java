package io.corerouter.ssl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.core.config.ConfigException;
import io.corerouter.core.config.Endpoint;
import io.corerouter.core.config.RouterConfig;
import io.corerouter.ssl.router.SslRouterConfig;
import io.corerouter.ssl.router.SslRouterKind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The TLS option syntaxes of spec §5.1 (the HTTP router's {@code --https} ones: router-http's HttpsConfigTest). */
class TlsConfigTest {
    private static String error(String... args) {
        return assertThrows(ConfigException.class, () -> SslConfigs.parse(args)).getMessage();
    }

    @Test
    void uwsgiSslParamsAreReadOrAcceptedWithAWarning() throws Exception {
        RouterConfig config = SslConfigs.parse("--sslrouter", ":8443,a.crt,a.key", "--ssl-verbose",
                "--ssl-option", "16384", "--ssl-option", "4194304", "--ssl-enable3", "--ssl-tmp-dir", "/tmp/x");
        TlsConfig tls = config.get(TlsSection.INSTANCE).orElseThrow();
        assertTrue(tls.verbose());
        assertEquals(List.of(16384L, 4194304L), tls.rawOptions());
        assertTrue(config.warnings().stream().anyMatch(w -> w.startsWith("ssl-enable3 ignored: SSLv3")),
                config.warnings().toString());
        assertTrue(config.warnings().stream().anyMatch(w -> w.startsWith("ssl-tmp-dir /tmp/x ignored")),
                config.warnings().toString());
        assertFalse(TlsConfig.DEFAULTS.verbose());
        assertTrue(error("--ssl-option", "0x4000").startsWith("ssl-option: 0x4000 (expected: a decimal SSL_OP_* value"));
        assertTrue(error("--ssl-option", "0").startsWith("ssl-option: 0 (expected:"));
    }

    @Test
    void sslrouterAndCommonOptions() throws Exception {
        RouterConfig config = SslConfigs.parse("--sslrouter", ":8443,s.crt,s.key", "--sslrouter-to", "/tmp/n.sock",
                "--sslrouter-sni", "--sslrouter-max-retries", "5", "--sslrouter-timeout", "9",
                "--sslrouter2", "addr=127.0.0.1:9443,cert=t.crt,key=t.key");
        SslRouterConfig ssl = config.get(SslRouterKind.INSTANCE).orElseThrow();
        assertEquals(List.of(":8443", "127.0.0.1:9443"), ssl.common().listeners().stream().map(Endpoint::name).toList());
        assertEquals(List.of(Endpoint.parseBackend("/tmp/n.sock")), ssl.common().to());
        assertTrue(ssl.sni());
        assertEquals(5, ssl.maxRetries());
        assertEquals(Duration.ofSeconds(9), ssl.common().timeouts().idle());
        assertTrue(SslRouterKind.INSTANCE.servesTls(ssl));
        assertTrue(config.warnings().isEmpty(), config.warnings().toString());
    }

    @Test
    void globalTlsOptions() throws Exception {
        TlsConfig tls = SslConfigs.tls("--sni", "a.example a.crt,a.key", "--sni", "b.example b.crt,b.key,,!ca",
                "--sni-regexp", "^c[0-9]+\\.example$ c.crt,c.key", "--sni-dir", "/etc/certs", "--sni-dir-ciphers", "HIGH",
                "--ssl-sessions-use-cache=ssl", "--ssl-sessions-timeout", "600", "--ssl-sessions-cache-size", "100",
                "--ssl-ticket-keys", "/etc/ticket.key", "--ssl-reload-interval", "0");
        assertEquals(List.of("a.example", "b.example"), tls.sni().stream().map(SniEntry::name).toList());
        assertTrue(tls.sni().get(1).files().clientCertRequired());
        assertEquals("^c[0-9]+\\.example$", tls.sniRegexp().get(0).name());
        assertEquals(Optional.of(Path.of("/etc/certs")), tls.sniDir());
        assertEquals(Optional.of("HIGH"), tls.sniDirCiphers());
        assertEquals("ssl", tls.sessionCacheName());
        assertEquals(Duration.ofSeconds(600), tls.sessionTimeout());
        assertEquals(100, tls.sessionCacheSize());
        assertEquals(Optional.of(Path.of("/etc/ticket.key")), tls.ticketKeys());
        assertEquals(Duration.ZERO, tls.reloadInterval());
        assertEquals(TlsConfig.DEFAULTS, SslConfigs.tls());
    }

    @Test
    void verifyDepthExpiryWarningAndOcspOptions() throws Exception {
        TlsConfig tls = SslConfigs.tls("--ssl-verify-depth", "2", "--ssl-expiry-warning", "14",
                "--ssl-ocsp-stapling", "--ssl-ocsp-responder", "http://ocsp.example:8080/",
                "--ssl-ocsp-file", "a.crt,a.ocsp", "--ssl-ocsp-file", "/etc/b.crt,/var/b.der");
        assertEquals(OptionalInt.of(2), tls.verifyDepth());
        assertEquals(14, tls.expiryWarningDays());
        assertTrue(tls.ocsp().stapling());
        assertEquals(Optional.of(java.net.URI.create("http://ocsp.example:8080/")), tls.ocsp().responder());
        assertEquals(Optional.of(Path.of("a.ocsp")), tls.ocsp().fileFor(Path.of("a.crt")));
        assertEquals(Optional.of(Path.of("a.ocsp")), tls.ocsp().fileFor(Path.of("a.crt").toAbsolutePath()));
        assertEquals(Optional.of(Path.of("/var/b.der")), tls.ocsp().fileFor(Path.of("/etc/../etc/b.crt")));
        assertEquals(Optional.empty(), tls.ocsp().fileFor(Path.of("c.crt")));
        assertEquals(OptionalInt.empty(), TlsConfig.DEFAULTS.verifyDepth());
        assertEquals(30, TlsConfig.DEFAULTS.expiryWarningDays());
        assertFalse(TlsConfig.DEFAULTS.ocsp().stapling());
        assertTrue(error("--ssl-verify-depth", "-1").startsWith("ssl-verify-depth: -1 (expected: 0-100)"));
        assertTrue(error("--ssl-expiry-warning", "x").startsWith("ssl-expiry-warning: x (expected: a number)"));
        assertTrue(error("--ssl-ocsp-responder", "ftp://x/").startsWith("ssl-ocsp-responder: ftp://x/ (expected: an http:// URL)"));
        assertTrue(error("--ssl-ocsp-file", "a.crt").startsWith("ssl-ocsp-file: a.crt (expected: CRT,FILE)"));
    }

    @Test
    void badValuesNameTheOption() {
        assertTrue(error("--sslrouter", "127.0.0.1:8443,a.crt").startsWith("sslrouter: a.crt (expected: CRT,KEY"));
        assertTrue(error("--sslrouter2", "addr=:1,cert=a,key=b,bogus=1").startsWith("sslrouter2: "));
        assertTrue(error("--sslrouter", ":1,a,b,c,!").startsWith("sslrouter: '!' without a client CA"));
        assertTrue(error("--sni", "nospace").startsWith("sni: nospace (expected: NAME CRT,KEY"));
        assertTrue(error("--sni-regexp", "*.bad a,b").startsWith("sni-regexp: bad regular expression *.bad"));
        assertTrue(error("--ssl-sessions-timeout", "0").startsWith("ssl-sessions-timeout: 0 (expected: > 0)"));
    }
}
