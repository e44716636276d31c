package io.corerouter.ssl;

import io.corerouter.core.server.HandlerNames;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.internal.tcnative.SSL;
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
    private final boolean verbose;
    /** {@code --ssl-option} bits (0: none). */
    private final int optionBits;

    TlsFront(SniMapping mapping, TlsStatsCounters counters, boolean verbose, int optionBits) {
        this.verbose = verbose;
        this.optionBits = optionBits;
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
        pipeline.addLast(HandlerNames.TLS, optionBits == 0
                ? new SniHandler(mapping, MAX_CLIENT_HELLO, handshakeTimeoutMillis)
                : new OptionsSniHandler(mapping, handshakeTimeoutMillis, optionBits));
        pipeline.addLast(HandlerNames.TLS_HANDSHAKE, new TlsHandshakeHandler(counters, verbose));
    }

    /**
     * Sets {@code --ssl-option} bits on each connection's SSL, after Netty's engine set its own: Netty
     * clears {@code SSL_OP_NO_TICKET} per connection, so the bits cannot live on the context alone.
     */
    private static final class OptionsSniHandler extends SniHandler {
        private final int optionBits;

        OptionsSniHandler(SniMapping mapping, long handshakeTimeoutMillis, int optionBits) {
            super(mapping, MAX_CLIENT_HELLO, handshakeTimeoutMillis);
            this.optionBits = optionBits;
        }

        @Override
        protected SslHandler newSslHandler(SslContext context, ByteBufAllocator allocator) {
            SslHandler handler = super.newSslHandler(context, allocator);
            if (handler.engine() instanceof ReferenceCountedOpenSslEngine openSsl) {
                SSL.setOptions(openSsl.sslPointer(), optionBits);
            }
            return handler;
        }
    }

    ReloadableContext defaultContext() {
        return mapping.defaultContext();
    }

    /** The certificate served to clients whose name matches no SNI entry. */
    public X509Certificate defaultCertificate() {
        return mapping.defaultContext().certificate();
    }
}
