package io.corerouter.subscription.table;

import io.corerouter.core.stats.JsonWriter;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.ObjLongConsumer;

/**
 * What one router's subscription servers did with the datagrams they read (issue 15): how many were
 * read, what each accepted one did, and every drop by reason. The stats document shows them as
 * {@code "subscription_counters"} (docs/subscriptions.md); a metrics exporter reads them through the
 * getters or {@link #forEachDrop}.
 *
 * <p>Written on the subscription thread only, read from any thread; the counts only grow. One
 * writer needs no atomic read-modify-write: a plain read and a release store per count keep the
 * datagram path free of locked instructions.
 */
public final class SubscriptionCounters {
    /** Why a datagram was dropped. */
    public enum Drop {
        /** The source address is outside {@code --subscription-allow}; dropped before parsing. */
        SOURCE,
        /** Not a valid subscription datagram (spec §2.1-2.2). */
        MALFORMED,
        /** A new key while the table holds {@code --subscription-max-keys}. */
        KEY_LIMIT,
        /** A new node while its key holds {@code --subscription-max-nodes}. */
        NODE_LIMIT,
        /** The node address is not an IP literal, a UNIX path or an @abstract name. */
        BAD_ADDRESS,
        /** Signatures are required and the packet has none. */
        UNSIGNED,
        /** The signature does not verify. */
        BAD_SIGNATURE,
        /** No readable public key for a new key. */
        NO_PUBLIC_KEY,
        /** A {@code unix} time older than the sign-check tolerance. */
        STALE,
        /** A {@code unix} time not newer than the node's last accepted one. */
        REPLAYED;

        private final String statsName = name().toLowerCase(Locale.ROOT);

        /** The member name in the stats document: {@code key_limit}. */
        public String statsName() {
            return statsName;
        }
    }

    private static final Drop[] DROPS = Drop.values();
    private static final int RECEIVED = DROPS.length;
    private static final int NEW_KEYS = RECEIVED + 1;
    private static final int NEW_NODES = RECEIVED + 2;
    private static final int REFRESHED = RECEIVED + 3;
    private static final int UNSUBSCRIBED = RECEIVED + 4;
    private static final int UNKNOWN_NODE = RECEIVED + 5;

    private final AtomicLongArray counts = new AtomicLongArray(UNKNOWN_NODE + 1);

    /** A datagram was read (allowed or not). */
    public void received() {
        increment(RECEIVED);
    }

    /** A datagram was dropped for {@code reason}. */
    public void dropped(Drop reason) {
        increment(reason.ordinal());
    }

    private void increment(int index) {
        counts.setRelease(index, counts.getPlain(index) + 1);
    }

    /** Counts the outcome of one applied packet. */
    void count(SubscriptionTable.Outcome outcome, boolean newKey) {
        Drop drop = outcome.drop();
        if (drop != null) {
            dropped(drop);
            return;
        }
        int index = switch (outcome) {
            case NEW_NODE -> NEW_NODES;
            case REFRESHED -> REFRESHED;
            case UNSUBSCRIBED -> UNSUBSCRIBED;
            default -> UNKNOWN_NODE;
        };
        increment(index);
        if (newKey) {
            increment(NEW_KEYS);
        }
    }

    /** Datagrams read from the sockets (every other count is a part of this one). */
    public long receivedCount() {
        return counts.getAcquire(RECEIVED);
    }

    /** Datagrams dropped for {@code reason}. */
    public long droppedCount(Drop reason) {
        return counts.getAcquire(reason.ordinal());
    }

    /** Datagrams dropped for any reason. */
    public long droppedTotal() {
        long total = 0;
        for (Drop drop : DROPS) {
            total += counts.getAcquire(drop.ordinal());
        }
        return total;
    }

    /** Keys created. */
    public long newKeys() {
        return counts.getAcquire(NEW_KEYS);
    }

    /** Nodes created. */
    public long newNodes() {
        return counts.getAcquire(NEW_NODES);
    }

    /** Refreshes of known nodes. */
    public long refreshed() {
        return counts.getAcquire(REFRESHED);
    }

    /** Unsubscribes of known nodes. */
    public long unsubscribed() {
        return counts.getAcquire(UNSUBSCRIBED);
    }

    /** Unsubscribes of nodes the table did not have. */
    public long unknownNodes() {
        return counts.getAcquire(UNKNOWN_NODE);
    }

    /** Every drop reason with its count, in {@link Drop} order. */
    public void forEachDrop(ObjLongConsumer<Drop> consumer) {
        for (Drop drop : DROPS) {
            consumer.accept(drop, counts.getAcquire(drop.ordinal()));
        }
    }

    /** The {@code "subscription_counters"} member of the stats document. */
    void writeStats(JsonWriter json) {
        json.name("subscription_counters").beginObject()
            .field("received", receivedCount())
            .field("new_keys", newKeys())
            .field("new_nodes", newNodes())
            .field("refreshed", refreshed())
            .field("unsubscribed", unsubscribed())
            .field("unknown_node", unknownNodes())
            .field("dropped", droppedTotal());
        json.name("drops").beginObject();
        for (Drop drop : DROPS) {
            json.field(drop.statsName(), counts.getAcquire(drop.ordinal()));
        }
        json.endObject().endObject();
    }
}
