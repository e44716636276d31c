package io.corerouter.ssl;

import java.io.IOException;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.logging.Logger;

/**
 * Decides which contexts staple an OCSP response and owns the thread that fetches them
 * ({@code tls-ocsp}, created only with {@code --ssl-ocsp-stapling}): a certificate with an
 * {@code --ssl-ocsp-file} staples that file; otherwise, with {@code --ssl-ocsp-stapling}, a
 * certificate whose chain file holds its issuer and that names a responder (or with
 * {@code --ssl-ocsp-responder}) gets a fetched staple. Anything missing is logged and the context is
 * served without a staple. Stapling needs BoringSSL; with the JDK engine it is off (logged).
 */
final class OcspStapler implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(OcspStapler.class.getName());

    private final TlsConfig.Ocsp config;
    private final boolean supported;
    private final ScheduledExecutorService executor;

    OcspStapler(TlsConfig.Ocsp config, TlsEngine engine) {
        this.config = config;
        this.supported = engine.isOpenSsl();
        boolean wanted = config.stapling() || !config.files().isEmpty();
        if (wanted && !supported) {
            LOG.warning("tls OCSP stapling off: the JDK engine cannot staple (needs BoringSSL, netty-tcnative)");
        }
        if (supported && config.stapling()) {
            executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "tls-ocsp");
                thread.setDaemon(true);
                return thread;
            });
        } else {
            executor = null;
        }
    }

    /**
     * The staple for a context being built from {@code spec} with {@code chain}, not started yet, or
     * null when it staples nothing. Reads the response file, if any (blocking: build threads only).
     *
     * @throws IOException naming the response file when it is unusable
     */
    OcspStaple stapleFor(ContextSpec spec, List<X509Certificate> chain) throws IOException {
        if (!supported) {
            return null;
        }
        X509Certificate leaf = chain.get(0);
        X509Certificate issuer = chain.size() > 1 && CertificateChecks.issued(chain.get(1), leaf) ? chain.get(1) : null;
        if (spec.ocspFile().isPresent()) {
            return OcspStaple.fromFile(spec.label(), spec.ocspFile().get(), leaf, issuer);
        }
        if (executor == null) {
            return null;
        }
        if (issuer == null) {
            LOG.warning(() -> "tls ocsp context=\"" + spec.label() + "\" not stapled: " + spec.files().cert()
                    + " holds no issuer certificate after the server's (append the intermediate to the file)");
            return null;
        }
        Optional<URI> responder = config.responder().or(() -> OcspClient.responderOf(leaf));
        if (responder.isEmpty()) {
            LOG.warning(() -> "tls ocsp context=\"" + spec.label() + "\" not stapled: certificate " + spec.files().cert()
                    + " names no OCSP responder (Authority Information Access) and --"
                    + TlsConfig.OCSP_RESPONDER + " is not set");
            return null;
        }
        return OcspStaple.fetched(spec.label(), leaf, issuer, responder.get(), executor);
    }

    @Override
    public void close() {
        if (executor != null) {
            executor.shutdownNow();
        }
    }
}
