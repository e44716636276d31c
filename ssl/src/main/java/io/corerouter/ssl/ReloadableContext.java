package io.corerouter.ssl;

import io.netty.handler.ssl.SslContext;
import java.security.cert.X509Certificate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One server context that follows its files: {@link #reloadIfChanged} (run periodically on the
 * reload thread) rebuilds it when the certificate, key or CA file changed, and keeps the last good
 * context when the new files are broken (logged once per change). Handshakes read
 * {@link #context()}, a volatile field: connections already open keep the context they started with.
 * Its OCSP staple, if any, runs while the context is live ({@link #activate()} to {@link #deactivate()})
 * and is replaced with each rebuild.
 */
final class ReloadableContext {
    private static final Logger LOG = Logger.getLogger(ReloadableContext.class.getName());

    private final ContextSpec spec;
    private volatile TlsContextFactory.Built current;
    /** Stamps of the last build attempt, successful or not; touched by the reload thread only. */
    private FileStamps lastAttempt;
    /** True between activate() and deactivate(): the staple of each new build is started. */
    private boolean active;

    private ReloadableContext(ContextSpec spec, TlsContextFactory.Built built) {
        this.spec = spec;
        this.current = built;
        this.lastAttempt = built.stamps();
    }

    /** Builds the first context; blocking (start-up or offload thread). */
    static ReloadableContext build(TlsContextFactory factory, ContextSpec spec, TicketKeys keys) throws Exception {
        ReloadableContext context = new ReloadableContext(spec, factory.build(spec, keys));
        LOG.fine(() -> "tls context=\"" + spec.label() + "\" subject=\"" + context.subject() + "\"");
        return context;
    }

    /** What handshakes are served with now. */
    SslContext context() {
        return current.served();
    }

    /** The OCSP staple of the current build, or null. */
    OcspStaple staple() {
        return current.staple();
    }

    /** The context is live: starts its OCSP staple. */
    synchronized void activate() {
        active = true;
        startStaple(current);
    }

    /** The context is gone: stops its OCSP staple. */
    synchronized void deactivate() {
        active = false;
        stopStaple(current);
    }

    private static void startStaple(TlsContextFactory.Built built) {
        if (built.staple() != null) {
            built.staple().start();
        }
    }

    private static void stopStaple(TlsContextFactory.Built built) {
        if (built.staple() != null) {
            built.staple().close();
        }
    }

    X509Certificate certificate() {
        return current.certificate();
    }

    ContextSpec spec() {
        return spec;
    }

    String subject() {
        return X509Text.oneline(current.certificate().getSubjectX500Principal());
    }

    /**
     * Rebuilds the context if its files changed since the last attempt. Blocking; reload thread only.
     *
     * @return true when a new context is now served
     */
    boolean reloadIfChanged(TlsContextFactory factory, TicketKeys keys) {
        FileStamps stamps = FileStamps.of(spec.paths());
        if (stamps.equals(lastAttempt)) {
            return false;
        }
        lastAttempt = stamps;
        try {
            TlsContextFactory.Built built = factory.build(spec, keys);
            lastAttempt = built.stamps();
            swap(built);
            LOG.info(() -> "tls context=\"" + spec.label() + "\" reloaded subject=\"" + subject() + "\"");
            return true;
        } catch (Exception e) {
            LOG.log(Level.WARNING, "tls context=\"" + spec.label() + "\" reload failed, keeping the previous "
                    + "certificate: " + e.getMessage());
            return false;
        }
    }

    private synchronized void swap(TlsContextFactory.Built built) {
        TlsContextFactory.Built old = current;
        current = built;
        if (active) {
            stopStaple(old);
            startStaple(built);
        }
    }

    void applyTicketKeys(TicketKeys keys) {
        TlsContextFactory.applyTicketKeys(current.context(), keys);
    }
}
