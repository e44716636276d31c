package io.corerouter.ssl;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The files and settings one TLS context is built from (spec §5.1): the certificate chain and key,
 * an optional OpenSSL cipher list for TLS 1.2 and older, and an optional client CA.
 *
 * <p>A client CA asks for a client certificate and verifies the one presented; written with a
 * leading {@code !} ({@code !/etc/ca.pem}) the certificate becomes mandatory, as uWSGI's
 * {@code FAIL_IF_NO_PEER_CERT}.
 *
 * @param cert               PEM certificate chain file (leaf first)
 * @param key                PEM private key file
 * @param ciphers            OpenSSL cipher list ({@code HIGH}, {@code ECDHE+AESGCM}), applied with server preference
 * @param clientCa           PEM file of the CAs client certificates must chain to
 * @param clientCertRequired the {@code !} prefix: a handshake without a client certificate fails
 */
public record TlsFiles(Path cert, Path key, Optional<String> ciphers, Optional<Path> clientCa,
                       boolean clientCertRequired) {

    public TlsFiles {
        Objects.requireNonNull(cert, "cert");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(ciphers, "ciphers");
        Objects.requireNonNull(clientCa, "clientCa");
        if (clientCertRequired && clientCa.isEmpty()) {
            throw new IllegalArgumentException("a mandatory client certificate needs a client CA");
        }
    }

    /**
     * The uWSGI positional form: empty strings and null mean "not given"; a CLIENTCA starting with
     * {@code !} makes the client certificate mandatory.
     *
     * @throws IllegalArgumentException if CRT or KEY is missing
     */
    public static TlsFiles of(String cert, String key, String ciphers, String clientCa) {
        if (isEmpty(cert) || isEmpty(key)) {
            throw new IllegalArgumentException("a certificate and a key are required");
        }
        boolean required = !isEmpty(clientCa) && clientCa.startsWith("!");
        String ca = required ? clientCa.substring(1) : clientCa;
        if (required && ca.isEmpty()) {
            throw new IllegalArgumentException("'!' without a client CA file");
        }
        return new TlsFiles(Path.of(cert), Path.of(key),
                isEmpty(ciphers) ? Optional.empty() : Optional.of(ciphers),
                isEmpty(ca) ? Optional.empty() : Optional.of(Path.of(ca)), required);
    }

    /** Parses {@code CRT,KEY[,CIPHERS[,CLIENTCA]]}. */
    public static TlsFiles parseCsv(String text) {
        String[] parts = text.split(",", -1);
        if (parts.length < 2 || parts.length > 4) {
            throw new IllegalArgumentException(text + " (expected: CRT,KEY[,CIPHERS[,CLIENTCA]])");
        }
        return of(parts[0], parts[1], parts.length > 2 ? parts[2] : null, parts.length > 3 ? parts[3] : null);
    }

    /** The same files with another cipher list (used by {@code --sni-dir-ciphers}). */
    public TlsFiles withCiphers(Optional<String> newCiphers) {
        return new TlsFiles(cert, key, newCiphers, clientCa, clientCertRequired);
    }

    private static boolean isEmpty(String s) {
        return s == null || s.isEmpty();
    }
}
