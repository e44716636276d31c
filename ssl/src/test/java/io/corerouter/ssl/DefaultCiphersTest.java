package io.corerouter.ssl;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.core.testing.OpensslClient;
import io.corerouter.core.testing.OpensslPki;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With no cipher list, TLS 1.2 offers only forward-secret AEAD suites (Mozilla intermediate); CBC
 * and static-RSA suites are refused. An explicit list (the listener's CIPHERS, {@code --sni} entries)
 * still wins.
 */
class DefaultCiphersTest {
    @TempDir
    static Path dir;
    static OpensslPki pki;
    static OpensslPki.Pair server;
    static EchoNode echo;

    @BeforeAll
    static void setUp() throws Exception {
        pki = OpensslPki.create(dir);
        server = pki.server("server", "ciphers.example");
        echo = EchoNode.start(dir, "echo");
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (echo != null) {
            echo.close();
        }
    }

    private static boolean tls12With(int port, String cipher) throws Exception {
        OpensslClient.Result result = OpensslClient.to(port).tls12().args("-cipher", cipher).send("c\nquit\n");
        return result.handshakeOk() && result.stdout().contains("echo:c");
    }

    @Test
    void defaultsOfferOnlyForwardSecretAeadSuites() throws Exception {
        try (RunningSslRouter router = RunningSslRouter.start("--sslrouter",
                "127.0.0.1:0," + server.cert() + "," + server.key(), "--sslrouter-to", echo.address())) {
            assertTrue(tls12With(router.port(), "ECDHE-ECDSA-AES128-GCM-SHA256"));
            assertTrue(tls12With(router.port(), "ECDHE-ECDSA-AES256-GCM-SHA384"));
            assertTrue(tls12With(router.port(), "ECDHE-ECDSA-CHACHA20-POLY1305"));
            assertFalse(tls12With(router.port(), "ECDHE-ECDSA-AES128-SHA"));
            assertFalse(tls12With(router.port(), "ECDHE-ECDSA-AES256-SHA384"));
            assertFalse(tls12With(router.port(), "ECDHE-ECDSA-AES128-SHA256"));
            OpensslClient.Result tls13 = OpensslClient.to(router.port()).tls13().send("c\nquit\n");
            assertTrue(tls13.handshakeOk() && tls13.stdout().contains("echo:c"), tls13::toString);
        }
    }

    @Test
    void anExplicitCipherListWins() throws Exception {
        try (RunningSslRouter router = RunningSslRouter.start("--sslrouter",
                "127.0.0.1:0," + server.cert() + "," + server.key() + ",HIGH", "--sslrouter-to", echo.address(),
                "--sni", "cbc.example " + server.cert() + "," + server.key() + ",ECDHE-ECDSA-AES128-SHA")) {
            assertTrue(tls12With(router.port(), "ECDHE-ECDSA-AES128-SHA"));
            OpensslClient.Result sni = OpensslClient.to(router.port()).serverName("cbc.example").tls12()
                    .args("-cipher", "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES128-GCM-SHA256").send("c\nquit\n");
            assertTrue(sni.handshakeOk() && sni.stdout().contains("ECDHE-ECDSA-AES128-SHA"), sni::toString);
        }
    }

    @Test
    void theJdkEngineHasTheSameDefaults() throws Exception {
        try (RunningSslRouter router = RunningSslRouter.start(TlsEngine.jdk(), null, "--sslrouter",
                "127.0.0.1:0," + server.cert() + "," + server.key(), "--sslrouter-to", echo.address())) {
            assertTrue(tls12With(router.port(), "ECDHE-ECDSA-AES128-GCM-SHA256"));
            assertFalse(tls12With(router.port(), "ECDHE-ECDSA-AES128-SHA"));
        }
    }
}
