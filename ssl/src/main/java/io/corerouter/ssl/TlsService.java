package io.corerouter.ssl;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The TLS side of a corerouter process, shared by the HTTPS router and the sslrouter (spec §5): the
 * engine, the session cache, the ticket key ring, the SNI table and every server context, plus the
 * thread that follows the files they were read from.
 *
 * <pre>{@code
 * TlsService tls = TlsService.start(config.tls(), offload);          // start-up: builds SNI contexts
 * TlsFront front = tls.front("http", listener, sessionContext);      // per listener: default context
 * front.addTo(pipeline, handshakeTimeoutMillis);                     // per channel
 * }</pre>
 *
 * <p>Every context is built at start-up or on an offload thread, never during a handshake. Every
 * {@code --ssl-reload-interval} seconds the reload thread stats the certificate, key, CA and ticket key
 * files; changed ones are re-read and their contexts rebuilt, and broken new files leave the previous
 * context in place (logged). Connections keep the context they started with.
 */
public final class TlsService implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TlsService.class.getName());

    private final TlsConfig config;
    private final TlsEngine engine;
    private final SharedSessionCache sessionCache;
    private final TlsContextFactory factory;
    private final KeyRing keyRing;
    private final Set<ReloadableContext> live = ConcurrentHashMap.newKeySet();
    private final TlsStatsCounters counters = new TlsStatsCounters();
    /** {@code --ssl-option} bits, OR-ed, set on every connection's SSL. */
    private final int optionBits;
    private final SniTable sni;
    private final OcspStapler stapler;
    private final ScheduledExecutorService reloader;

    /** The ticket keys of {@code --ssl-ticket-keys}, following the file. */
    static final class KeyRing {
        private final Path file;
        private volatile TicketKeys current;
        private FileStamps stamps;

        KeyRing(Path file) throws Exception {
            this.file = file;
            if (file != null) {
                this.stamps = FileStamps.of(java.util.List.of(file));
                this.current = TicketKeys.read(file);
            }
        }

        /** The ring, or null without the option (BoringSSL then keeps random keys per context). */
        TicketKeys current() {
            return current;
        }

        /** Re-reads the file if it changed; true when a new ring is in force. Reload thread only. */
        boolean reloadIfChanged() {
            if (file == null) {
                return false;
            }
            FileStamps now = FileStamps.of(java.util.List.of(file));
            if (now.equals(stamps)) {
                return false;
            }
            stamps = now;
            try {
                current = TicketKeys.read(file);
                LOG.info(() -> "tls ticket keys reloaded from " + file + " keys=" + current.size());
                return true;
            } catch (Exception e) {
                LOG.warning("tls ticket keys: " + e.getMessage() + "; keeping the previous keys");
                return false;
            }
        }
    }

    private TlsService(TlsConfig config, TlsEngine engine, Executor offload) throws Exception {
        this.config = config;
        this.engine = engine;
        int bits = 0;
        for (long option : config.rawOptions()) {
            bits |= (int) option; // SSL_OP_* values fit in 32 bits
        }
        this.optionBits = bits;
        boolean nativeHooks = engine.isOpenSsl();
        if (!nativeHooks && config.ticketKeys().isPresent()) {
            LOG.warning("tls --ssl-ticket-keys ignored: the JDK engine has no ticket key hook");
        }
        this.keyRing = new KeyRing(nativeHooks ? config.ticketKeys().orElse(null) : null);
        this.sessionCache = nativeHooks && config.sessionCacheSize() > 0
                ? new SharedSessionCache(config.sessionCacheName(), config.sessionCacheSize(), config.sessionTimeout())
                : null;
        if (!nativeHooks && !config.rawOptions().isEmpty()) {
            LOG.warning("tls --ssl-option ignored: the JDK engine takes no OpenSSL options");
        }
        this.stapler = new OcspStapler(config.ocsp(), engine);
        this.factory = new TlsContextFactory(engine, sessionCache, config.sessionTimeout(), config.sessionCacheSize(),
                config.verifyDepth(), Duration.ofDays(config.expiryWarningDays()), stapler);
        try {
            this.sni = new SniTable(config, factory, keyRing, offload, new SniTable.ContextRegistry() {
                @Override
                public void register(ReloadableContext context) {
                    TlsService.this.register(context);
                }

                @Override
                public void unregister(ReloadableContext context) {
                    if (live.remove(context)) {
                        context.deactivate();
                    }
                }
            });
        } catch (Exception e) {
            stapler.close();
            throw e;
        }
        if (config.reloadInterval().isZero()) {
            reloader = null;
        } else {
            reloader = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "tls-reload");
                thread.setDaemon(true);
                return thread;
            });
            long millis = config.reloadInterval().toMillis();
            reloader.scheduleWithFixedDelay(this::checkFilesQuietly, millis, millis, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Starts the TLS service: detects the engine, reads the ticket keys and builds the SNI contexts.
     * Blocking: call at start-up.
     *
     * @param offload where directory and subscription contexts are built
     * @throws Exception naming the first unusable file
     */
    public static TlsService start(TlsConfig config, Executor offload) throws Exception {
        return start(config, offload, TlsEngine.detect());
    }

    /** As {@link #start(TlsConfig, Executor)} with a given engine (tests of the JDK fallback). */
    public static TlsService start(TlsConfig config, Executor offload, TlsEngine engine) throws Exception {
        return new TlsService(config, engine, offload);
    }

    private void register(ReloadableContext context) {
        live.add(context);
        TicketKeys keys = keyRing.current();
        if (keys != null) {
            context.applyTicketKeys(keys); // the ring may have changed while the context was built
        }
        context.activate();
    }

    /**
     * Builds the default context of a TLS listener and returns what its channels are set up with.
     * Blocking: start-up.
     *
     * @param kind           {@code http} or {@code sslrouter}: the default session id context is
     *                       {@code kind-<socket name>} (uWSGI's)
     * @param sessionContext {@code --https-session-context} / {@code --sslrouter-session-context}
     */
    public TlsFront front(String kind, TlsListener listener, Optional<String> sessionContext) throws Exception {
        return front(kind, listener, sessionContext, List.of());
    }

    /**
     * As {@link #front(String, TlsListener, Optional)}, the default context offering {@code alpn} by ALPN
     * ({@code h2}, {@code http/1.1}: an https listener with HTTP/2 on). SNI entries offer none: a client
     * that picks one by its server name speaks HTTP/1.1.
     */
    public TlsFront front(String kind, TlsListener listener, Optional<String> sessionContext, List<String> alpn)
            throws Exception {
        String sid = sessionContext.orElse(kind + "-" + listener.endpoint().name());
        ReloadableContext defaultContext = ReloadableContext.build(factory,
                ContextSpec.of((kind.equals("http") ? "https " : kind + " ") + listener.endpoint().name(),
                        listener.files(), sid, config.ocsp()).withAlpn(alpn), keyRing.current());
        register(defaultContext);
        LOG.info(() -> "tls listener=" + listener.endpoint().name() + " certificate=\"" + defaultContext.subject()
                + "\" client-ca=" + listener.files().clientCa().map(Path::toString).orElse("none")
                + (listener.files().clientCertRequired() ? " (mandatory)" : ""));
        return new TlsFront(new SniMapping(sni, defaultContext, counters), counters, config.verbose(), optionBits);
    }

    /**
     * Stops following the files of {@code front}'s default context: a reload (SIGHUP) replaced the
     * front, or failed after building it. Connections that use the context keep it.
     */
    public void release(TlsFront front) {
        live.remove(front.defaultContext());
    }

    /** Where subscriptions push SNI contexts ({@code sni_key}/{@code sni_crt}/{@code sni_ca}). */
    public SniContexts sniContexts() {
        return sni;
    }

    public TlsEngine engine() {
        return engine;
    }

    /** ClientHellos whose server name has no SNI entry (the listener's default certificate answered). */
    public long sniMisses() {
        return counters.sniMisses();
    }

    /** The TLS counters now. */
    public TlsStats stats() {
        TicketKeys keys = keyRing.current();
        return new TlsStats(engine.description(), sessionCache == null ? null : sessionCache.stats(), live.size(),
                counters.handshakes(), counters.failedHandshakes(), counters.resumedHandshakes(),
                keys == null ? 0 : keys.size());
    }

    /**
     * Whether {@code next} differs from {@code current} only in the SNI names ({@code --sni},
     * {@code --sni-regexp}, {@code --sni-dir}, {@code --sni-dir-ciphers}): what {@link #reconfigureSni} applies.
     */
    public static boolean onlySniDiffers(TlsConfig current, TlsConfig next) {
        return new TlsConfig(next.sni(), next.sniRegexp(), next.sniDir(), next.sniDirCiphers(), current.sessionCacheName(),
                current.sessionCacheSize(), current.sessionTimeout(), current.ticketKeys(), current.reloadInterval(),
                current.verbose(), current.rawOptions(), current.verifyDepth(), current.expiryWarningDays(),
                current.ocsp()).equals(next);
    }

    /**
     * SIGHUP: serves the SNI names of {@code next} from the next handshake on (blocking: their contexts are
     * built first, and a file that fails leaves the old names in place and throws naming it).
     */
    public void reconfigureSni(TlsConfig next) throws Exception {
        sni.reconfigure(next);
    }

    /**
     * Checks every file now: the ticket key file, then each context's certificate, key and CA files,
     * rebuilding what changed. Blocking; runs on the reload thread every {@code --ssl-reload-interval},
     * and may be called directly (tests, a future reload signal).
     */
    public synchronized void checkFiles() {
        if (keyRing.reloadIfChanged()) {
            TicketKeys keys = keyRing.current();
            live.forEach(context -> context.applyTicketKeys(keys));
        }
        for (ReloadableContext context : live) {
            context.reloadIfChanged(factory, keyRing.current());
        }
    }

    /**
     * Asks every OCSP responder now, on the calling thread, and waits for the answers (blocking): for
     * tests and operators' tools; the stapler's thread does the same on its schedule.
     */
    public void refreshOcsp() {
        for (ReloadableContext context : live) {
            OcspStaple staple = context.staple();
            if (staple != null) {
                staple.refresh();
            }
        }
    }

    private void checkFilesQuietly() {
        try {
            checkFiles();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "tls file check failed", e); // keep the schedule alive
        }
    }

    TlsConfig config() {
        return config;
    }

    @Override
    public void close() {
        if (reloader != null) {
            reloader.shutdownNow();
        }
        live.forEach(ReloadableContext::deactivate);
        stapler.close();
        if (sessionCache != null) {
            sessionCache.close();
        }
        live.clear();
    }
}
