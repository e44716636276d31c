package io.corerouter.ssl;

import io.corerouter.core.log.Exceptions;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SniCompletionEvent;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Sits behind the TLS handler until the handshake ends: remembers the SNI name, then on success
 * records the {@link TlsConnection} (SNI name, client certificate) on the channel and removes itself;
 * on failure logs at debug level (scanners and mistyped URLs are daily noise) and closes.
 */
final class TlsHandshakeHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = Logger.getLogger(TlsHandshakeHandler.class.getName());

    private final TlsStatsCounters counters;
    /** {@code --ssl-verbose}: failed handshakes are warnings, else debug lines. */
    private final Level failureLevel;
    private String sniName;

    TlsHandshakeHandler(TlsStatsCounters counters, boolean verbose) {
        this.counters = counters;
        this.failureLevel = verbose ? Level.WARNING : Level.FINE;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SniCompletionEvent sni) {
            sniName = sni.hostname();
        } else if (evt instanceof SslHandshakeCompletionEvent done) {
            if (done.isSuccess()) {
                SslHandler ssl = ctx.pipeline().get(SslHandler.class);
                ctx.channel().attr(TlsConnection.KEY).set(new TlsConnection(sniName, peerCertificate(ssl)));
                counters.handshake(ssl.engine());
                ctx.fireUserEventTriggered(evt);
                ctx.pipeline().remove(this);
                return;
            }
            counters.failedHandshake();
            Throwable cause = done.cause();
            LOG.log(failureLevel, () -> ctx.channel() + " tls handshake failed sni=" + sniName + ": " + cause);
            ctx.fireUserEventTriggered(evt);
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // handshake errors also arrive here (as DecoderException): the event above decides
        if (Exceptions.isExpected(cause) || cause instanceof io.netty.handler.codec.DecoderException) {
            LOG.log(Level.FINE, () -> ctx.channel() + " tls error: " + cause);
            ctx.close();
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    private static X509Certificate peerCertificate(SslHandler ssl) {
        if (!ssl.engine().getWantClientAuth() && !ssl.engine().getNeedClientAuth()) {
            // not asked for, so none was sent: spares every handshake an exception with a stack trace
            return null;
        }
        try {
            Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate x509 ? x509 : null;
        } catch (SSLPeerUnverifiedException noCertificate) {
            return null;
        }
    }
}
