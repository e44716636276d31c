package io.corerouter.ssl;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The OCSP response stapled to handshakes served with one built context's certificate.
 *
 * <p>Two kinds: <b>fetched</b> ({@code --ssl-ocsp-stapling}): asked from the responder on the
 * stapler's thread as soon as the context is live, then again halfway to the response's
 * {@code nextUpdate} (at least every {@link #MAX_REFRESH}, at most every {@link #MIN_REFRESH}), and
 * {@link #RETRY} after a failure, the last good response being kept until its own {@code nextUpdate};
 * <b>from a file</b> ({@code --ssl-ocsp-file}): read when the context is built and followed like the
 * certificate (a change rebuilds the context).
 *
 * <p>Handshakes only read {@link #responseNow()}: a volatile field and a clock read, never a wait.
 * No response yet, or an expired one: no staple.
 */
final class OcspStaple {
    private static final Logger LOG = Logger.getLogger(OcspStaple.class.getName());
    static final Duration MIN_REFRESH = Duration.ofSeconds(10);
    static final Duration MAX_REFRESH = Duration.ofHours(1);
    static final Duration RETRY = Duration.ofMinutes(5);

    private final String label;
    private final X509Certificate leaf;
    private final X509Certificate issuer;
    /** Where fetched responses come from; null for a response file. */
    private final URI responder;
    private final byte[] request;
    private final ScheduledExecutorService executor;
    private volatile OcspClient.Response current;
    private boolean closed;
    private ScheduledFuture<?> next;

    private OcspStaple(String label, X509Certificate leaf, X509Certificate issuer, URI responder, byte[] request,
                       ScheduledExecutorService executor) {
        this.label = label;
        this.leaf = leaf;
        this.issuer = issuer;
        this.responder = responder;
        this.request = request;
        this.executor = executor;
    }

    /** A staple fetched from {@code responder} on {@code executor} once {@link #start()}ed. */
    static OcspStaple fetched(String label, X509Certificate leaf, X509Certificate issuer, URI responder,
                              ScheduledExecutorService executor) throws IOException {
        return new OcspStaple(label, leaf, issuer, responder, OcspClient.request(leaf, issuer), executor);
    }

    /**
     * A staple read from a DER response file (blocking). A response that is not about this certificate,
     * badly signed or unreadable is refused (naming the file); an expired one is logged and not stapled.
     *
     * @param issuer the certificate's issuer from its chain file, or null (then the signature is not checked)
     */
    static OcspStaple fromFile(String label, Path file, X509Certificate leaf, X509Certificate issuer)
            throws IOException {
        OcspStaple staple = new OcspStaple(label, leaf, issuer, null, null, null);
        byte[] der = Files.readAllBytes(file);
        try {
            staple.set(OcspClient.check(der, leaf, issuer, Instant.now()));
            LOG.info(() -> "tls ocsp context=\"" + label + "\" file=" + file + " status="
                    + staple.current.status() + " next-update=" + staple.current.nextUpdate());
        } catch (OcspClient.ExpiredResponseException e) {
            LOG.warning("tls ocsp context=\"" + label + "\" file=" + file + ": " + e.getMessage() + "; not stapled");
        } catch (IOException e) {
            throw new IOException(label + ": OCSP response file " + file + ": " + e.getMessage(), e);
        }
        return staple;
    }

    /** The response to staple now, or null for none. Any thread, never blocks. */
    byte[] responseNow() {
        OcspClient.Response response = current;
        return response != null && System.currentTimeMillis() < response.expiresMillis() ? response.der() : null;
    }

    /** The response held now (even expired), for tests and logs. */
    OcspClient.Response current() {
        return current;
    }

    /** Schedules the first fetch now (a response file: nothing to do). */
    void start() {
        if (responder != null) {
            schedule(0);
        }
    }

    /** Stops fetching (the context was replaced or removed); the last response stays readable. */
    synchronized void close() {
        closed = true;
        if (next != null) {
            next.cancel(false);
        }
    }

    private synchronized void schedule(long delayMillis) {
        if (!closed) {
            try {
                next = executor.schedule(this::refreshAndReschedule, delayMillis, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException stopped) {
                closed = true; // the TLS service is closing
            }
        }
    }

    private void refreshAndReschedule() {
        schedule(refresh().toMillis());
    }

    /**
     * Asks the responder now (blocking: the stapler's thread, or a test) and keeps a good answer.
     *
     * @return when to ask again
     */
    Duration refresh() {
        if (responder == null) {
            return MAX_REFRESH;
        }
        OcspClient.Response before = current;
        try {
            OcspClient.Response fresh = OcspClient.check(OcspClient.fetch(responder, request), leaf, issuer,
                    Instant.now());
            set(fresh);
            if (fresh.revoked()) {
                LOG.warning(() -> "tls ocsp context=\"" + label + "\" certificate \"" + CertificateChecks.subject(leaf)
                        + "\" is REVOKED according to " + responder + "; stapling the revoked status");
            } else if (before == null || before.revoked()) {
                LOG.info(() -> "tls ocsp context=\"" + label + "\" responder=" + responder + " status=good"
                        + " next-update=" + fresh.nextUpdate());
            }
            return refreshDelay(fresh, Instant.now());
        } catch (IOException | RuntimeException e) {
            boolean keeping = responseNow() != null;
            LOG.warning("tls ocsp context=\"" + label + "\" responder=" + responder + " failed: " + e.getMessage()
                    + (keeping ? "; keeping the last response until its nextUpdate" : "; not stapling")
                    + ", next try in " + RETRY.toMinutes() + " min");
            return RETRY;
        }
    }

    /** Halfway to nextUpdate, within [MIN_REFRESH, MAX_REFRESH]. */
    static Duration refreshDelay(OcspClient.Response response, Instant now) {
        if (response.nextUpdate() == null) {
            return MAX_REFRESH;
        }
        Duration half = Duration.between(now, response.nextUpdate()).dividedBy(2);
        if (half.compareTo(MIN_REFRESH) < 0) {
            return MIN_REFRESH;
        }
        return half.compareTo(MAX_REFRESH) > 0 ? MAX_REFRESH : half;
    }

    private void set(OcspClient.Response response) {
        current = response;
    }
}
