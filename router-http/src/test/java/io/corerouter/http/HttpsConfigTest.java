package io.corerouter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.core.config.ConfigException;
import io.corerouter.core.config.Endpoint;
import io.corerouter.core.config.RouterConfig;
import io.corerouter.ssl.TlsFiles;
import io.corerouter.ssl.TlsListener;
import io.corerouter.ssl.TlsSection;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The HTTP router's TLS listeners and redirects (spec §5.1, §4.12). */
class HttpsConfigTest {
    private static String error(String... args) {
        return assertThrows(ConfigException.class, () -> HttpConfigs.parse(args)).getMessage();
    }

    @Test
    void httpsPositionalAndKeyValueForms() throws Exception {
        RouterConfig config = HttpConfigs.parse("--https", "127.0.0.1:8443,a.crt,a.key,HIGH,!ca.pem",
                "--https2", "addr=:9443,crt=b.crt,key=b.key,client_ca=ca2.pem,spdy=1",
                "--https-export-cert", "--https-session-context", "shared");
        HttpRouterKind.Config http = config.get(HttpRouterKind.INSTANCE).orElseThrow(
                () -> new AssertionError("--https alone starts the HTTP router"));
        assertTrue(http.router().common().listeners().isEmpty());
        HttpsConfig https = http.https();
        assertEquals(2, https.listeners().size());
        TlsListener first = https.listeners().get(0);
        assertEquals("127.0.0.1:8443", first.endpoint().name());
        assertEquals(new TlsFiles(Path.of("a.crt"), Path.of("a.key"), Optional.of("HIGH"),
                Optional.of(Path.of("ca.pem")), true), first.files());
        TlsListener second = https.listeners().get(1);
        assertEquals(":9443", second.endpoint().name());
        assertEquals(Optional.of(Path.of("ca2.pem")), second.files().clientCa());
        assertFalse(second.files().clientCertRequired());
        assertTrue(https.exportCert());
        assertEquals(Optional.of("shared"), https.sessionContext());
        assertTrue(HttpRouterKind.INSTANCE.servesTls(http));
    }

    @Test
    void plainHttpServesNoTls() throws Exception {
        assertFalse(HttpRouterKind.INSTANCE.servesTls(HttpConfigs.kind(HttpConfigs.parse("--http", ":80"))));
    }

    @Test
    void sslParamsApplyToHttpsListeners() throws Exception {
        RouterConfig config = HttpConfigs.parse("--https", ":8443,a.crt,a.key", "--ssl-verbose");
        assertTrue(config.get(TlsSection.INSTANCE).orElseThrow().verbose());
    }

    @Test
    void httpToHttps() throws Exception {
        HttpsConfig https = HttpConfigs.kind(HttpConfigs.parse("--http-to-https", "127.0.0.1:8080,8443",
                "--http-to-https", ":80")).https();
        assertEquals(List.of(new HttpsConfig.Redirect(Endpoint.parseListener("127.0.0.1:8080"), OptionalInt.of(8443)),
                new HttpsConfig.Redirect(Endpoint.parseListener(":80"), OptionalInt.empty())), https.redirects());
        assertTrue(error("--http-to-https", ":80,x").startsWith("http-to-https: :80,x (expected: ADDR[,PORT]"));
    }

    @Test
    void https2H2KeyTurnsHttp2OnOrOffPerListener() throws Exception {
        HttpsConfig https = HttpConfigs.kind(HttpConfigs.parse(
                "--https2", "addr=:9443,cert=a.crt,key=a.key,h2=1",
                "--https2", "addr=:9444,cert=a.crt,key=a.key,h2=0",
                "--https2", "addr=:9445,cert=a.crt,key=a.key")).https();
        assertEquals(Optional.of(true), https.listeners().get(0).h2());
        assertEquals(Optional.of(false), https.listeners().get(1).h2());
        assertEquals(Optional.empty(), https.listeners().get(2).h2());
        assertTrue(error("--https2", "addr=:1,cert=a,key=b,h2=maybe").contains("h2=maybe: expected 1 or 0"));
    }

    @Test
    void badValuesNameTheOption() {
        assertTrue(error("--https", "127.0.0.1:8443,a.crt").startsWith("https: a.crt (expected: CRT,KEY"));
        assertTrue(error("--https2", "addr=:1,cert=a,key=b,bogus=1").startsWith("https2: "));
    }
}
