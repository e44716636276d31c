package io.corerouter.subscription.sign;

import io.corerouter.subscription.SubscriptionOptions;
import io.corerouter.subscription.codec.SubscriptionPacket;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Duration;

/**
 * The server side of secured subscriptions ({@code --subscriptions-sign-check DIGEST:DIR}, spec §2.9):
 * finds a key's public key, verifies a packet's RSA PKCS#1 v1.5 signature and tells whether its
 * {@code unix} time is within {@code --subscriptions-sign-check-tolerance}.
 *
 * <p>The replay rules themselves (a node only accepts a {@code unix} newer than the last accepted one)
 * live in the table, which owns the per-node state. Used on the subscription thread only; key files
 * are read there, never on an event loop.
 */
public final class SignatureCheck {
    private final String algorithm;
    private final Path dir;
    private final long toleranceSeconds;

    public SignatureCheck(SubscriptionOptions.SignCheck config, Duration tolerance) {
        this.algorithm = config.algorithm();
        this.dir = config.dir();
        this.toleranceSeconds = tolerance.toSeconds();
    }

    /**
     * {@code DIR/<sanitised key>.pem}: every key byte outside {@code [0-9A-Za-z._-]} becomes {@code _}
     * ({@code test.uwsgi.it:8000} reads {@code test.uwsgi.it_8000.pem}), so a key cannot name a path.
     */
    public Path keyFile(String key) {
        return dir.resolve(sanitize(key) + ".pem");
    }

    /** uWSGI's {@code uwsgi_sanitize_cert_filename}. */
    public static String sanitize(String key) {
        StringBuilder out = new StringBuilder(key.length());
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
                    || c == '.' || c == '_' || c == '-';
            out.append(ok ? c : '_');
        }
        return out.toString();
    }

    /**
     * Reads the public key for {@code key} (blocking).
     *
     * @throws IOException if the file is missing or not a {@code PUBLIC KEY} PEM
     * @throws GeneralSecurityException if it is not an RSA key
     */
    public PublicKey loadKey(String key) throws IOException, GeneralSecurityException {
        return Pem.readPublicKey(keyFile(key));
    }

    /** Whether {@code packet} carries a valid signature by {@code key}'s private key. */
    public boolean verify(PublicKey key, SubscriptionPacket packet) {
        if (!packet.signed()) {
            return false;
        }
        try {
            Signature signature = Signature.getInstance(algorithm);
            signature.initVerify(key);
            signature.update(packet.signedBase());
            return signature.verify(packet.signature());
        } catch (GeneralSecurityException e) {
            return false; // a malformed signature is a bad signature
        }
    }

    /** Whether a {@code unix} time is recent enough: {@code unix >= now - tolerance}. */
    public boolean fresh(long unix, long nowEpochSeconds) {
        return unix >= nowEpochSeconds - toleranceSeconds;
    }
}
