package io.corerouter.ssl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.core.testing.OcspResponder;
import io.corerouter.core.testing.OpensslClient;
import io.corerouter.core.testing.OpensslPki;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OCSP stapling against the real {@code openssl ocsp} responder and checked with the real
 * {@code openssl s_client -status}: the default certificate, an SNI one and a subscription-pushed one
 * are stapled from the responder named in each certificate; a revoked certificate's staple says
 * revoked; with the responder down handshakes go on without a staple; a response file
 * ({@code --ssl-ocsp-file}) is stapled as given, and a wrong one is refused naming the file.
 */
class OcspStaplingTest {
    @TempDir
    static Path dir;
    static OpensslPki pki;
    static OcspResponder responder;
    static OpensslPki.Pair main;
    static OpensslPki.Pair sni;
    static OpensslPki.Pair revoked;
    static OpensslPki.Pair pushed;
    static OpensslPki.Pair unknown;
    static EchoNode echo;

    @BeforeAll
    static void setUp() throws Exception {
        pki = OpensslPki.create(dir);
        responder = OcspResponder.start(dir, pki.ca(), List.of(new OcspResponder.Entry("1001", false),
                new OcspResponder.Entry("1002", false), new OcspResponder.Entry("1003", true),
                new OcspResponder.Entry("1004", false)));
        main = OcspResponder.issue(dir, pki.ca(), "main", "main.ocsp.example", "1001", responder.url());
        sni = OcspResponder.issue(dir, pki.ca(), "sni", "sni.ocsp.example", "1002", responder.url());
        revoked = OcspResponder.issue(dir, pki.ca(), "revoked", "revoked.ocsp.example", "1003", responder.url());
        pushed = OcspResponder.issue(dir, pki.ca(), "pushed", "pushed.ocsp.example", "1004", responder.url());
        unknown = OcspResponder.issue(dir, pki.ca(), "unknown", "unknown.ocsp.example", "1005", responder.url());
        echo = EchoNode.start(dir, "echo");
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (responder != null) {
            responder.close();
        }
        if (echo != null) {
            echo.close();
        }
    }

    private static String listener(OpensslPki.Pair pair) {
        return "127.0.0.1:0," + OcspResponder.chainOf(pair) + "," + pair.key();
    }

    private static String sniEntry(String name, OpensslPki.Pair pair) {
        return name + " " + OcspResponder.chainOf(pair) + "," + pair.key();
    }

    /** {@code s_client -status} output for a handshake with {@code name}; the handshake must succeed. */
    private static String status(int port, String name) throws Exception {
        OpensslClient.Result result = OpensslClient.to(port).serverName(name).args("-status").send("x\nquit\n");
        assertTrue(result.handshakeOk() && result.stdout().contains("echo:x"), result::toString);
        return result.stdout();
    }

    private static boolean stapled(String out, String certStatus) {
        return out.contains("OCSP Response Status: successful") && out.contains("Cert Status: " + certStatus);
    }

    @Test
    void defaultSniAndPushedCertificatesAreStapledFromTheirResponder() throws Exception {
        try (RunningSslRouter router = RunningSslRouter.start("--sslrouter", listener(main),
                "--sslrouter-to", echo.address(), "--sni", sniEntry("sni.ocsp.example", sni),
                "--sni", sniEntry("revoked.ocsp.example", revoked), "--ssl-ocsp-stapling")) {
            router.tls().sniContexts().addContext("pushed.ocsp.example:443", OcspResponder.chainOf(pushed).toString(),
                    pushed.key().toString(), null).toCompletableFuture().get(30, TimeUnit.SECONDS);
            router.tls().refreshOcsp();

            String out = status(router.port(), "main.ocsp.example");
            assertTrue(out.contains("CN=main.ocsp.example") && stapled(out, "good"), out);
            out = status(router.port(), "sni.ocsp.example");
            assertTrue(out.contains("CN=sni.ocsp.example") && stapled(out, "good"), out);
            out = status(router.port(), "pushed.ocsp.example");
            assertTrue(out.contains("CN=pushed.ocsp.example") && stapled(out, "good"), out);
            out = status(router.port(), "revoked.ocsp.example");
            assertTrue(out.contains("CN=revoked.ocsp.example") && stapled(out, "revoked"), out);
            // TLS 1.2 carries the staple in CertificateStatus, TLS 1.3 in the Certificate message: both
            OpensslClient.Result tls12 = OpensslClient.to(router.port()).serverName("main.ocsp.example").tls12()
                    .args("-status").send("x\nquit\n");
            assertTrue(tls12.handshakeOk() && stapled(tls12.stdout(), "good"), tls12::toString);
            // a client that does not ask gets no staple
            OpensslClient.Result plain = OpensslClient.to(router.port()).serverName("main.ocsp.example").send("x\nquit\n");
            assertTrue(plain.handshakeOk() && !plain.stdout().contains("OCSP response"), plain::toString);
        }
    }

    @Test
    void withoutStaplingNothingIsStapled() throws Exception {
        try (RunningSslRouter router = RunningSslRouter.start("--sslrouter", listener(main),
                "--sslrouter-to", echo.address())) {
            router.tls().refreshOcsp();
            assertTrue(status(router.port(), "main.ocsp.example").contains("OCSP response: no response sent"));
        }
    }

