package io.corerouter.ssl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.core.testing.OpensslClient;
import io.corerouter.core.testing.OpensslPki;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Client certificates (spec §5.1): a CLIENTCA asks for one, {@code !CLIENTCA} requires one. */
class ClientCertificateTest {
    @TempDir
    static Path dir;
    static OpensslPki pki;
    static OpensslPki.Pair server;
    static OpensslPki.Pair client;
    static OpensslPki.Pair stranger;
    static EchoNode echo;

    @BeforeAll
    static void setUp() throws Exception {
        pki = OpensslPki.create(dir);
        server = pki.server("server", "cc.example");
        client = pki.client("client1", "client1");
        OpensslPki other = OpensslPki.create(Files.createDirectory(dir.resolve("other")));
        stranger = other.client("stranger", "stranger");
        echo = EchoNode.start(dir, "echo");
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (echo != null) {
            echo.close();
        }
    }

    private static RunningSslRouter router(String clientCa) throws Exception {
        return RunningSslRouter.start("--sslrouter", "127.0.0.1:0," + server.cert() + "," + server.key() + ",,"
                + clientCa, "--sslrouter-to", echo.address());
    }

    private static boolean relays(OpensslClient client) throws Exception {
        OpensslClient.Result result = client.send("cc\nquit\n");
        return result.stdout().contains("echo:cc");
    }

    @Test
    void optionalClientCaAcceptsClientsWithAndWithoutACertificate() throws Exception {
        try (RunningSslRouter router = router(pki.ca().cert().toString())) {
            assertTrue(relays(OpensslClient.to(router.port())));
            assertTrue(relays(OpensslClient.to(router.port()).certificate(client)));
            // a certificate from another CA is verified and refused
            assertFalse(relays(OpensslClient.to(router.port()).certificate(stranger)));
        }
    }

    @Test
    void mandatoryClientCaFailsTheHandshakeWithoutACertificate() throws Exception {
        try (RunningSslRouter router = router("!" + pki.ca().cert())) {
            OpensslClient.Result without = OpensslClient.to(router.port()).tls12().send("cc\nquit\n");
            assertFalse(without.handshakeOk(), without::toString);
            assertFalse(relays(OpensslClient.to(router.port())));
            assertTrue(relays(OpensslClient.to(router.port()).certificate(client)));
            assertFalse(relays(OpensslClient.to(router.port()).certificate(stranger)));
            assertTrue(router.tls().stats().failedHandshakes() >= 2);
        }
    }

    @Test
    void handshakeRecordsTheClientCertificate() throws Exception {
        assertEquals("/C=IT/O=Test/CN=client1", OpensslPki.onelineSubject(client.cert()));
    }
}
