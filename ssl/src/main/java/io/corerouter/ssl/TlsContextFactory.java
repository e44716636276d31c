package io.corerouter.ssl;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.CorerouterNativeAccess;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.OpenSslServerContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.internal.tcnative.SSL;
import io.netty.internal.tcnative.SSLContext;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Builds server {@link SslContext}s the way uWSGI's {@code uwsgi_ssl_new_server_context} sets them up
 * (spec §5.1): TLS 1.2 and 1.3, the certificate file read as a chain, the cipher list (OpenSSL syntax,
 * for TLS 1.2 and older) with server preference, a client CA that asks for (or, with {@code !},
 * requires) a client certificate, and the session id context. With BoringSSL every context also gets
 * the process's {@link SharedSessionCache} and the current {@link TicketKeys}.
 *
 * <p>Reads files and runs key generation checks: call it at start-up or on an offload thread, never
 * on an event loop (a handshake never waits for a build: contexts exist before they are looked up).
 */
final class TlsContextFactory {
    /** OpenSSL's {@code SSL_MAX_SID_CTX_LENGTH}. */
    private static final int MAX_SID_CTX = 32;

    private final TlsEngine engine;
    private final SharedSessionCache sessionCache;
    private final long sessionTimeoutSeconds;
    private final int sessionCacheSize;

    /**
     * @param sessionCache the shared cache, or null for none (cache size 0, or the JDK engine)
     */
    TlsContextFactory(TlsEngine engine, SharedSessionCache sessionCache, Duration sessionTimeout, int sessionCacheSize) {
        this.engine = engine;
        this.sessionCache = sessionCache;
        this.sessionTimeoutSeconds = sessionTimeout.toSeconds();
        this.sessionCacheSize = sessionCacheSize;
    }

    /** A built context and what it was built from. */
    record Built(SslContext context, X509Certificate certificate, FileStamps stamps) {
    }

    /**
     * Reads the files of {@code spec} and builds its context.
     *
     * @param ticketKeys the ring to install, or null to keep BoringSSL's own per-context keys
     * @throws Exception naming the file or setting at fault; nothing is half-built
     */
    Built build(ContextSpec spec, TicketKeys ticketKeys) throws Exception {
        FileStamps stamps = FileStamps.of(spec.paths()); // before reading: a change while reading is seen next time
        List<X509Certificate> chain = PemFiles.certificates(spec.files().cert());
        PrivateKey key = PemFiles.privateKey(spec.files().key());
        checkKeyMatches(spec, chain.get(0), key);
        SslContextBuilder builder = SslContextBuilder.forServer(key, chain)
                .sslProvider(engine.provider())
                .protocols("TLSv1.3", "TLSv1.2")
                .sessionTimeout(sessionTimeoutSeconds)
                .sessionCacheSize(sessionCacheSize);
        if (spec.files().clientCa().isPresent()) {
            List<X509Certificate> cas = PemFiles.certificates(spec.files().clientCa().get());
            builder.trustManager(cas).clientAuth(spec.files().clientCertRequired() ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL);
        }
        if (!engine.isOpenSsl() && spec.files().ciphers().isPresent()) {
            // the JDK takes suite names only, not OpenSSL expressions like HIGH
            builder.ciphers(Arrays.asList(spec.files().ciphers().get().split(":")), IdentityCipherSuiteFilter.INSTANCE);
        }
        SslContext context = builder.build();
        if (context instanceof OpenSslServerContext openSsl) {
            configureNative(spec, openSsl, ticketKeys);
        }
        return new Built(context, chain.get(0), stamps);
    }

    private void configureNative(ContextSpec spec, OpenSslServerContext context, TicketKeys ticketKeys) throws Exception {
        long ctx = CorerouterNativeAccess.tcnContext(context); // tcnative's handle, not the SSL_CTX*
        if (spec.files().ciphers().isPresent()) {
            String ciphers = spec.files().ciphers().get();
            if (!SSLContext.setCipherSuite(ctx, ciphers, false)) {
                throw new GeneralSecurityException(spec.label() + ": bad cipher list " + ciphers);
            }
            SSLContext.setOptions(ctx, SSL.SSL_OP_CIPHER_SERVER_PREFERENCE);
        }
        context.sessionContext().setSessionIdContext(sessionIdContext(spec.sessionIdContext()));
        if (sessionCache != null) {
            context.sessionContext().setSessionCacheEnabled(true);
            // replaces Netty's per-context cache: every context shares one, bounded and expiring
            SSLContext.setSSLSessionCache(ctx, sessionCache);
        } else {
            context.sessionContext().setSessionCacheEnabled(false);
        }
        if (ticketKeys != null) {
            context.sessionContext().setTicketKeys(ticketKeys.toArray());
        }
    }

    /** Installs a new key ring on a built context (BoringSSL only). */
    static void applyTicketKeys(SslContext context, TicketKeys keys) {
        if (context instanceof OpenSslServerContext openSsl) {
            openSsl.sessionContext().setTicketKeys(keys.toArray());
        }
    }

    /** The id context as bytes; names longer than OpenSSL's 32-byte limit are hashed to 32 bytes. */
    static byte[] sessionIdContext(String name) throws GeneralSecurityException {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        return bytes.length <= MAX_SID_CTX ? bytes : MessageDigest.getInstance("SHA-256").digest(bytes);
    }

    /** A wrong key fails here with a clear message instead of every handshake failing later. */
    private static void checkKeyMatches(ContextSpec spec, X509Certificate certificate, PrivateKey key)
            throws GeneralSecurityException {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
            default -> null;
        };
        if (algorithm == null) {
            return;
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
            if (verifier.verify(signature)) {
                return;
            }
        } catch (GeneralSecurityException mismatch) {
            // e.g. an EC key with an RSA certificate: reported below
        }
        throw new GeneralSecurityException(spec.label() + ": key " + spec.files().key()
                + " does not match certificate " + spec.files().cert());
    }
}
