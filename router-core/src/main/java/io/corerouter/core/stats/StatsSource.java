package io.corerouter.core.stats;

/**
 * Something that contributes members to a stats document (spec §3.11): a router writes its
 * sessions, sockets and nodes, the subscription table its {@code "subscriptions"} array. Called on
 * the stats server's thread while event loops keep running, so sources read counters and
 * snapshots, never take locks the request path needs.
 */
@FunctionalInterface
public interface StatsSource {
    /** Writes this source's members into the object {@code json} is inside. */
    void writeStats(JsonWriter json);
}
