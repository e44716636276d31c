package io.corerouter.core.stats;

import io.corerouter.core.backend.StaticNode;
import io.corerouter.core.backend.StaticNodes;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The members one router contributes to its stats document, in uWSGI's order (spec §3.11):
 * {@code active_sessions}, {@code "<kind>": [socket names]}, {@code static_nodes} (only with
 * {@code --R-to}), {@code subscriptions} (only with a subscription server) and {@code cheap}.
 *
 * <p>Every part is a supplier read when a document is written, so a router can hand this out
 * before it has bound its sockets.
 */
public final class RouterStats implements StatsSource {
    private final String kind;
    private final Supplier<List<String>> sockets;
    private final LongSupplier activeSessions;
    private final Supplier<StaticNodes> staticNodes;
    private final StatsSource subscriptions;
    private final BooleanSupplier cheap;
    private Supplier<StatsSource> pools = () -> null;

    /**
     * @param kind           the router's short name and the key of its socket list: {@code http},
     *                       {@code fastrouter}, {@code rawrouter}, {@code sslrouter}
     * @param sockets        listener names as configured, then subscription server names
     * @param activeSessions client connections open now
     * @param staticNodes    the {@code --R-to} nodes, or a supplier of null when another mapper is active
     * @param subscriptions  writes the {@code "subscriptions"} member, or null without a subscription server
     * @param cheap          whether the router is in cheap mode now (not accepting)
     */
    public RouterStats(String kind, Supplier<List<String>> sockets, LongSupplier activeSessions,
            Supplier<StaticNodes> staticNodes, StatsSource subscriptions, BooleanSupplier cheap) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.sockets = Objects.requireNonNull(sockets, "sockets");
        this.activeSessions = Objects.requireNonNull(activeSessions, "activeSessions");
        this.staticNodes = Objects.requireNonNull(staticNodes, "staticNodes");
        this.subscriptions = subscriptions;
        this.cheap = Objects.requireNonNull(cheap, "cheap");
    }

    /**
     * Adds the {@code "node_pools"} member (persistent node connections) after {@code static_nodes};
     * the supplier gives null while the router has no pool.
     */
    public RouterStats withPools(Supplier<StatsSource> pools) {
        this.pools = Objects.requireNonNull(pools, "pools");
        return this;
    }

    @Override
    public void writeStats(JsonWriter json) {
        json.field("active_sessions", activeSessions.getAsLong());
        json.name(kind).beginArray();
        for (String socket : sockets.get()) {
            json.value(socket);
        }
        json.endArray();
        StaticNodes nodes = staticNodes.get();
        if (nodes != null) {
            json.name("static_nodes").beginArray();
            for (StaticNode node : nodes.nodes()) {
                json.beginObject()
                    .field("name", node.name())
                    .field("hits", node.hits())
                    .field("grace", node.graceSince())
                    .endObject();
            }
            json.endArray();
        }
        StatsSource poolStats = pools.get();
        if (poolStats != null) {
            poolStats.writeStats(json);
        }
        if (subscriptions != null) {
            subscriptions.writeStats(json);
        }
        json.field("cheap", cheap.getAsBoolean() ? 1 : 0);
    }
}
