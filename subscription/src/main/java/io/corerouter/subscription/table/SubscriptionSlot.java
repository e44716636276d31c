package io.corerouter.subscription.table;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.security.PublicKey;
import java.util.List;

/**
 * The nodes of one key (uWSGI's {@code struct uwsgi_subscribe_slot}, spec §2.3).
 *
 * <p>The node list and the smooth-WRR cycle are immutable arrays, replaced as a whole on the
 * subscription thread and read with one volatile load each on the request path. The per-lookup
 * state (hit counter, WRR cursor) lives in this object's own fields, so a lookup touches as few
 * cache lines as possible: the map entry, this slot, the cycle array and the node.
 *
 * <p>Small on purpose (issue 15): no atomics of its own (fields through {@link VarHandle}s), and a
 * key whose cycle visits its nodes once each in list order, one node or several of equal weight,
 * shares one array for both.
 */
public final class SubscriptionSlot {
    private static final SubscriptionNode[] NONE = new SubscriptionNode[0];
    private static final VarHandle HITS;
    private static final VarHandle CURSOR;
    private static final VarHandle MAINTENANCE_PENDING;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            HITS = lookup.findVarHandle(SubscriptionSlot.class, "hits", long.class);
            CURSOR = lookup.findVarHandle(SubscriptionSlot.class, "cursor", long.class);
            MAINTENANCE_PENDING = lookup.findVarHandle(SubscriptionSlot.class, "maintenancePending", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String key;
    private final int hash;
    private final long sequence;
    /** The key's public key for signed subscriptions, or null (read again when needed); subscription thread only. */
    private PublicKey publicKey;
    @SuppressWarnings("unused") // through HITS
    private volatile long hits;
    @SuppressWarnings("unused") // through CURSOR
    private volatile long cursor;
    /** The WRR cycle: nodes alive when it was built, each as many times as its reduced weight. */
    private volatile SubscriptionNode[] cycle = NONE;
    /** Every node in subscription order, dead ones not yet removed included. */
    private volatile SubscriptionNode[] all = NONE;
    private volatile boolean removed;
    /** The host name of the SNI context this slot asked for (spec §5.4), or null; subscription thread only. */
    private String sniName;
    /** {@code sni_enabled}: the context asked for is served. */
    private volatile boolean sniEnabled;
    /** True while a maintenance task for this slot is queued, so a burst of failures queues one. */
    @SuppressWarnings("unused") // through MAINTENANCE_PENDING
    private volatile boolean maintenancePending;

    SubscriptionSlot(String key, long sequence, PublicKey publicKey) {
        this.key = key;
        this.hash = Djb33x.bucket(key);
        this.sequence = sequence;
        this.publicKey = publicKey;
    }

    /** The routing key, its bytes as ISO-8859-1 chars. */
    public String key() {
        return key;
    }

    /** {@code hash}: uWSGI's bucket index for the key. */
    public int hash() {
        return hash;
    }

    /** {@code hits}: lookups that found this key. */
    public long hits() {
        return (long) HITS.getVolatile(this);
    }

    /** The nodes in subscription order, dead ones not yet removed included. */
    public List<SubscriptionNode> nodes() {
        return List.of(all);
    }

    /** Order of creation, for stats. */
    long sequence() {
        return sequence;
    }

    PublicKey publicKey() {
        return publicKey;
    }

    /** Replaces the public key, or forgets it (null) after the signature settings changed. */
    void publicKey(PublicKey key) {
        publicKey = key;
    }

    SubscriptionNode[] all() {
        return all;
    }

    SubscriptionNode[] cycle() {
        return cycle;
    }

    /** Replaces the node list and the WRR cycle (subscription thread). */
    void publish(SubscriptionNode[] nextAll, SubscriptionNode[] nextCycle) {
        cycle = nextCycle;
        all = nextAll;
    }

    boolean isRemoved() {
        return removed;
    }

    /** Empties the slot for good: lookups that still hold it find no node. */
    void markRemoved() {
        removed = true;
        publish(NONE, NONE);
    }

    /** The host name of the SNI context asked for or served, or null (subscription thread). */
    String sniName() {
        return sniName;
    }

    /** Records that the slot asked for (a name) or gave up (null) an SNI context (subscription thread). */
    void sniName(String name) {
        sniName = name;
        sniEnabled = false;
    }

    /** {@code sni_enabled}: whether the SNI context pushed by this key's nodes is served. */
    public boolean sniEnabled() {
        return sniEnabled;
    }

    void sniEnabled(boolean enabled) {
        sniEnabled = enabled;
    }

    /** Claims the queued-maintenance flag: true if no task was queued (any thread). */
    boolean claimMaintenance() {
        return MAINTENANCE_PENDING.compareAndSet(this, false, true);
    }

    /** Releases the flag before the queued task runs (subscription thread). */
    void maintenanceStarted() {
        MAINTENANCE_PENDING.setVolatile(this, false);
    }

    void hit() {
        HITS.getAndAdd(this, 1L);
    }

    /** The next position of the WRR cycle. */
    long nextCursor() {
        return (long) CURSOR.getAndAdd(this, 1L);
    }

    long cursor() {
        return (long) CURSOR.getVolatile(this);
    }

    SubscriptionNode find(String address) {
        for (SubscriptionNode node : all) {
            if (node.name().equals(address)) {
                return node;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return key;
    }
}
