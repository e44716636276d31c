package io.corerouter.ssl;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.core.testing.OpensslClient;
import io.corerouter.core.testing.OpensslPki;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --ssl-verify-depth N} (uWSGI's): client certificates may reach the client CA through at most
 * N intermediate CAs, as OpenSSL's verify depth; without the option any depth is accepted.
 */
class VerifyDepthTest {
    @TempDir
    static Path dir;
    static OpensslPki pki;
    static OpensslPki.Pair server;
    static OpensslPki.Pair direct;
    static OpensslPki.Pair intermediate;
    static OpensslPki.Pair viaIntermediate;
    static EchoNode echo;

    @BeforeAll
    static void setUp() throws Exception {
        pki = OpensslPki.create(dir);
        server = pki.server("server", "depth.example");
        direct = pki.client("direct", "direct");
        intermediate = pki.issue("inter", "/O=Test/CN=Client Intermediate", "basicConstraints=critical,CA:TRUE");
        viaIntermediate = new OpensslPki.Pair(dir.resolve("deep.crt"), dir.resolve("deep.key"));
        OpensslPki.openssl(List.of("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-nodes", "-keyout", viaIntermediate.key().toString(), "-out", viaIntermediate.cert().toString(),
                "-subj", "/C=IT/O=Test/CN=deep", "-CA", intermediate.cert().toString(), "-CAkey",
                intermediate.key().toString(), "-days", "2", "-addext", "extendedKeyUsage=clientAuth"));
        echo = EchoNode.start(dir, "echo");
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (echo != null) {
            echo.close();
        }
    }

    private static RunningSslRouter router(String... more) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("--sslrouter", "127.0.0.1:0," + server.cert() + ","
                + server.key() + ",,!" + pki.ca().cert(), "--sslrouter-to", echo.address()));
        args.addAll(List.of(more));
        return RunningSslRouter.start(args.toArray(new String[0]));
    }

    private static boolean accepted(int port, OpensslPki.Pair client) throws Exception {
        OpensslClient c = OpensslClient.to(port).certificate(client);
        if (client == viaIntermediate) {
            c.args("-cert_chain", intermediate.cert().toString());
        }
        return c.send("d\nquit\n").stdout().contains("echo:d");
    }

    @Test
    void withoutTheOptionAnyDepthIsAccepted() throws Exception {
        try (RunningSslRouter router = router()) {
            assertTrue(accepted(router.port(), direct));
            assertTrue(accepted(router.port(), viaIntermediate));
        }
    }

    @Test
    void depthZeroAcceptsOnlyCertificatesTheCaSignedItself() throws Exception {
        try (RunningSslRouter router = router("--ssl-verify-depth", "0")) {
            assertTrue(accepted(router.port(), direct));
            assertFalse(accepted(router.port(), viaIntermediate));
        }
    }

    @Test
    void depthOneAcceptsOneIntermediate() throws Exception {
        try (RunningSslRouter router = router("--ssl-verify-depth", "1")) {
            assertTrue(accepted(router.port(), direct));
            assertTrue(accepted(router.port(), viaIntermediate));
        }
    }

    @Test
    void theJdkEngineHonoursTheDepthToo() throws Exception {
        try (RunningSslRouter router = RunningSslRouter.start(TlsEngine.jdk(), null, "--sslrouter", "127.0.0.1:0,"
                + server.cert() + "," + server.key() + ",,!" + pki.ca().cert(), "--sslrouter-to", echo.address(),
                "--ssl-verify-depth", "0")) {
            assertTrue(accepted(router.port(), direct));
            assertFalse(accepted(router.port(), viaIntermediate));
        }
    }
}
