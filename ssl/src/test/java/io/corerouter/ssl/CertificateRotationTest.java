package io.corerouter.ssl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.core.testing.TlsProbe;
import io.corerouter.core.testing.OpensslClient;
import io.corerouter.core.testing.OpensslPki;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Certificate files replaced under a running router: new handshakes get the new certificate, open
 * connections carry on, broken files leave the last good certificate in place.
 */
class CertificateRotationTest {
    @TempDir
    static Path dir;
    static OpensslPki pki;
    static EchoNode echo;

    @BeforeAll
    static void setUp() throws Exception {
        pki = OpensslPki.create(dir);
        echo = EchoNode.start(dir, "echo");
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (echo != null) {
            echo.close();
        }
    }

    private static String subject(int port) throws Exception {
        OpensslClient.Result result = OpensslClient.to(port).serverName("rotate.example").send("s\nquit\n");
        assertTrue(result.handshakeOk() && result.stdout().contains("echo:s"), result::toString);
        return result.subject();
    }

    /** A JDK TLS connection kept open across the rotation. */
    private static final class OpenConnection implements AutoCloseable {
        final SSLSocket socket;
        final BufferedReader in;
        final OutputStream out;

        OpenConnection(int port) throws Exception {
            SSLContext context = TlsProbe.trustingEverything();
            socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
            socket.setSoTimeout(30_000);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            out = socket.getOutputStream();
            assertEquals("hello echo", in.readLine());
        }

        String roundTrip(String line) throws Exception {
            out.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return in.readLine();
        }

        @Override
        public void close() throws java.io.IOException {
            socket.close();
        }
    }

    @Test
    void replacedFilesAreServedToNewHandshakesOnly() throws Exception {
        OpensslPki.Pair live = new OpensslPki.Pair(dir.resolve("live.crt"), dir.resolve("live.key"));
        OpensslPki.install(pki.server("v1", "v1.rotate.example"), live);
        try (RunningSslRouter router = RunningSslRouter.start("--sslrouter",
                "127.0.0.1:0," + live.cert() + "," + live.key(), "--sslrouter-to", echo.address(),
                "--ssl-reload-interval", "0");
             OpenConnection open = new OpenConnection(router.port())) {
            assertEquals("/O=Test/CN=v1.rotate.example", subject(router.port()));
            assertEquals("echo:before", open.roundTrip("before"));

            OpensslPki.install(pki.server("v2", "v2.rotate.example"), live);
            router.tls().checkFiles();
            assertEquals("/O=Test/CN=v2.rotate.example", subject(router.port()));
            assertEquals("echo:after", open.roundTrip("after")); // the old connection carries on

            // broken files: the last good certificate stays
            Files.writeString(live.key(), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
            router.tls().checkFiles();
            assertEquals("/O=Test/CN=v2.rotate.example", subject(router.port()));
            // a key that does not match the certificate: refused the same way
            Files.copy(pki.server("v3", "v3.rotate.example").key(), live.key(),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            router.tls().checkFiles();
            assertEquals("/O=Test/CN=v2.rotate.example", subject(router.port()));
            // the matching certificate arrives: served
            Files.copy(dir.resolve("v3.crt"), live.cert(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            router.tls().checkFiles();
            assertEquals("/O=Test/CN=v3.rotate.example", subject(router.port()));
        }
    }

    @Test
    void theReloadThreadNoticesChangesByItself() throws Exception {
        OpensslPki.Pair live = new OpensslPki.Pair(dir.resolve("auto.crt"), dir.resolve("auto.key"));
        OpensslPki.install(pki.server("a1", "a1.rotate.example"), live);
        try (RunningSslRouter router = RunningSslRouter.start("--sslrouter",
                "127.0.0.1:0," + live.cert() + "," + live.key(), "--sslrouter-to", echo.address(),
                "--ssl-reload-interval", "1")) {
            assertEquals("/O=Test/CN=a1.rotate.example", subject(router.port()));
            OpensslPki.install(pki.server("a2", "a2.rotate.example"), live);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            String seen = subject(router.port());
            while (!seen.equals("/O=Test/CN=a2.rotate.example") && System.nanoTime() < deadline) {
                Thread.sleep(100); // waiting for the router's own timer, bounded by the deadline
                seen = subject(router.port()); // every handshake meanwhile succeeds (asserted in subject())
            }
            assertEquals("/O=Test/CN=a2.rotate.example", seen);
        }
    }
}
