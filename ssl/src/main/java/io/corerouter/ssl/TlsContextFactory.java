package io.corerouter.ssl;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.CorerouterNativeAccess;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.OpenSslServerContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.internal.tcnative.SSL;
import io.netty.internal.tcnative.SSLContext;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;

/**
 * Builds server {@link SslContext}s the way uWSGI's {@code uwsgi_ssl_new_server_context} sets them up
 * (spec §5.1): TLS 1.2 and 1.3, the certificate file read as a chain and checked
 * ({@link CertificateChecks}), the cipher list (OpenSSL syntax, for TLS 1.2; {@link #DEFAULT_CIPHERS}
 * when none is given) with server preference, a client CA that asks for (or, with {@code !}, requires)
 * a client certificate, verified to {@code --ssl-verify-depth}, and the session id context. With
 * BoringSSL every context also gets the process's {@link SharedSessionCache}, the current
 * {@link TicketKeys} and, when stapling applies, an {@link OcspStaple}.
 *
 * <p>Reads files and runs key generation checks: call it at start-up or on an offload thread, never
 * on an event loop (a handshake never waits for a build: contexts exist before they are looked up).
 */
final class TlsContextFactory {
    /** OpenSSL's {@code SSL_MAX_SID_CTX_LENGTH}. */
    private static final int MAX_SID_CTX = 32;

    /**
     * The TLS 1.2 suites offered when no cipher list is given: Mozilla's "intermediate" profile
     * (forward secrecy and AEAD only; its DHE suites left out, BoringSSL has none), in its order.
     * TLS 1.3 always offers its three standard suites (AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305).
     */
    static final String DEFAULT_CIPHERS = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
            + "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
            + "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
    /** {@link #DEFAULT_CIPHERS} in the JDK's names, with the TLS 1.3 suites (the JDK engine). */
    static final List<String> DEFAULT_JDK_CIPHERS = List.of(
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private final TlsEngine engine;
    private final SharedSessionCache sessionCache;
    private final long sessionTimeoutSeconds;
    private final int sessionCacheSize;
    private final OptionalInt verifyDepth;
    private final Duration expiryWarning;
    private final OcspStapler stapler;

    /**
     * @param sessionCache  the shared cache, or null for none (cache size 0, or the JDK engine)
     * @param verifyDepth   {@code --ssl-verify-depth}: intermediate CAs allowed in client chains
     * @param expiryWarning warn about certificates expiring within this (zero: never)
     */
    TlsContextFactory(TlsEngine engine, SharedSessionCache sessionCache, Duration sessionTimeout, int sessionCacheSize,
                      OptionalInt verifyDepth, Duration expiryWarning, OcspStapler stapler) {
        this.engine = engine;
        this.sessionCache = sessionCache;
        this.sessionTimeoutSeconds = sessionTimeout.toSeconds();
        this.sessionCacheSize = sessionCacheSize;
        this.verifyDepth = verifyDepth;
        this.expiryWarning = expiryWarning;
        this.stapler = stapler;
    }

    /**
     * A built context and what it was built from.
     *
     * @param context the engine's context (ticket keys are installed on it)
     * @param served  what handshakes use: {@code context}, or a {@link StapledSslContext} around it
     * @param staple  the OCSP staple of this build (not started), or null
     */
    record Built(SslContext context, SslContext served, X509Certificate certificate, FileStamps stamps,
                 OcspStaple staple) {
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
        PrivateKey key = PemFiles.privateKey(spec.label(), spec.files().key());
        CertificateChecks.check(spec.label(), spec.files().cert(), chain, spec.files().key(), key, expiryWarning,
                Instant.now());
        OcspStaple staple = stapler.stapleFor(spec, chain);
        SslContextBuilder builder = SslContextBuilder.forServer(key, chain)
                .sslProvider(engine.provider())
                .protocols("TLSv1.3", "TLSv1.2")
                .sessionTimeout(sessionTimeoutSeconds)
                .sessionCacheSize(sessionCacheSize)
                .enableOcsp(staple != null);
        if (!spec.alpn().isEmpty()) {
            // a client offering none of ours gets no ALPN answer and speaks HTTP/1.1, as with nginx
            builder.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, spec.alpn()));
        }
        if (spec.files().clientCa().isPresent()) {
            List<X509Certificate> cas = PemFiles.certificates(spec.files().clientCa().get());
            if (verifyDepth.isPresent()) {
                builder.trustManager(DepthLimitedTrustManager.of(cas, verifyDepth.getAsInt()));
            } else {
                builder.trustManager(cas);
            }
            builder.clientAuth(spec.files().clientCertRequired() ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL);
        }
        if (!engine.isOpenSsl()) {
            // the JDK takes suite names only, not OpenSSL expressions like HIGH
            if (spec.files().ciphers().isPresent()) {
                builder.ciphers(Arrays.asList(spec.files().ciphers().get().split(":")), IdentityCipherSuiteFilter.INSTANCE);
            } else {
                builder.ciphers(DEFAULT_JDK_CIPHERS, SupportedCipherSuiteFilter.INSTANCE);
            }
        }
        SslContext context = builder.build();
        if (context instanceof OpenSslServerContext openSsl) {
            configureNative(spec, openSsl, ticketKeys);
        }
        SslContext served = staple == null ? context : new StapledSslContext(context, staple);
        return new Built(context, served, chain.get(0), stamps, staple);
    }

    private void configureNative(ContextSpec spec, OpenSslServerContext context, TicketKeys ticketKeys) throws Exception {
        long ctx = CorerouterNativeAccess.tcnContext(context); // tcnative's handle, not the SSL_CTX*
        String ciphers = spec.files().ciphers().orElse(DEFAULT_CIPHERS);
        if (!SSLContext.setCipherSuite(ctx, ciphers, false)) {
            throw new GeneralSecurityException(spec.label() + ": bad cipher list " + ciphers);
        }
        SSLContext.setOptions(ctx, SSL.SSL_OP_CIPHER_SERVER_PREFERENCE);
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
}
