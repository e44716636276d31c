package io.corerouter.ssl;

import io.netty.handler.ssl.DelegatingSslContext;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import javax.net.ssl.SSLEngine;

/**
 * A server context whose engines staple the current OCSP response of its certificate: each new
 * engine gets {@link OcspStaple#responseNow()} (none yet, or expired: no staple) before its
 * handshake starts. BoringSSL sends it only to clients that ask ({@code status_request}). The
 * wrapped context is built with {@code enableOcsp}.
 */
final class StapledSslContext extends DelegatingSslContext {
    private final OcspStaple staple;

    StapledSslContext(SslContext context, OcspStaple staple) {
        super(context);
        this.staple = staple;
    }

    @Override
    protected void initEngine(SSLEngine engine) {
        byte[] response = staple.responseNow();
        if (response != null && engine instanceof ReferenceCountedOpenSslEngine openSsl) {
            openSsl.setOcspResponse(response);
        }
    }
}