    @Test
    void responderDownMeansHandshakesWithoutAStaple() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort(); // closed again below: nothing listens there
        }
        try (RunningSslRouter router = RunningSslRouter.start("--sslrouter", listener(main),
                "--sslrouter-to", echo.address(), "--ssl-ocsp-stapling",
                "--ssl-ocsp-responder", "http://127.0.0.1:" + closedPort + "/")) {
            router.tls().refreshOcsp();
            assertTrue(status(router.port(), "main.ocsp.example").contains("OCSP response: no response sent"));
        }
    }

    @Test
    void aResponderThatStopsLeavesTheLastResponseStapledUntilItsNextUpdate() throws Exception {
        try (OcspResponder own = OcspResponder.start(dir, pki.ca(), List.of(new OcspResponder.Entry("2001", false)))) {
            OpensslPki.Pair pair = OcspResponder.issue(dir, pki.ca(), "brief", "brief.ocsp.example", "2001", own.url());
            try (RunningSslRouter router = RunningSslRouter.start("--sslrouter", listener(pair),
                    "--sslrouter-to", echo.address(), "--ssl-ocsp-stapling")) {
                router.tls().refreshOcsp();
                assertTrue(stapled(status(router.port(), "brief.ocsp.example"), "good"));
                own.close();
                router.tls().refreshOcsp(); // fails: the response is kept (valid 5 more minutes)
                assertTrue(stapled(status(router.port(), "brief.ocsp.example"), "good"));
            }
        }
    }

    @Test
    void anUnknownCertificateIsNotStapled() throws Exception {
        try (RunningSslRouter router = RunningSslRouter.start("--sslrouter", listener(unknown),
                "--sslrouter-to", echo.address(), "--ssl-ocsp-stapling")) {
            router.tls().refreshOcsp();
            assertTrue(status(router.port(), "unknown.ocsp.example").contains("OCSP response: no response sent"));
        }
    }

    @Test
    void aResponseFileIsStapledAndAWrongOneRefused() throws Exception {
        Path response = dir.resolve("main.ocsp.der");
        OpensslPki.openssl(List.of("ocsp", "-issuer", pki.ca().cert().toString(), "-cert", main.cert().toString(),
                "-url", responder.url(), "-respout", response.toString(), "-noverify"));
        try (RunningSslRouter router = RunningSslRouter.start("--sslrouter", listener(main),
                "--sslrouter-to", echo.address(), "--ssl-ocsp-file", OcspResponder.chainOf(main) + "," + response)) {
            assertTrue(stapled(status(router.port(), "main.ocsp.example"), "good"));
        }
        // the response of another certificate
        Exception wrong = assertThrows(Exception.class, () -> RunningSslRouter.start("--sslrouter", listener(sni),
                "--sslrouter-to", echo.address(), "--ssl-ocsp-file", OcspResponder.chainOf(sni) + "," + response));
        assertTrue(wrong.getMessage().contains(response.toString())
                && wrong.getMessage().contains("not about this certificate"), wrong.getMessage());
        // not a response at all
        Path garbage = Files.writeString(dir.resolve("garbage.der"), "not DER");
        Exception bad = assertThrows(Exception.class, () -> RunningSslRouter.start("--sslrouter", listener(main),
                "--sslrouter-to", echo.address(), "--ssl-ocsp-file", OcspResponder.chainOf(main) + "," + garbage));
        assertTrue(bad.getMessage().contains(garbage.toString()) && bad.getMessage().contains("not a DER OCSP response"),
                bad.getMessage());
    }

    @Test
    void responsesAreRefreshedHalfwayToTheirNextUpdateWithinBounds() {
        java.time.Instant now = java.time.Instant.parse("2026-01-01T00:00:00Z");
        java.util.function.Function<java.time.Duration, java.time.Duration> delay = left -> OcspStaple.refreshDelay(
                new OcspClient.Response(new byte[0], false, now, left == null ? null : now.plus(left)), now);
        assertEquals(java.time.Duration.ofMinutes(5), delay.apply(java.time.Duration.ofMinutes(10)));
        assertEquals(OcspStaple.MAX_REFRESH, delay.apply(java.time.Duration.ofDays(7)));
        assertEquals(OcspStaple.MIN_REFRESH, delay.apply(java.time.Duration.ofSeconds(5)));
        assertEquals(OcspStaple.MAX_REFRESH, delay.apply(null));
    }

    @Test
    void checkedResponsesCarryTheirStatusAndExpiry() throws Exception {
        byte[] der = OcspClient.fetch(java.net.URI.create(responder.url()), OcspClient.request(
                PemFiles.certificates(revoked.cert()).get(0), PemFiles.certificates(pki.ca().cert()).get(0)));
        OcspClient.Response response = OcspClient.check(der, PemFiles.certificates(revoked.cert()).get(0),
                PemFiles.certificates(pki.ca().cert()).get(0), java.time.Instant.now());
        assertTrue(response.revoked());
        assertNotNull(response.nextUpdate());
        // the same response checked against another issuer: its signature does not verify
        OpensslPki other = OpensslPki.create(Files.createDirectories(dir.resolve("other")));
        Exception e = assertThrows(java.io.IOException.class, () -> OcspClient.check(der,
                PemFiles.certificates(revoked.cert()).get(0), PemFiles.certificates(other.ca().cert()).get(0),
                java.time.Instant.now()));
        assertTrue(e.getMessage().contains("not signed by the issuer"), e.getMessage());
        assertFalse(OcspClient.responderOf(PemFiles.certificates(main.cert()).get(0)).isEmpty());
        assertNull(OcspClient.responderOf(PemFiles.certificates(pki.ca().cert()).get(0)).orElse(null));
    }
}
