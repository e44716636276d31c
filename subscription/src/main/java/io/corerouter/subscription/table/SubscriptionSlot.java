package io.corerouter.subscription.table;

import java.security.PublicKey;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The nodes of one key (uWSGI's {@code struct uwsgi_subscribe_slot}, spec §2.3).
 *
 * <p>The node list is an immutable {@link Nodes} snapshot, replaced as a whole on the subscription
 * thread and read with one volatile load on the request path, together with its smooth-WRR cycle.
 * Per-lookup state is a hit counter and the WRR cursor, both atomics.
 */
public final class SubscriptionSlot {
    /** The nodes in subscription order and the WRR cycle over those alive when it was built. */
    record Nodes(SubscriptionNode[] all, int[] cycle) {
        static final Nodes EMPTY = new Nodes(new SubscriptionNode[0], new int[0]);
    }

    private final String key;
    private final int hash;
    private final long sequence;
    private final PublicKey publicKey;
    private final LongAdder hits = new LongAdder();
    private final AtomicLong cursor = new AtomicLong();
    /** True while a maintenance task for this slot is queued, so a burst of failures queues one. */
    final AtomicBoolean maintenancePending = new AtomicBoolean();
    private volatile Nodes nodes = Nodes.EMPTY;
    private volatile boolean removed;

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
        return hits.sum();
    }

    /** The nodes in subscription order, dead ones not yet removed included. */
    public List<SubscriptionNode> nodes() {
        return List.of(nodes.all());
    }

    /** Order of creation, for stats. */
    long sequence() {
        return sequence;
    }

    PublicKey publicKey() {
        return publicKey;
    }

    Nodes snapshot() {
        return nodes;
    }

    void publish(Nodes next) {
        nodes = next;
    }

    boolean isRemoved() {
        return removed;
    }

    void markRemoved() {
        removed = true;
    }

    void hit() {
        hits.increment();
    }

    /** The next position of the WRR cycle. */
    long nextCursor() {
        return cursor.getAndIncrement();
    }

    long cursor() {
        return cursor.get();
    }

    SubscriptionNode find(String address) {
        for (SubscriptionNode node : nodes.all()) {
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
