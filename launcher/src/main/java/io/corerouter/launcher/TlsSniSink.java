package io.corerouter.launcher;

import io.corerouter.ssl.SniContexts;
import io.corerouter.subscription.table.SniSink;
import java.util.Locale;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Connects the subscription tables of a process's TLS routers to its TLS service (spec §5.4): SNI
 * contexts pushed by subscriptions are built by {@link SniContexts} on the offload pool.
 *
 * <p>All TLS routers of a corerouter process share one TLS service, where each uWSGI router process
 * has its own SNI list. A name can thus be held by several slots at once (the HTTPS router's and the
 * sslrouter's tables, or {@code app.test} and {@code app.test:443} in one table), so holders are
 * counted per name and the context goes with the last one.
 */
final class TlsSniSink implements SniSink {
    private final SniContexts contexts;
    private final ConcurrentHashMap<String, Integer> holders = new ConcurrentHashMap<>();

    TlsSniSink(SniContexts contexts) {
        this.contexts = contexts;
    }

    @Override
    public CompletionStage<Void> enable(String name, String crt, String key, String ca) {
        holders.merge(name.toLowerCase(Locale.ROOT), 1, Integer::sum);
        return contexts.addContext(name, crt, key, ca);
    }

    @Override
    public void disable(String name) {
        // names compare case-insensitively in the SNI table too
        if (holders.computeIfPresent(name.toLowerCase(Locale.ROOT), (n, count) -> count == 1 ? null : count - 1)
                == null) {
            contexts.removeContext(name);
        }
    }
}
