package io.netty.handler.ssl;

/**
 * The one thing corerouter needs from Netty's OpenSSL contexts that Netty keeps to its package: the
 * tcnative context handle, which tcnative's {@code SSLContext} functions take (the public
 * {@link ReferenceCountedOpenSslContext#sslCtxPointer()} is the raw {@code SSL_CTX*}, a different
 * pointer). With it the ssl module installs its process-wide session cache
 * ({@code SSLContext.setSSLSessionCache}) and an OpenSSL-syntax cipher list on a freshly built context.
 *
 * <p>Lives in Netty's package on the class path (Netty's jars are not sealed); checked against
 * Netty 4.2.17 at compile time. Called only on a context nobody else uses yet.
 */
public final class CorerouterNativeAccess {
    private CorerouterNativeAccess() {
    }

    /** The {@code tcn_ssl_ctxt_t*} handle of {@code context}. */
    public static long tcnContext(ReferenceCountedOpenSslContext context) {
        return context.ctx;
    }
}
