package io.corerouter.ssl;

import io.corerouter.core.server.HandlerNames;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SniHandler;
import java.security.cert.X509Certificate;

/**
 * The TLS front of one listener: adds, to each accepted channel, Netty's {@link SniHandler} (which
 * reads the ClientHello, picks the context for its server name and replaces itself with an
 * {@link io.netty.handler.ssl.SslHandler}) and the handler that records the handshake's outcome as a
 * {@link TlsConnection}. The routers' own handlers follow and see plaintext.
 */
public final class TlsFront {
    /** Longest ClientHello accepted (post-quantum key shares make them a few KiB). */
    private static final int MAX_CLIENT_HELLO = 64 * 1024;

    private final SniMapping mapping;
    private final TlsStatsCounters counters;

    TlsFront(SniMapping mapping, TlsStatsCounters counters) {
        this.mapping = mapping;
        this.counters = counters;
    }

    /**
     * Adds the TLS handlers at the end of {@code pipeline} (call it after the timeout handlers and
     * before the codec).
     *
     * @param handshakeTimeoutMillis how long the ClientHello and the handshake may take
     */
    public void addTo(ChannelPipeline pipeline, long handshakeTimeoutMillis) {
        pipeline.addLast(HandlerNames.TLS, new SniHandler(mapping, MAX_CLIENT_HELLO, handshakeTimeoutMillis));
        pipeline.addLast(HandlerNames.TLS_HANDSHAKE, new TlsHandshakeHandler(counters));
    }

    /** The certificate served to clients whose name matches no SNI entry. */
    public X509Certificate defaultCertificate() {
        return mapping.defaultContext().certificate();
    }
}
