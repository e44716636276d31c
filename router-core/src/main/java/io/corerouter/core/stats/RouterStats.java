package io.corerouter.core.stats;

import io.corerouter.core.backend.NodeHealth;
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
 * Each static node has uWSGI's {@code name}, {@code hits} and {@code grace}, then its health
 * ({@link #writeNode}); {@code fallback_nodes}, ours, lists the {@code --R-fallback} nodes the same way.
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
    private Supplier<List<StaticNode>> fallbacks = List::of;

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

    /** Adds the {@code "fallback_nodes"} member after {@code static_nodes} when the supplier gives any. */
    public RouterStats withFallbacks(Supplier<List<StaticNode>> fallbacks) {
        this.fallbacks = Objects.requireNonNull(fallbacks, "fallbacks");
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
                writeNode(json, node);
            }
            json.endArray();
        }
        List<StaticNode> fallbackNodes = fallbacks.get();
        if (fallbackNodes != null && !fallbackNodes.isEmpty()) {
            json.name("fallback_nodes").beginArray();
            for (StaticNode node : fallbackNodes) {
                writeNode(json, node);
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

    /**
     * One node: uWSGI's {@code name}, {@code hits}, {@code grace}, then {@code state} ({@code up},
     * {@code failed} until the gracetime passed, {@code down} while checks hold it out), {@code health}
     * (the last check: {@code none}, {@code passed: status 200}, {@code failed: timeout after 1000ms}),
     * {@code check_fails} (failed checks), {@code downs} (times checks took it down),
     * {@code last_change} (unix time of its last change of state, 0 if none) and {@code request_fails}
     * (failed requests in a row, counted with {@code --R-error-limit}).
     */
    static void writeNode(JsonWriter json, StaticNode node) {
        NodeHealth health = node.health();
        json.beginObject()
            .field("name", node.name())
            .field("hits", node.hits())
            .field("grace", node.graceSince())
            .field("state", health.state().text())
            .field("health", health.lastCheck())
            .field("check_fails", health.checkFailures())
            .field("downs", health.downs())
            .field("last_change", health.lastChange())
            .field("request_fails", health.requestFailsInRow())
            .endObject();
    }
}
