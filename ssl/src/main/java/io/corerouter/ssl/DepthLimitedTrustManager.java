package io.corerouter.ssl;

import java.net.Socket;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Client certificate verification with OpenSSL's verify depth ({@code --ssl-verify-depth N}): the
 * JDK's PKIX check first, then at most N intermediate CAs between the client's certificate and a
 * client CA. (PKIX's own {@code maxPathLength} is a path-building parameter, not applied when the
 * client sends its whole chain, so the count is made here on the chain the check accepted.)
 */
final class DepthLimitedTrustManager extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager delegate;
    private final List<X509Certificate> cas;
    private final int depth;

    private DepthLimitedTrustManager(X509ExtendedTrustManager delegate, List<X509Certificate> cas, int depth) {
        this.delegate = delegate;
        this.cas = List.copyOf(cas);
        this.depth = depth;
    }

    /** A trust manager for client certificates issued under {@code cas}, with at most {@code depth} intermediates. */
    static DepthLimitedTrustManager of(List<X509Certificate> cas, int depth) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        for (int i = 0; i < cas.size(); i++) {
            store.setCertificateEntry("ca" + i, cas.get(i));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509ExtendedTrustManager x509) {
                return new DepthLimitedTrustManager(x509, cas, depth);
            }
        }
        throw new IllegalStateException("no X509 trust manager in " + factory.getAlgorithm());
    }

    /** Intermediate CAs between {@code chain[0]} and a client CA, following issuers through the chain. */
    int intermediates(X509Certificate[] chain) {
        X509Certificate current = chain[0];
        for (int n = 0; n <= chain.length; n++) {
            for (X509Certificate ca : cas) {
                if (CertificateChecks.issued(ca, current)) {
                    return n;
                }
            }
            X509Certificate next = null;
            for (X509Certificate candidate : chain) {
                if (candidate != current && CertificateChecks.issued(candidate, current)) {
                    next = candidate;
                    break;
                }
            }
            if (next == null) {
                return n;
            }
            current = next;
        }
        return chain.length;
    }

    private void checkDepth(X509Certificate[] chain) throws CertificateException {
        int n = intermediates(chain);
        if (n > depth) {
            throw new CertificateException("client certificate " + CertificateChecks.subject(chain[0]) + " reaches its CA "
                    + "through " + n + " intermediate CAs, more than ssl-verify-depth " + depth);
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate.checkClientTrusted(chain, authType);
        checkDepth(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        delegate.checkClientTrusted(chain, authType, socket);
        checkDepth(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        delegate.checkClientTrusted(chain, authType, engine);
        checkDepth(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate.checkServerTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        delegate.checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        delegate.checkServerTrusted(chain, authType, engine);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return delegate.getAcceptedIssuers();
    }
}
