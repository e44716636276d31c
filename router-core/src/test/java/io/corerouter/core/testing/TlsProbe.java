package io.corerouter.core.testing;

import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A Java TLS client for tests that look at what a router serves rather than trust it: a context that
 * accepts any certificate, and the certificate served on a port for a server name.
 */
public final class TlsProbe {
    private TlsProbe() {
    }

    /** A TLS context that accepts every certificate (tests read certificates, they do not trust them). */
    public static SSLContext trustingEverything() throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
                // not a server
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
                // the test reads the certificate, it does not trust it
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        return context;
    }

    /** The certificate served on 127.0.0.1:{@code port} to a client asking for {@code sni} (none when null). */
    public static X509Certificate servedCertificate(int port, String sni) throws Exception {
        try (SSLSocket socket = (SSLSocket) trustingEverything().getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            if (sni != null) {
                SSLParameters parameters = socket.getSSLParameters();
                parameters.setServerNames(List.of(new SNIHostName(sni)));
                socket.setSSLParameters(parameters);
            }
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }
}
