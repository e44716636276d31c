package io.corerouter.ssl;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * The server names the TLS routers know, shared by every TLS listener (spec §5.3): looks a client's
 * SNI name up in order
 * <ol>
 *   <li>exact {@code --sni} names, then names pushed by subscriptions ({@link SniContexts});</li>
 *   <li>{@code --sni-regexp} expressions, in option order;</li>
 *   <li>{@code --sni-dir}: {@code DIR/NAME.crt} + {@code DIR/NAME.key} (+ {@code DIR/NAME.ca}); the name
 *       is checked first (letters, digits, {@code - _ .}, no leading dot, no {@code ..}), so no path
 *       ever reaches the file system from a client (uWSGI does not check).</li>
 * </ol>
 * No match means the listener's default certificate. Names are compared in lower case (Netty's
 * {@link io.netty.handler.ssl.SniHandler} lower-cases them).
 *
 * <p>Lookups run on event loops and never block: exact and regexp entries are built at start-up;
 * directory contexts are built once on the offload executor and kept (a name whose files do not
 * exist is remembered as absent for a short while, so a flood of random names does not hit the disk
 * for each handshake).
 */
final class SniTable implements SniContexts {
    private static final Logger LOG = Logger.getLogger(SniTable.class.getName());
    private static final Pattern SAFE_NAME = Pattern.compile("[a-z0-9_][a-z0-9_.-]{0,252}");
    private static final int MAX_DIR_NAMES = 10_000;
    private static final long ABSENT_NANOS = Duration.ofSeconds(10).toNanos();

    private final TlsContextFactory factory;
    private final TlsService.KeyRing keyRing;
    private final Executor offload;
    private final String sessionIdContext;
    private final TlsConfig.Ocsp ocsp;
    /** The configured names ({@code --sni}, {@code --sni-regexp}, {@code --sni-dir}): replaced whole by a reload. */
    private volatile Configured configured;
    private final ConcurrentHashMap<String, Pushed> pushed = new ConcurrentHashMap<>();
    private final ContextRegistry registry;

    /** Where live contexts are registered for reloads and ticket keys. */
    interface ContextRegistry {
        void register(ReloadableContext context);

        void unregister(ReloadableContext context);
    }

    /** The configured part of the table, built together and swapped together ({@link #reconfigure}). */
    private record Configured(Map<String, ReloadableContext> exact, List<Map.Entry<Pattern, ReloadableContext>> regexps,
                              Optional<Path> dir, Optional<String> dirCiphers,
                              AsyncLoadingCache<String, Optional<ReloadableContext>> dirContexts) {
    }

    /** A pushed context: its files and the build that serves them. */
    private record Pushed(TlsFiles files, CompletableFuture<ReloadableContext> ready) {
    }

    /** Builds the static and regexp contexts (blocking: start-up). */
    SniTable(TlsConfig config, TlsContextFactory factory, TlsService.KeyRing keyRing, Executor offload,
             ContextRegistry registry) throws Exception {
        this.factory = factory;
        this.keyRing = keyRing;
        this.offload = offload;
        this.registry = registry;
        this.sessionIdContext = "sni";
        this.ocsp = config.ocsp();
        this.configured = configure(config);
    }

    /** Builds the static and regexp contexts of {@code config} (blocking) and a fresh --sni-dir cache. */
    private Configured configure(TlsConfig config) throws Exception {
        Optional<Path> dir = config.sniDir();
        Optional<String> dirCiphers = config.sniDirCiphers();
        List<ReloadableContext> built = new ArrayList<>();
        try {
            Map<String, ReloadableContext> names = new LinkedHashMap<>();
            for (SniEntry entry : config.sni()) {
                String name = entry.name().toLowerCase(Locale.ROOT);
                if (!names.containsKey(name)) { // the first entry for a name wins, as uWSGI's list lookup
                    ReloadableContext context = build("sni " + name, entry.files());
                    built.add(context);
                    names.put(name, context);
                }
            }
            List<Map.Entry<Pattern, ReloadableContext>> patterns = new ArrayList<>();
            for (SniEntry entry : config.sniRegexp()) {
                ReloadableContext context = build("sni-regexp " + entry.name(), entry.files());
                built.add(context);
                patterns.add(Map.entry(Pattern.compile(entry.name(), Pattern.CASE_INSENSITIVE), context));
            }
            AsyncLoadingCache<String, Optional<ReloadableContext>> dirContexts = Caffeine.newBuilder()
                    .maximumSize(MAX_DIR_NAMES)
                    .expireAfter(new Expiry<String, Optional<ReloadableContext>>() {
                        @Override
                        public long expireAfterCreate(String name, Optional<ReloadableContext> found, long now) {
                            return found.isPresent() ? Long.MAX_VALUE : ABSENT_NANOS;
                        }

                        @Override
                        public long expireAfterUpdate(String name, Optional<ReloadableContext> found, long now,
                                long left) {
                            return expireAfterCreate(name, found, now);
                        }

                        @Override
                        public long expireAfterRead(String name, Optional<ReloadableContext> found, long now,
                                long left) {
                            return left;
                        }
                    })
                    .executor(offload)
                    .<String, Optional<ReloadableContext>>removalListener((name, found, cause) -> {
                        if (found != null) {
                            found.ifPresent(registry::unregister);
                        }
                    })
                    .buildAsync(name -> loadFromDir(dir.orElseThrow(), dirCiphers, name));
            return new Configured(Map.copyOf(names), List.copyOf(patterns), dir, dirCiphers, dirContexts);
        } catch (Exception e) {
            built.forEach(registry::unregister); // a failed build leaves nothing behind
            throw e;
        }
    }

