package io.corerouter.ssl;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the PEM files a TLS context is built from: certificate chains (other blocks in the file,
 * such as DH parameters, are skipped) and unencrypted private keys in PKCS#8
 * ({@code BEGIN PRIVATE KEY}, what {@code openssl req -newkey} and {@code genpkey} write) or PKCS#1
 * RSA ({@code BEGIN RSA PRIVATE KEY}) form. Blocking: start-up or offload threads only.
 */
final class PemFiles {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
    private static final String[] KEY_ALGORITHMS = {"RSA", "EC", "Ed25519", "Ed448", "DSA", "RSASSA-PSS"};

    private PemFiles() {
    }

    /** Every {@code CERTIFICATE} block of the file, in order (leaf first for a chain). */
    static List<X509Certificate> certificates(Path file) throws IOException, GeneralSecurityException {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        List<X509Certificate> certificates = new ArrayList<>();
        Matcher m = BLOCK.matcher(Files.readString(file, StandardCharsets.US_ASCII));
        while (m.find()) {
            if (m.group(1).equals("CERTIFICATE") || m.group(1).equals("TRUSTED CERTIFICATE")) {
                certificates.add((X509Certificate) factory.generateCertificate(
                        new ByteArrayInputStream(decode(m.group(2)))));
            }
        }
        if (certificates.isEmpty()) {
            throw new GeneralSecurityException(file + ": no PEM certificate found");
        }
        return certificates;
    }

    /** The first private key block of the file. */
    static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
        Matcher m = BLOCK.matcher(Files.readString(file, StandardCharsets.US_ASCII));
        while (m.find()) {
            switch (m.group(1)) {
                case "PRIVATE KEY":
                    return pkcs8(file, decode(m.group(2)));
                case "RSA PRIVATE KEY":
                    return pkcs8(file, wrapPkcs1(decode(m.group(2))));
                case "ENCRYPTED PRIVATE KEY":
                    throw new GeneralSecurityException(file + ": encrypted private keys are not supported "
                            + "(decrypt it: openssl pkcs8 -in KEY -out KEY.plain)");
                case "EC PRIVATE KEY":
                    throw new GeneralSecurityException(file + ": SEC1 EC keys are not supported "
                            + "(convert it: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8)");
                default:
                    // parameters, certificates: skip
            }
        }
        throw new GeneralSecurityException(file + ": no PEM private key found");
    }

    private static PrivateKey pkcs8(Path file, byte[] der) throws GeneralSecurityException {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException wrongAlgorithm) {
                // try the next one
            }
        }
        throw new GeneralSecurityException(file + ": unsupported private key algorithm");
    }

    /** PKCS#1 RSAPrivateKey inside a PKCS#8 PrivateKeyInfo with the rsaEncryption algorithm. */
    private static byte[] wrapPkcs1(byte[] pkcs1) {
        byte[] algorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01,
            0x01, 0x01, 0x05, 0x00};
        byte[] version = {0x02, 0x01, 0x00};
        byte[] octets = der(0x04, pkcs1);
        byte[] body = new byte[version.length + algorithm.length + octets.length];
        System.arraycopy(version, 0, body, 0, version.length);
        System.arraycopy(algorithm, 0, body, version.length, algorithm.length);
        System.arraycopy(octets, 0, body, version.length + algorithm.length, octets.length);
        return der(0x30, body);
    }

    private static byte[] der(int tag, byte[] content) {
        int n = content.length;
        byte[] length;
        if (n < 0x80) {
            length = new byte[] {(byte) n};
        } else if (n < 0x100) {
            length = new byte[] {(byte) 0x81, (byte) n};
        } else if (n < 0x10000) {
            length = new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n};
        } else {
            length = new byte[] {(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
        }
        byte[] out = new byte[1 + length.length + n];
        out[0] = (byte) tag;
        System.arraycopy(length, 0, out, 1, length.length);
        System.arraycopy(content, 0, out, 1 + length.length, n);
        return out;
    }

    private static byte[] decode(String base64) {
        return Base64.getMimeDecoder().decode(base64);
    }
}
