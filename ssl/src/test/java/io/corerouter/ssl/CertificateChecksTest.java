package io.corerouter.ssl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.core.testing.OpensslPki;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Start-up checks of certificate files (issue 16): a key that does not match, an expired
 * certificate and a chain out of order are refused with the file named; a certificate close to
 * expiry is served with a warning. Files made with the real openssl (the expired one with Bouncy
 * Castle: openssl 3.0 cannot back-date a certificate).
 */
class CertificateChecksTest {
    @TempDir
    static Path dir;
    static OpensslPki pki;
    static OpensslPki.Pair a;
    static OpensslPki.Pair b;
    static OpensslPki.Pair intermediate;
    static OpensslPki.Pair deep;
    static EchoNode echo;

    @BeforeAll
    static void setUp() throws Exception {
        pki = OpensslPki.create(dir);
        a = pki.server("a", "a.checks.example");
        b = pki.server("b", "b.checks.example");
        intermediate = pki.issue("inter", "/O=Test/CN=Test Intermediate", "basicConstraints=critical,CA:TRUE");
        deep = new OpensslPki.Pair(dir.resolve("deep.crt"), dir.resolve("deep.key"));
        OpensslPki.openssl(List.of("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-nodes", "-keyout", deep.key().toString(), "-out", deep.cert().toString(), "-subj",
                "/O=Test/CN=deep.checks.example", "-CA", intermediate.cert().toString(), "-CAkey",
                intermediate.key().toString(), "-days", "2"));
        echo = EchoNode.start(dir, "echo");
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (echo != null) {
            echo.close();
        }
    }

    private static Exception refused(Path cert, Path key) {
        return assertThrows(Exception.class, () -> RunningSslRouter.start("--sslrouter",
                "127.0.0.1:0," + cert + "," + key, "--sslrouter-to", echo.address()).close());
    }

    private static Path concat(String name, Path... certs) throws Exception {
        StringBuilder text = new StringBuilder();
        for (Path cert : certs) {
            text.append(Files.readString(cert));
        }
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void aKeyThatDoesNotMatchIsRefusedNamingBothFiles() {
        Exception e = refused(a.cert(), b.key());
        assertTrue(e.getMessage().contains("key " + b.key() + " does not match certificate " + a.cert()), e.getMessage());
    }

    @Test
    void anExpiredCertificateIsRefusedNamingTheFile() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        KeyPair keys = generator.generateKeyPair();
        PrivateKey caKey = PemFiles.privateKey(pki.ca().key());
        X509Certificate ca = PemFiles.certificates(pki.ca().cert()).get(0);
        Instant now = Instant.now();
        X509Certificate expired = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
                ca.getSubjectX500Principal(), BigInteger.valueOf(77), Date.from(now.minus(Duration.ofDays(10))),
                Date.from(now.minus(Duration.ofDays(1))), new X500Principal("CN=old.checks.example,O=Test"),
                keys.getPublic()).build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKey)));
        Path cert = Files.writeString(dir.resolve("old.crt"), X509Text.pem(expired));
        Path key = Files.writeString(dir.resolve("old.key"), "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(keys.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        Exception e = refused(cert, key);
        assertTrue(e.getMessage().contains("certificate " + cert + " (/O=Test/CN=old.checks.example) expired on "),
                e.getMessage());
    }

    @Test
    void aChainInTheWrongOrderIsRefusedSayingWhichCertificateIsOutOfPlace() throws Exception {
        // the CA before the server's certificate
        Path caFirst = concat("cafirst.crt", pki.ca().cert(), a.cert());
        Exception e = refused(caFirst, a.key());
        assertTrue(e.getMessage().contains("certificate file " + caFirst + " is in the wrong order: key " + a.key()
                + " belongs to certificate 2"), e.getMessage());
        // leaf, root, intermediate: the root did not issue the leaf
        Path swapped = concat("swapped.crt", deep.cert(), pki.ca().cert(), intermediate.cert());
        e = refused(swapped, deep.key());
        assertTrue(e.getMessage().contains("certificate chain " + swapped + " is in the wrong order: certificate 2 "
                + "(/C=IT/O=Test/CN=Test CA) did not issue certificate 1 (/O=Test/CN=deep.checks.example); its issuer "
                + "is certificate 3"), e.getMessage());
        // the right order is served
        Path right = concat("right.crt", deep.cert(), intermediate.cert(), pki.ca().cert());
        RunningSslRouter.start("--sslrouter", "127.0.0.1:0," + right + "," + deep.key(),
                "--sslrouter-to", echo.address()).close();
    }

    @Test
    void aCertificateExpiringSoonIsServedWithAWarning() throws Exception {
        Logger logger = Logger.getLogger(CertificateChecks.class.getName());
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(capture);
        try {
            // the test certificates are valid for 2 days: within the default 30
            RunningSslRouter.start("--sslrouter", "127.0.0.1:0," + a.cert() + "," + a.key(),
                    "--sslrouter-to", echo.address()).close();
            assertEquals(1, records.size(), records::toString);
            assertEquals(Level.WARNING, records.get(0).getLevel());
            String message = records.get(0).getMessage();
            assertTrue(message.contains("certificate " + a.cert() + " (/O=Test/CN=a.checks.example) expires on ")
                    && message.contains(", in 1 day"), message);
            records.clear();
            RunningSslRouter.start("--sslrouter", "127.0.0.1:0," + a.cert() + "," + a.key(),
                    "--sslrouter-to", echo.address(), "--ssl-expiry-warning", "1").close();
            assertEquals(List.of(), records);
        } finally {
            logger.removeHandler(capture);
        }
    }
}