    /**
     * SIGHUP: replaces the configured names with those of {@code config} (blocking: the reload thread).
     * The new contexts are built first; a file that fails leaves the table as it was and throws. New
     * handshakes use the new names at once; the contexts of the old ones (and the --sni-dir cache) are
     * released. Contexts pushed by subscriptions are kept.
     */
    void reconfigure(TlsConfig config) throws Exception {
        Configured next = configure(config);
        Configured old = configured;
        configured = next;
        old.exact().values().forEach(registry::unregister);
        old.regexps().forEach(entry -> registry.unregister(entry.getValue()));
        old.dirContexts().synchronous().invalidateAll();
    }

    private ReloadableContext build(String label, TlsFiles files) throws Exception {
        ReloadableContext context = ReloadableContext.build(factory, ContextSpec.of(label, files, sessionIdContext, ocsp),
                keyRing.current());
        registry.register(context);
        return context;
    }

    /**
     * The context for a client's SNI name (already lower-cased), or a future completing with null
     * when the listener's default applies. Never blocks.
     */
    CompletableFuture<ReloadableContext> lookup(String name) {
        Configured names = configured;
        ReloadableContext found = names.exact().get(name);
        if (found != null) {
            return CompletableFuture.completedFuture(found);
        }
        Pushed push = pushed.get(name);
        if (push != null) {
            return push.ready().exceptionally(failed -> null);
        }
        for (Map.Entry<Pattern, ReloadableContext> regexp : names.regexps()) {
            if (regexp.getKey().matcher(name).find()) {
                return CompletableFuture.completedFuture(regexp.getValue());
            }
        }
        if (names.dir().isEmpty() || !SAFE_NAME.matcher(name).matches() || name.contains("..")) {
            return CompletableFuture.completedFuture(null);
        }
        return names.dirContexts().get(name).thenApply(o -> o.orElse(null)).exceptionally(failed -> null);
    }

    /** Runs on the offload executor: builds NAME's context if its files exist. */
    private Optional<ReloadableContext> loadFromDir(Path base, Optional<String> dirCiphers, String name) throws Exception {
        Path cert = base.resolve(name + ".crt");
        Path key = base.resolve(name + ".key");
        if (!Files.isRegularFile(cert) || !Files.isRegularFile(key)) {
            return Optional.empty();
        }
        Path ca = base.resolve(name + ".ca");
        TlsFiles files = new TlsFiles(cert, key, dirCiphers,
                Files.isRegularFile(ca) ? Optional.of(ca) : Optional.empty(), false);
        try {
            ReloadableContext context = build("sni-dir " + name, files);
            LOG.info(() -> "tls added SNI context for " + name + " from " + base);
            return Optional.of(context);
        } catch (Exception e) {
            LOG.warning("tls sni-dir " + name + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public CompletionStage<Void> addContext(String key, String cert, String keyFile, String clientCa) {
        String name = nameOf(key);
        TlsFiles files;
        try {
            files = TlsFiles.of(cert, keyFile, configured.dirCiphers().orElse(null), clientCa);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        Pushed[] created = new Pushed[1];
        Pushed[] replaced = new Pushed[1];
        Pushed push = pushed.compute(name, (n, old) -> {
            if (old != null && old.files().equals(files) && !old.ready().isCompletedExceptionally()) {
                return old;
            }
            replaced[0] = old;
            created[0] = new Pushed(files, new CompletableFuture<>());
            return created[0];
        });
        if (created[0] != null) {
            offload.execute(() -> buildPushed(name, created[0]));
        }
        if (replaced[0] != null) {
            replaced[0].ready().thenAccept(registry::unregister);
        }
        return push.ready().thenApply(context -> null);
    }

    private void buildPushed(String name, Pushed push) {
        try {
            ReloadableContext context = build("sni-subscription " + name, push.files());
            if (pushed.get(name) != push) { // replaced or removed while building
                registry.unregister(context);
            }
            push.ready().complete(context);
            LOG.fine(() -> "tls added SSL context for " + name + " (subscription)");
        } catch (Exception e) {
            LOG.fine(() -> "tls SNI context for " + name + " (subscription) not added: " + e.getMessage());
            pushed.remove(name, push);
            push.ready().completeExceptionally(e);
        }
    }

    @Override
    public void removeContext(String key) {
        String name = nameOf(key);
        Pushed push = pushed.remove(name);
        if (push != null) {
            push.ready().thenAccept(registry::unregister);
            LOG.fine(() -> "tls destroyed SSL context for " + name + " (subscription)");
        }
    }

    /** The host name of a subscription key: up to the first ':', lower-cased. */
    static String nameOf(String key) {
        int colon = key.indexOf(':');
        return (colon < 0 ? key : key.substring(0, colon)).toLowerCase(Locale.ROOT);
    }
}
