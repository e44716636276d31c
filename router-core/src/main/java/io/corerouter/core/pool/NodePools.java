package io.corerouter.core.pool;

import io.corerouter.core.backend.BackendConnector;
import io.corerouter.core.backend.BackendNode;
import io.corerouter.core.config.NodeProtocol;
import io.corerouter.core.config.PoolOptions;
import io.corerouter.core.stats.JsonWriter;
import io.corerouter.core.stats.StatsSource;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.util.concurrent.FastThreadLocal;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A router's persistent connections to its {@code puwsgi://} and {@code http://} nodes
 * ({@link NodeProtocol#pooled()}), which no uWSGI router keeps: one pool per node and event loop
 * (touched only by that loop: no lock, no connection handed between threads), under a cap per node
 * counted across loops ({@link PoolOptions}).
 *
 * <p>A request {@link #acquire}s a connection: an idle one of its loop (reused), a new one while the
 * node is under its cap, or it waits on its loop for a slot up to {@code --R-pool-wait}. The user
 * writes its request, gets the response through {@link PoolUser}, and {@link PooledConnection#release
 * releases} the connection when the response ended exactly; the pool then gives it to the next
 * waiting request of the loop, keeps it idle, or closes it (another loop waits, enough idle, idle
 * timeout, {@code --R-pool-max-requests}).
 *
 * <p>Pools are found by the node's address, so static, fallback, pattern-made and subscribed nodes
 * at the same address share one.
 */
public final class NodePools implements StatsSource {
    private final PoolOptions options;
    private final BackendConnector connector;
    private final HttpDecoderConfig decoderConfig;
    private final Map<SocketAddress, NodeLimit> limits = new ConcurrentHashMap<>();
    private final FastThreadLocal<Map<SocketAddress, LoopPool>> loopPools = new FastThreadLocal<>() {
        @Override
        protected Map<SocketAddress, LoopPool> initialValue() {
            return new HashMap<>();
        }
    };

    /**
     * @param decoderConfig the response decoder settings (head limits, strict parsing) of every pooled connection
     */
    public NodePools(PoolOptions options, BackendConnector connector, HttpDecoderConfig decoderConfig) {
        this.options = options;
        this.connector = connector;
        this.decoderConfig = decoderConfig;
    }

    /** The node-side decoder settings: 64 KiB heads like uWSGI's response buffer, strict parsing. */
    public static HttpDecoderConfig responseDecoderConfig() {
        return new HttpDecoderConfig()
                .setMaxInitialLineLength(65536)
                .setMaxHeaderSize(65536)
                .setMaxChunkSize(65536)
                .setStrictLineParsing(true)
                .setUseRfc9112TransferEncoding(true)
                .setAllowDuplicateContentLengths(true);
    }

    public PoolOptions options() {
        return options;
    }

    /**
     * Asks for a connection to {@code node} on {@code loop} (the caller's, which it must be on). The
     * callback may run before this returns (an idle connection), or later on the same loop.
     *
     * @param fresh a new connection, not an idle one (after a reused one turned out stale)
     * @return the claim, to {@link PoolRequest#cancel cancel} if the requester goes away first
     */
    public PoolRequest acquire(EventLoop loop, BackendNode node, PoolUser user, LeaseCallback callback, boolean fresh) {
        assert loop.inEventLoop();
        LoopPool pool = pool(loop, node);
        PoolRequest request = new PoolRequest(user, callback, System.nanoTime());
        pool.acquire(request, fresh);
        return request;
    }

    /**
     * A transient node's pool on this loop holds nothing any more: it is forgotten, and the node's limit
     * with it once no loop uses it, so nodes made per request (use-pattern/use-base, attacker-chosen
     * through the Host header) or gone from a subscription leave nothing behind.
     */
    private void forget(LoopPool pool) {
        Map<SocketAddress, LoopPool> mine = loopPools.get();
        if (!mine.remove(pool.address(), pool)) {
            return;
        }
        NodeLimit limit = pool.limit();
        limit.pools.remove(pool);
        if (limit.leave()) {
            limits.remove(pool.address(), limit);
        }
    }

    /** Counts a request retried on a fresh connection because its reused one was stale. */
    public void countStaleRetry(BackendNode node) {
        NodeLimit limit = limits.get(node.address());
        if (limit != null) {
            limit.staleRetries.increment();
        }
    }

    private LoopPool pool(EventLoop loop, BackendNode node) {
        SocketAddress address = node.address();
        Map<SocketAddress, LoopPool> mine = loopPools.get();
        LoopPool pool = mine.get(address);
        int cap = node.connectionLimit() > 0 ? node.connectionLimit() : options.nodeConnections();
        if (pool == null) {
            NodeLimit limit;
            while (!(limit = limits.computeIfAbsent(address, a -> new NodeLimit(node.name(), node.protocol(), cap))).join()) {
                limits.remove(address, limit); // retired by another loop a moment ago: make a new one
            }
            pool = new LoopPool(limit, loop, address, connector, decoderConfig, options,
                    node.persistentPool() ? null : this::forget);
            limit.pools.add(pool);
            mine.put(address, pool);
        } else if (pool.limit().cap != cap) {
            pool.limit().cap = cap; // a subscribed node announced other cores
        }
        return pool;
    }

    /** What the pool of one node holds and has done, all event loops together. */
    public record Stats(String name, NodeProtocol protocol, int maxConnections, int open, int idle, int waiting,
                        long created, long reused, long staleRetries, long waitTimeouts, long dropped) {
    }

    /** The pools of every node that has one, for stats and tests. */
    public List<Stats> snapshot() {
        List<Stats> all = new ArrayList<>();
        for (NodeLimit limit : limits.values()) {
            all.add(new Stats(limit.name, limit.protocol, limit.cap, limit.open.get(), limit.idle.get(),
                    limit.waiting.get(), limit.created.sum(), limit.reused.sum(), limit.staleRetries.sum(),
                    limit.waitTimeouts.sum(), limit.dropped.sum()));
        }
        return all;
    }

    /** Whether any node has a pool yet. */
    public boolean isEmpty() {
        return limits.isEmpty();
    }

    /**
     * The {@code "node_pools"} stats member: per node, the cap, connections open and idle, connections
     * created, requests served on reused connections, stale-connection retries, wait timeouts (503) and
     * connections dropped for bytes outside a response.
     */
    @Override
    public void writeStats(JsonWriter json) {
        json.name("node_pools").beginArray();
        for (Stats pool : snapshot()) {
            json.beginObject()
                .field("name", pool.name())
                .field("protocol", pool.protocol().name().toLowerCase(Locale.ROOT))
                .field("max_connections", pool.maxConnections())
                .field("open", pool.open())
                .field("idle", pool.idle())
                .field("waiting", pool.waiting())
                .field("created", pool.created())
                .field("reused", pool.reused())
                .field("stale_retries", pool.staleRetries())
                .field("wait_timeouts", pool.waitTimeouts())
                .field("dropped", pool.dropped())
                .endObject();
        }
        json.endArray();
    }
}
