package io.corerouter.subscription.table;

import io.corerouter.core.backend.BackendNode;
import io.corerouter.core.backend.NodeHealth;
import io.corerouter.core.config.NodeProtocol;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.SocketAddress;

/**
 * A node announced for one key (spec §2.3): its address, the modifiers of its first packet, the
 * values of its latest one, and the health and traffic counters uWSGI reports in stats.
 *
 * <p>Shared by every event loop: the request path reads and counts through volatiles, atomics and
 * striped adders, never a lock. A node leaves its key's list only on the subscription thread; event
 * loops that find it dead ({@link #connectFailed}, expiry) or drop its last reference
 * ({@link #release}) ask the table to do it. Structure of the fields follows uWSGI's
 * {@code struct uwsgi_subscribe_node}.
 *
 * <p>Small on purpose (issue 15: a key with one node should cost well under 1 KB of heap): the
 * stats counters are the fields of one {@link Traffic} object updated through {@link VarHandle}s,
 * not an {@code AtomicLong} and four {@code LongAdder}s (150 bytes a node). They sit in their own
 * object so that the fields a lookup reads (death mark, last announce, reference count) share this
 * object's first cache line; a request writes the reference count anyway, so striping the
 * counters would buy little.
 */
public final class SubscriptionNode implements BackendNode {
    private static final VarHandle DEATH_MARK;
    private static final VarHandle REFERENCE;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            DEATH_MARK = lookup.findVarHandle(SubscriptionNode.class, "deathMark", int.class);
            REFERENCE = lookup.findVarHandle(SubscriptionNode.class, "reference", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final SubscriptionTable table;
    private final SubscriptionSlot slot;
    private final String name;
    private final SocketAddress address;
    private final byte modifier1;
    private final byte modifier2;
    private final String notify;
    private final NodeProtocol protocol;
    /** Checks and passive health ({@code --R-check-interval}, {@code --R-error-limit}); null when both are off. */
    private volatile NodeHealth health;

    /** The values of the latest subscribe packet, replaced as a whole (subscription thread). */
    private record Announce(long lastCheckEpoch, long cores, long load, long weight, long unixCheck) {
        static final Announce NONE = new Announce(0, 0, 0, 1, 0);
    }

    // the fields a lookup reads (lastCheckNanos, deathMark, reference) are the node's only
    // primitives, so they share a cache line; the rest of the announce sits behind one reference
    private volatile long lastCheckNanos;
    private volatile Announce announce = Announce.NONE;

    // the fields a lookup touches sit in this object, not in separate atomics
    @SuppressWarnings("unused") // through DEATH_MARK
    private volatile int deathMark;
    @SuppressWarnings("unused") // through REFERENCE
    private volatile int reference;
    private final Traffic traffic = new Traffic();

    /** The stats counters, apart from the fields lookups read (see the class comment). */
    private static final class Traffic {
        private static final VarHandle FAILCNT;
        private static final VarHandle REQUESTS;
        private static final VarHandle LAST_REQUESTS;
        private static final VarHandle TX;
        private static final VarHandle RX;

        static {
            try {
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                FAILCNT = lookup.findVarHandle(Traffic.class, "failcnt", long.class);
                REQUESTS = lookup.findVarHandle(Traffic.class, "requests", long.class);
                LAST_REQUESTS = lookup.findVarHandle(Traffic.class, "lastRequests", long.class);
                TX = lookup.findVarHandle(Traffic.class, "tx", long.class);
                RX = lookup.findVarHandle(Traffic.class, "rx", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        @SuppressWarnings("unused") // through FAILCNT
        private volatile long failcnt;
        @SuppressWarnings("unused") // through REQUESTS
        private volatile long requests;
        @SuppressWarnings("unused") // through LAST_REQUESTS
        private volatile long lastRequests;
        @SuppressWarnings("unused") // through TX
        private volatile long tx;
        @SuppressWarnings("unused") // through RX
        private volatile long rx;
    }

    SubscriptionNode(SubscriptionTable table, SubscriptionSlot slot, String name, SocketAddress address,
            int modifier1, int modifier2, String notify, NodeProtocol protocol) {
        this.table = table;
        this.protocol = protocol;
        this.slot = slot;
        this.name = name;
        this.address = address;
        this.modifier1 = (byte) modifier1;
        this.modifier2 = (byte) modifier2;
        this.notify = notify;
    }

    // ------------------------------------------------------------------ BackendNode

    @Override
    public NodeProtocol protocol() {
        return protocol;
    }

    @Override
    public NodeHealth health() {
        return health;
    }

    /** Gives the node its health state (the table does, when checks or passive health are on). */
    void health(NodeHealth state) {
        this.health = state;
    }

    /**
     * A request failed before a complete response head: with {@code --R-error-limit N}, the N-th in a row
     * fails the node, which for a subscribed node means what a refused connect means (spec §2.6): it is
     * dropped until its next announce.
     */
    @Override
    public void requestFailed(String reason) {
        NodeHealth state = health;
        if (state != null) {
            state.requestFailed(reason);
            if (state.state() == NodeHealth.State.FAILED) {
                markDead(reason);
            }
        }
    }

    @Override
    public void requestSucceeded() {
        NodeHealth state = health;
        if (state != null) {
            state.requestSucceeded();
        }
    }

    /** A pooled node's cap: the cores it announces (processes x threads), its concurrency. */
    @Override
    public int connectionLimit() {
        long cores = announce.cores();
        return cores <= 0 ? 0 : (int) Math.min(cores, 1 << 16);
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
        return modifier1 & 0xff;
    }

    @Override
    public int modifier2() {
        return modifier2 & 0xff;
    }

    @Override
    public void connected() {
        Traffic.REQUESTS.getAndAdd(traffic, 1L);
        Traffic.LAST_REQUESTS.getAndAdd(traffic, 1L);
    }

    /** A failed connect marks the node dead at once (spec §2.6); the session's retry picks another. */
    @Override
    public void connectFailed() {
        markDead("connect failed");
    }

    @Override
    public void addTraffic(long fromNode, long toNode) {
        Traffic.TX.getAndAdd(traffic, fromNode);
        Traffic.RX.getAndAdd(traffic, toNode);
    }

    @Override
    public void release() {
        if ((int) REFERENCE.getAndAdd(this, -1) <= 1 && isDead()) {
            table.requestMaintenance(slot);
        }
    }

    // ------------------------------------------------------------------ request path

    /**
     * Whether the node may be picked at {@code nowNanos}; a node not announced within the tolerance is
     * marked dead here (the lazy check of spec §2.6).
     */
    boolean isAvailable(long nowNanos) {
        if (deathMark != 0) {
            return false;
        }
        NodeHealth checked = health;
        if (checked != null && checked.isDown()) {
            return false; // its checks failed: no traffic until they pass again (the announces go on)
        }
        if (nowNanos - lastCheckNanos > table.toleranceNanos()) {
            markDead("no announce received in " + table.toleranceSeconds() + " seconds");
            return false;
        }
        return true;
    }

    /** Picks the node if it is available: one more reference (spec §2.7, released by {@link #release}). */
    boolean tryAcquire(long nowNanos) {
        if (!isAvailable(nowNanos)) {
            return false;
        }
        REFERENCE.getAndAdd(this, 1);
        return true;
    }

    /**
     * Sets the death mark and counts a failure (spec §2.5, §2.6); the table removes the node once no
     * session holds it. Safe from any thread.
     */
    void markDead(String reason) {
        Traffic.FAILCNT.getAndAdd(traffic, 1L);
        if (DEATH_MARK.compareAndSet(this, 0, 1)) {
            table.logMarkedDead(slot, this, reason);
            table.requestMaintenance(slot);
        }
    }

    // ------------------------------------------------------------------ subscription thread

    /** Applies a subscribe packet's values; clears the death mark (spec §2.4). */
    void refresh(long nowNanos, long nowEpoch, long newCores, long newLoad, long newWeight) {
        lastCheckNanos = nowNanos;
        announce = new Announce(nowEpoch, newCores, newLoad, newWeight, announce.unixCheck());
        Traffic.LAST_REQUESTS.setVolatile(traffic, 0L);
        DEATH_MARK.setVolatile(this, 0);
    }

    void unixCheck(long unix) {
        Announce a = announce;
        announce = new Announce(a.lastCheckEpoch(), a.cores(), a.load(), a.weight(), unix);
    }

    boolean isRemovable() {
        return isDead() && references() <= 0;
    }

    SubscriptionSlot slot() {
        return slot;
    }

    // ------------------------------------------------------------------ stats (spec §3.11)

    /** The key this node serves. */
    public String key() {
        return slot.key();
    }

    /** {@code death_mark}: dead, waiting for its last session to finish, or a refresh. */
    public boolean isDead() {
        return deathMark != 0;
    }

    /** {@code ref}: sessions using the node now. */
    public int references() {
        return (int) REFERENCE.getVolatile(this);
    }

    /** {@code last_check}: unix time of the latest subscribe packet. */
    public long lastCheck() {
        return announce.lastCheckEpoch();
    }

    long lastCheckNanos() {
        return lastCheckNanos;
    }

    /** {@code weight} as announced (0 was turned into 1). */
    public long weight() {
        return announce.weight();
    }

    public long cores() {
        return announce.cores();
    }

    public long load() {
        return announce.load();
    }

    /** {@code unix} of the latest accepted signed packet (0 without signatures). */
    public long unixCheck() {
        return announce.unixCheck();
    }

    /** {@code failcnt}: how many times the node was marked failed. */
    public long failures() {
        return (long) Traffic.FAILCNT.getVolatile(traffic);
    }

    /** {@code requests}: successful connects. */
    public long requests() {
        return (long) Traffic.REQUESTS.getVolatile(traffic);
    }

    /** {@code last_requests}: successful connects since the latest subscribe packet. */
    public long lastRequests() {
        return (long) Traffic.LAST_REQUESTS.getVolatile(traffic);
    }

    /** {@code tx}: bytes read from the node. */
    public long tx() {
        return (long) Traffic.TX.getVolatile(traffic);
    }

    /** {@code rx}: bytes written to the node. */
    public long rx() {
        return (long) Traffic.RX.getVolatile(traffic);
    }

    /** The notify path of the packet that created the node, or null. */
    public String notifyPath() {
        return notify;
    }

    @Override
    public String toString() {
        return slot.key() + " => " + name;
    }
}
