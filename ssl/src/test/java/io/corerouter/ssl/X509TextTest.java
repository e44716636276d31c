package io.corerouter.ssl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.core.testing.OpensslPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS_DN and HTTPS_CC forms checked against what the openssl command prints for the same certificate. */
class X509TextTest {
    @TempDir
    Path dir;

    @Test
    void onelineMatchesOpenssl() throws Exception {
        OpensslPki pki = OpensslPki.create(dir);
        for (String subject : List.of("/C=IT/O=Test/CN=client1",
                "/C=IT/ST=Lazio/L=Roma/O=Unbit/OU=Dev/CN=www.example.com/emailAddress=ops@example.com",
                "/O=Comma, Inc./CN=a+b=c")) {
            OpensslPki.Pair pair = pki.issue("c" + subject.length(), subject, null);
            X509Certificate cert = PemFiles.certificates(pair.cert()).get(0);
            assertEquals(OpensslPki.onelineSubject(pair.cert()), X509Text.oneline(cert.getSubjectX500Principal()));
        }
    }

    @Test
    void pemIsWhatOpensslWrites() throws Exception {
        OpensslPki.Pair pair = OpensslPki.create(dir).client("pem", "pem");
        X509Certificate cert = PemFiles.certificates(pair.cert()).get(0);
        String pem = X509Text.pem(cert);
        assertEquals(Files.readString(pair.cert()), pem);
        assertTrue(pem.endsWith("-----END CERTIFICATE-----\n"));
    }

    @Test
    void pkcs1RsaKeysAreRead() throws Exception {
        Path key = dir.resolve("rsa.key");
        OpensslPki.openssl(List.of("genrsa", "-traditional", "-out", key.toString(), "2048"));
        assertTrue(Files.readString(key).startsWith("-----BEGIN RSA PRIVATE KEY-----"));
        assertEquals("RSA", PemFiles.privateKey(key).getAlgorithm());
    }
}
