package io.corerouter.ssl;

import io.netty.handler.ssl.SslContext;
import io.netty.util.AsyncMapping;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

/**
 * What Netty's {@link io.netty.handler.ssl.SniHandler} asks for each ClientHello of one listener: the
 * {@link SniTable} entry for the client's server name, else the listener's default context (also for
 * clients that send no name). Completes at once unless a directory or subscription context is still
 * being built on the offload executor.
 */
final class SniMapping implements AsyncMapping<String, SslContext> {
    private final SniTable table;
    private final ReloadableContext defaultContext;
    private final TlsStatsCounters counters;

    SniMapping(SniTable table, ReloadableContext defaultContext, TlsStatsCounters counters) {
        this.table = table;
        this.defaultContext = defaultContext;
        this.counters = counters;
    }

    @Override
    public Future<SslContext> map(String hostname, Promise<SslContext> promise) {
        if (hostname == null) {
            return promise.setSuccess(defaultContext.context());
        }
        table.lookup(hostname).whenComplete((found, failure) -> {
            if (found == null) {
                counters.sniMiss(); // a server name without its own certificate: the default one answers
            }
            promise.trySuccess(found != null ? found.context() : defaultContext.context());
        });
        return promise;
    }

    ReloadableContext defaultContext() {
        return defaultContext;
    }
}
