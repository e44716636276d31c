package io.corerouter.ssl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.core.testing.OpensslPki;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every private key form {@link PemFiles#privateKey} reads, each file written by the real openssl: the
 * key read must be the certificate's (a signature made with it verifies with the certificate made by
 * openssl from the same file), and encrypted or unusable keys are refused with the file named.
 */
class PemFilesTest {
    @TempDir
    Path dir;

    /** The key in {@code key} as read, after checking it against a self-signed certificate openssl made from it. */
    private PrivateKey readAndCheck(Path key, String firstLine) throws Exception {
        assertTrue(Files.readString(key).startsWith(firstLine), () -> key + " starts with " + firstLine);
        Path cert = dir.resolve(key.getFileName() + ".crt");
        OpensslPki.openssl(List.of("req", "-x509", "-key", key.toString(), "-out", cert.toString(),
                "-subj", "/CN=keys.test", "-days", "2"));
        X509Certificate certificate = PemFiles.certificates(cert).get(0);
        PrivateKey read = PemFiles.privateKey(key);
        String algorithm = read.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
        byte[] data = "signed by the key read".getBytes(StandardCharsets.US_ASCII);
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(read);
        signer.update(data);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(certificate.getPublicKey());
        verifier.update(data);
        assertTrue(verifier.verify(signature), key + ": the key read is not the certificate's");
        // and it is what Netty hands to BoringSSL: PKCS#8 DER
        assertEquals("PKCS#8", read.getFormat());
        return read;
    }

    private Path ecparamGenkey(String name, String curve, boolean withParameters) throws Exception {
        Path key = dir.resolve(name);
        List<String> args = new ArrayList<>(List.of("ecparam", "-genkey", "-name", curve, "-out", key.toString()));
        if (!withParameters) {
            args.add("-noout");
        }
        OpensslPki.openssl(args);
        return key;
    }

    @Test
    void sec1P256WithAndWithoutEcParameters() throws Exception {
        PrivateKey with = readAndCheck(ecparamGenkey("p256-params.key", "prime256v1", true),
                "-----BEGIN EC PARAMETERS-----");
        assertEquals(256, ((ECPrivateKey) with).getParams().getCurve().getField().getFieldSize());
        PrivateKey without = readAndCheck(ecparamGenkey("p256.key", "prime256v1", false),
                "-----BEGIN EC PRIVATE KEY-----");
        assertEquals("EC", without.getAlgorithm());
        assertEquals(256, ((ECPrivateKey) without).getParams().getCurve().getField().getFieldSize());
    }

    @Test
    void sec1P384WithAndWithoutEcParameters() throws Exception {
        PrivateKey with = readAndCheck(ecparamGenkey("p384-params.key", "secp384r1", true),
                "-----BEGIN EC PARAMETERS-----");
        assertEquals(384, ((ECPrivateKey) with).getParams().getCurve().getField().getFieldSize());
        PrivateKey without = readAndCheck(ecparamGenkey("p384.key", "secp384r1", false),
                "-----BEGIN EC PRIVATE KEY-----");
        assertEquals(384, ((ECPrivateKey) without).getParams().getCurve().getField().getFieldSize());
    }

    @Test
    void sec1KeyWithoutCurveTakesTheEcParametersBlock() throws Exception {
        // RFC 5915 makes the key's parameters field optional: the curve then comes from the block before it
        Path full = ecparamGenkey("full.key", "prime256v1", true);
        org.bouncycastle.asn1.sec.ECPrivateKey sec1;
        String text = Files.readString(full);
        String parameters = text.substring(0, text.indexOf("-----BEGIN EC PRIVATE KEY-----"));
        try (var pem = new org.bouncycastle.util.io.pem.PemReader(Files.newBufferedReader(full))) {
            pem.readPemObject(); // EC PARAMETERS
            sec1 = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(pem.readPemObject().getContent());
        }
        var bare = new org.bouncycastle.asn1.sec.ECPrivateKey(256, sec1.getKey(), sec1.getPublicKey(), null);
        Path key = dir.resolve("bare.key");
        Files.writeString(key, parameters + "-----BEGIN EC PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(bare.getEncoded())
                + "\n-----END EC PRIVATE KEY-----\n");
        assertEquals(sec1.getKey(), ((ECPrivateKey) PemFiles.privateKey(key)).getS());
        Path noCurve = dir.resolve("nocurve.key");
        Files.writeString(noCurve, Files.readString(key).substring(parameters.length()));
        GeneralSecurityException e = assertThrows(GeneralSecurityException.class, () -> PemFiles.privateKey(noCurve));
        assertTrue(e.getMessage().contains(noCurve.toString()) && e.getMessage().contains("EC PARAMETERS"),
                e.getMessage());
    }

