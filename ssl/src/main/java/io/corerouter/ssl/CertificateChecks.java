package io.corerouter.ssl;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.logging.Logger;

/**
 * What is checked before a certificate is served, so an operator hears about a broken file once, at
 * start-up (or at a reload), with the file named, instead of from every client's failed handshake:
 * <ul>
 *   <li>the key must match the certificate (refused);</li>
 *   <li>the chain must go leaf first, then each certificate's issuer (refused otherwise, naming the
 *       certificates out of place);</li>
 *   <li>an expired certificate, or one not yet valid, is refused;</li>
 *   <li>one expiring within {@code --ssl-expiry-warning} days is served with a warning.</li>
 * </ul>
 * Reloads go through the same checks: a refused new file leaves the last good context in place.
 */
final class CertificateChecks {
    private static final Logger LOG = Logger.getLogger(CertificateChecks.class.getName());

    private CertificateChecks() {
    }

    /**
     * Runs every check; throws on the first refusal, logs the warnings.
     *
     * @param label      the context, for messages ({@code https 127.0.0.1:8443})
     * @param warnWithin warn when the leaf expires within this (zero: never)
     * @param now        the current time
     */
    static void check(String label, Path certFile, List<X509Certificate> chain, Path keyFile, PrivateKey key,
                      Duration warnWithin, Instant now) throws GeneralSecurityException {
        if (!keyMatches(chain.get(0), key)) {
            for (int i = 1; i < chain.size(); i++) {
                if (keyMatches(chain.get(i), key)) {
                    throw new GeneralSecurityException(label + ": certificate file " + certFile + " is in the wrong "
                            + "order: key " + keyFile + " belongs to certificate " + (i + 1) + " ("
                            + subject(chain.get(i)) + "), but the server's own certificate must come first, then "
                            + "each issuer");
                }
            }
            throw new GeneralSecurityException(label + ": key " + keyFile + " does not match certificate "
                    + certFile + " (" + subject(chain.get(0)) + ")");
        }
        checkOrder(label, certFile, chain);
        X509Certificate leaf = chain.get(0);
        Instant notAfter = leaf.getNotAfter().toInstant();
        Instant notBefore = leaf.getNotBefore().toInstant();
        if (!now.isBefore(notAfter)) {
            throw new GeneralSecurityException(label + ": certificate " + certFile + " (" + subject(leaf)
                    + ") expired on " + notAfter + " (notAfter); renew it");
        }
        if (now.isBefore(notBefore)) {
            throw new GeneralSecurityException(label + ": certificate " + certFile + " (" + subject(leaf)
                    + ") is not valid before " + notBefore + " (notBefore); check the clock");
        }
        if (!warnWithin.isZero() && now.plus(warnWithin).isAfter(notAfter)) {
            long days = Duration.between(now, notAfter).toDays();
            LOG.warning(() -> "tls context=\"" + label + "\" certificate " + certFile + " (" + subject(leaf)
                    + ") expires on " + notAfter + ", in " + days + " day" + (days == 1 ? "" : "s"));
        }
    }

    /** Each certificate after the first must be the issuer of the one before it. */
    private static void checkOrder(String label, Path certFile, List<X509Certificate> chain)
            throws GeneralSecurityException {
        for (int i = 0; i + 1 < chain.size(); i++) {
            X509Certificate child = chain.get(i);
            X509Certificate parent = chain.get(i + 1);
            if (!issued(parent, child)) {
                String hint = "";
                for (int j = 0; j < chain.size(); j++) {
                    if (j != i + 1 && issued(chain.get(j), child) && j != i) {
                        hint = "; its issuer is certificate " + (j + 1);
                    }
                }
                throw new GeneralSecurityException(label + ": certificate chain " + certFile + " is in the wrong "
                        + "order: certificate " + (i + 2) + " (" + subject(parent) + ") did not issue certificate "
                        + (i + 1) + " (" + subject(child) + ")" + hint + ". Put the server's certificate first, "
                        + "then its issuer, and so on");
            }
        }
    }

    /** True when {@code issuer}'s name and key signed {@code child}. */
    static boolean issued(X509Certificate issuer, X509Certificate child) {
        if (!issuer.getSubjectX500Principal().equals(child.getIssuerX500Principal())) {
            return false;
        }
        try {
            child.verify(issuer.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** Signs a random probe with the key and verifies it with the certificate's public key. */
    static boolean keyMatches(X509Certificate certificate, PrivateKey key) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
            default -> null;
        };
        if (algorithm == null) {
            return true; // an algorithm we cannot probe: the engine will tell
        }
        byte[] probe = new byte[32];
        new SecureRandom().nextBytes(probe);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException mismatch) {
            return false; // e.g. an EC key with an RSA certificate
        }
    }

    static String subject(X509Certificate certificate) {
        return X509Text.oneline(certificate.getSubjectX500Principal());
    }
}
