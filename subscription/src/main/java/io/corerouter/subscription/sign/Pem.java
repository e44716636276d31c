package io.corerouter.subscription.sign;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Reads the RSA keys of secured subscriptions from PEM files, as OpenSSL writes them: public keys
 * as {@code PUBLIC KEY} (what uWSGI's {@code PEM_read_PUBKEY} accepts, spec §2.9), private keys as
 * {@code PRIVATE KEY} (PKCS#8, {@code openssl genrsa} of OpenSSL 3) or {@code RSA PRIVATE KEY}
 * (PKCS#1, older OpenSSL).
 *
 * <p>File reads block: call at start-up or on the subscription thread, never on an event loop.
 */
public final class Pem {
    /** DER AlgorithmIdentifier of rsaEncryption (1.2.840.113549.1.1.1) with NULL parameters. */
    private static final byte[] RSA_ALGORITHM = {
        0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00
    };

    private Pem() {
    }

    /** The RSA public key of a {@code PUBLIC KEY} PEM file. */
    public static PublicKey readPublicKey(Path file) throws IOException, GeneralSecurityException {
        byte[] der = block(Files.readString(file, StandardCharsets.US_ASCII), "PUBLIC KEY", file);
        return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
    }

    /** The RSA private key of a {@code PRIVATE KEY} or {@code RSA PRIVATE KEY} PEM file. */
    public static PrivateKey readPrivateKey(Path file) throws IOException, GeneralSecurityException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        byte[] der;
        if (text.contains("-----BEGIN RSA PRIVATE KEY-----")) {
            der = pkcs1ToPkcs8(block(text, "RSA PRIVATE KEY", file));
        } else {
            der = block(text, "PRIVATE KEY", file);
        }
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
    }

    /** The base64 body between {@code -----BEGIN type-----} and {@code -----END type-----}, decoded. */
    static byte[] block(String text, String type, Path file) throws IOException {
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int from = text.indexOf(begin);
        int to = from < 0 ? -1 : text.indexOf(end, from);
        if (to < 0) {
            throw new IOException(file + ": no " + type + " PEM block");
        }
        String body = text.substring(from + begin.length(), to);
        try {
            return Base64.getMimeDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": bad base64 in the " + type + " PEM block");
        }
    }

    /** Wraps a PKCS#1 RSAPrivateKey in a PKCS#8 PrivateKeyInfo, which the JDK reads. */
    static byte[] pkcs1ToPkcs8(byte[] pkcs1) {
        ByteArrayOutputStream body = new ByteArrayOutputStream(pkcs1.length + 32);
        body.writeBytes(new byte[] {0x02, 0x01, 0x00}); // version 0
        body.writeBytes(RSA_ALGORITHM);
        body.write(0x04); // OCTET STRING
        writeLength(body, pkcs1.length);
        body.writeBytes(pkcs1);
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.size() + 4);
        out.write(0x30); // SEQUENCE
        writeLength(out, body.size());
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    private static void writeLength(ByteArrayOutputStream out, int length) {
        if (length < 0x80) {
            out.write(length);
        } else if (length < 0x100) {
            out.write(0x81);
            out.write(length);
        } else if (length < 0x10000) {
            out.write(0x82);
            out.write(length >> 8);
            out.write(length);
        } else {
            out.write(0x83);
            out.write(length >> 16);
            out.write(length >> 8);
            out.write(length);
        }
    }
}