    @Test
    void pkcs1Rsa() throws Exception {
        Path key = dir.resolve("rsa1.key");
        OpensslPki.openssl(List.of("genrsa", "-traditional", "-out", key.toString(), "2048"));
        assertEquals("RSA", readAndCheck(key, "-----BEGIN RSA PRIVATE KEY-----").getAlgorithm());
    }

    @Test
    void pkcs8RsaAndEc() throws Exception {
        Path rsa = dir.resolve("rsa8.key");
        OpensslPki.openssl(List.of("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
                "-out", rsa.toString()));
        assertEquals("RSA", readAndCheck(rsa, "-----BEGIN PRIVATE KEY-----").getAlgorithm());
        Path ec = dir.resolve("ec8.key");
        OpensslPki.openssl(List.of("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384",
                "-out", ec.toString()));
        assertEquals("EC", readAndCheck(ec, "-----BEGIN PRIVATE KEY-----").getAlgorithm());
    }

    @Test
    void keyAfterCertificateAndDhParametersIsFound() throws Exception {
        // one file with everything, as some deployments keep it: DH PARAMETERS is a block PEMParser refuses
        Path key = ecparamGenkey("combined.key", "prime256v1", true);
        Path cert = dir.resolve("combined.crt");
        OpensslPki.openssl(List.of("req", "-x509", "-key", key.toString(), "-out", cert.toString(),
                "-subj", "/CN=keys.test", "-days", "2"));
        Path combined = dir.resolve("combined.pem");
        Files.writeString(combined, Files.readString(cert) + "-----BEGIN DH PARAMETERS-----\nMAYCAQACAQI=\n"
                + "-----END DH PARAMETERS-----\n" + Files.readString(key));
        assertEquals("EC", PemFiles.privateKey(combined).getAlgorithm());
        assertEquals(1, PemFiles.certificates(combined).size());
    }

    @Test
    void encryptedKeysAreRefusedWithTheFileNamed() throws Exception {
        Path plain = ecparamGenkey("plain.key", "prime256v1", false);
        Path pkcs8 = dir.resolve("enc8.key");
        OpensslPki.openssl(List.of("pkcs8", "-topk8", "-v2", "aes-256-cbc", "-passout", "pass:secret",
                "-in", plain.toString(), "-out", pkcs8.toString()));
        Path sec1 = dir.resolve("enc1.key");
        OpensslPki.openssl(List.of("ec", "-aes256", "-passout", "pass:secret", "-in", plain.toString(),
                "-out", sec1.toString()));
        assertTrue(Files.readString(sec1).contains("Proc-Type: 4,ENCRYPTED"), () -> sec1 + " is traditional");
        for (Path key : List.of(pkcs8, sec1)) {
            GeneralSecurityException e = assertThrows(GeneralSecurityException.class, () -> PemFiles.privateKey(key));
            assertTrue(e.getMessage().startsWith(key + ": encrypted private keys are not supported"), e.getMessage());
            e = assertThrows(GeneralSecurityException.class, () -> PemFiles.privateKey("https :8443", key));
            assertTrue(e.getMessage().startsWith("https :8443: " + key + ": encrypted"), e.getMessage());
        }
    }

    @Test
    void noKeyOrBrokenKeyIsAClearError() throws Exception {
        Path none = dir.resolve("none.pem");
        Files.writeString(none, "not a key\n");
        assertEquals(none + ": no PEM private key found",
                assertThrows(GeneralSecurityException.class, () -> PemFiles.privateKey(none)).getMessage());
        Path broken = dir.resolve("broken.key");
        Files.writeString(broken, "-----BEGIN EC PRIVATE KEY-----\nMAMCAQE=\n-----END EC PRIVATE KEY-----\n");
        GeneralSecurityException e = assertThrows(GeneralSecurityException.class, () -> PemFiles.privateKey(broken));
        assertTrue(e.getMessage().startsWith(broken + ": "), e.getMessage());
    }
}
