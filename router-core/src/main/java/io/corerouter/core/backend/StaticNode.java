package io.corerouter.core.backend;

import io.corerouter.core.config.NodeProtocol;
import java.net.SocketAddress;
import java.util.concurrent.atomic.LongAdder;

/**
 * A node given with {@code --R-to} or {@code --R-fallback} (spec §3.4 item 7, §3.6).
 *
 * <p>Its {@link NodeHealth} holds the dead mark (a failed connect marks it failed at {@code deadSince};
 * {@link StaticNodes} skips it until the gracetime has passed) and, with health checks, whether checks
 * hold it down. Counters are shared by every event loop, so they are striped.
 */
public final class StaticNode implements BackendNode {
    private final String name;
    private final SocketAddress address;
    private final NodeProtocol protocol;
    private final LongAdder hits = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder tx = new LongAdder();
    private final LongAdder rx = new LongAdder();
    private final NodeHealth health;

    public StaticNode(String name, SocketAddress address, Clock clock) {
        this(name, address, NodeProtocol.UWSGI, clock);
    }

    public StaticNode(String name, SocketAddress address, NodeProtocol protocol, Clock clock) {
        this(name, address, protocol, new NodeHealth("", name, 0, clock));
    }

    /** @param health the node's health, made for this node */
    public StaticNode(String name, SocketAddress address, NodeProtocol protocol, NodeHealth health) {
        this.name = name;
        this.address = address;
        this.protocol = protocol;
        this.health = health;
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
    public NodeHealth health() {
        return health;
    }

    @Override
    public void connected() {
        hits.increment();
    }

    @Override
    public void connectFailed() {
        failures.increment();
        health.connectFailed("connect failed");
    }

    @Override
    public void requestFailed(String reason) {
        health.requestFailed(reason);
    }

    @Override
    public void requestSucceeded() {
        health.requestSucceeded();
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
        return health.isAvailable(nowNanos, gracetimeNanos);
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
        return health.failedSince();
    }

    @Override
    public String toString() {
        return name;
    }
}
