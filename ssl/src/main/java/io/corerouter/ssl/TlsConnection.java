package io.corerouter.ssl;

import io.corerouter.core.codec.uwsgi.UwsgiVars;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ServerChannel;
import io.netty.util.AttributeKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;

/**
 * What a completed TLS handshake tells about one client connection: the SNI name it asked for and
 * the certificate it presented. Set as a channel attribute by the handshake handler before the
 * first decrypted byte is read; routers read it with {@link #of(Channel)}.
 */
public final class TlsConnection {
    static final AttributeKey<TlsConnection> KEY = AttributeKey.valueOf(TlsConnection.class, "tls");

    private final String sniName;
    private final X509Certificate peerCertificate;
    private byte[] httpsVars;

    TlsConnection(String sniName, X509Certificate peerCertificate) {
        this.sniName = sniName;
        this.peerCertificate = peerCertificate;
    }

    /**
     * The connection's TLS facts, or null for a plain connection (or before the handshake completed). An
     * HTTP/2 stream channel has its connection's.
     */
    public static TlsConnection of(Channel channel) {
        TlsConnection tls = channel.attr(KEY).get();
        Channel parent;
        if (tls == null && (parent = channel.parent()) != null && !(parent instanceof ServerChannel)) {
            tls = parent.attr(KEY).get();
        }
        return tls;
    }

    /** The SNI name, lower-cased, or null when the client sent none. */
    public String sniName() {
        return sniName;
    }

    /** The client's certificate (leaf), or null when it presented none. */
    public X509Certificate peerCertificate() {
        return peerCertificate;
    }

    /**
     * The uwsgi vars of spec §5.2 row 9 as encoded records: with a client certificate,
     * {@code HTTPS_CLIENT_CERTIFICATE} (DER bytes), {@code HTTPS_DN} ({@code /C=IT/O=Test/CN=client1}) and,
     * with {@code exportCert}, {@code HTTPS_CC} (PEM); empty without one. Computed once per
     * connection (the flag is the listener's, so it never changes for a connection); event loop only.
     */
    public byte[] httpsVars(boolean exportCert) {
        byte[] vars = httpsVars;
        if (vars == null) {
            vars = encode(exportCert);
            httpsVars = vars;
        }
        return vars;
    }

    private byte[] encode(boolean exportCert) {
        if (peerCertificate == null) {
            return new byte[0];
        }
        ByteBuf buf = Unpooled.buffer(4096);
        try {
            UwsgiVars.add(buf, "HTTPS_CLIENT_CERTIFICATE", X509Text.bytesAsText(peerCertificate.getEncoded()));
            UwsgiVars.add(buf, "HTTPS_DN", X509Text.oneline(peerCertificate.getSubjectX500Principal()));
            if (exportCert) {
                UwsgiVars.add(buf, "HTTPS_CC", X509Text.pem(peerCertificate));
            }
            return ByteBufUtil.getBytes(buf);
        } catch (CertificateEncodingException e) {
            return new byte[0]; // cannot happen for a certificate the engine decoded
        } finally {
            buf.release();
        }
    }
}
