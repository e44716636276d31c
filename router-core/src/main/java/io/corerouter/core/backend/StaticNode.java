package io.corerouter.core.backend;

import io.corerouter.core.config.NodeProtocol;
import java.net.SocketAddress;
import java.util.concurrent.atomic.LongAdder;

/**
 * A node given with {@code --R-to} or {@code --R-fallback} (spec §3.4 item 7, §3.6).
 *
 * <p>A failed connect marks it dead at {@code deadSince}; {@link StaticNodes} skips it until the
 * gracetime has passed. Dead marks and counters are shared by every event loop, so they are
 * volatile / striped.
 */
public final class StaticNode implements BackendNode {
    /** Dead mark value meaning "alive". */
    static final long ALIVE = Long.MIN_VALUE;

    private final String name;
    private final SocketAddress address;
    private final NodeProtocol protocol;
    private final LongAdder hits = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder tx = new LongAdder();
    private final LongAdder rx = new LongAdder();
    private final Clock clock;
    private volatile long deadSinceNanos = ALIVE;
    private volatile long deadSinceEpochSeconds;

    public StaticNode(String name, SocketAddress address, Clock clock) {
        this(name, address, NodeProtocol.UWSGI, clock);
    }

    public StaticNode(String name, SocketAddress address, NodeProtocol protocol, Clock clock) {
        this.name = name;
        this.address = address;
        this.protocol = protocol;
        this.clock = clock;
    }

    @Override
    public NodeProtocol protocol() {
        return protocol;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public SocketAddress address() {
        return address;
    }

    @Override
    public int modifier1() {
        return 0;
    }

    @Override
    public int modifier2() {
        return 0;
    }

    @Override
    public void connected() {
        hits.increment();
    }

    @Override
    public void connectFailed() {
        failures.increment();
        deadSinceEpochSeconds = clock.epochSeconds();
        deadSinceNanos = clock.nanoTime();
    }

    @Override
    public void addTraffic(long fromNode, long toNode) {
        tx.add(fromNode);
        rx.add(toNode);
    }

    @Override
    public void release() {
        // static nodes keep no reference count
    }

    /** True when the node may be picked at {@code nowNanos}; clears an expired dead mark. */
    boolean isAvailable(long nowNanos, long gracetimeNanos) {
        long dead = deadSinceNanos;
        if (dead == ALIVE) {
            return true;
        }
        if (nowNanos - dead >= gracetimeNanos) {
            deadSinceNanos = ALIVE; // first pick after the gracetime tries the node again
            deadSinceEpochSeconds = 0;
            return true;
        }
        return false;
    }

    /** Successful connects (stats {@code hits}). */
    public long hits() {
        return hits.sum();
    }

    /** Failed connects. */
    public long failures() {
        return failures.sum();
    }

    /** Unix time the node was marked dead, 0 when alive (stats {@code grace}). */
    public long graceSince() {
        return deadSinceNanos == ALIVE ? 0 : deadSinceEpochSeconds;
    }

    @Override
    public String toString() {
        return name;
    }
}
