package io.corerouter.launcher;

import io.corerouter.core.backend.StaticNode;
import io.corerouter.core.observe.AccessLog;
import io.corerouter.core.observe.LatencyHistogram;
import io.corerouter.core.observe.Http2Counters;
import io.corerouter.core.observe.ListenerCounters;
import io.corerouter.core.observe.NodeTimers;
import io.corerouter.core.observe.RouterObserver;
import io.corerouter.core.observe.StatusClass;
import io.corerouter.core.pool.NodePools;
import io.corerouter.core.server.RouterRuntime;
import io.corerouter.core.stats.JsonWriter;
import io.corerouter.core.stats.StatsPage;
import io.corerouter.launcher.RouterMetrics.RouterView;
import io.corerouter.subscription.table.SubscriptionNode;
import io.corerouter.subscription.table.SubscriptionSlot;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The live status page (issue 12): {@code /status} is one self-contained HTML page (styles and script
 * inline, no CDN, readable on a phone) that shows each router's listeners, keys and nodes with health,
 * weight, requests, errors, latency percentiles and pool state, and refreshes itself from
 * {@code /status.json} every few seconds. The page carries the data of the moment it was served, so
 * it shows something at once and without script.
 */
final class StatusPage {
    private static final String TEMPLATE = load("status.html");
    private static final String DATA_MARK = "/*STATUS-DATA*/";

    private final Supplier<List<RouterView>> routers;
    private final String version;
    private final long startMillis = System.currentTimeMillis();

    StatusPage(Supplier<List<RouterView>> routers, String version) {
        this.routers = routers;
        this.version = version;
    }

    /** {@code /status}: the HTML page. */
    StatsPage html() {
        return new StatsPage() {
            @Override
            public String contentType() {
                return "text/html; charset=utf-8";
            }

            @Override
            public byte[] render() {
                // "</" cannot end the script element early: JSON strings escape it
                String json = json(true).replace("</", "<\\/");
                return TEMPLATE.replace(DATA_MARK, json).getBytes(StandardCharsets.UTF_8);
            }
        };
    }

    /** {@code /status.json}: what the page shows. */
    StatsPage json() {
        return new StatsPage() {
            @Override
            public String contentType() {
                return "application/json";
            }

            @Override
            public byte[] render() {
                return json(false).getBytes(StandardCharsets.UTF_8);
            }
        };
    }

    String json(boolean minified) {
        JsonWriter json = new JsonWriter(minified);
        json.beginObject()
            .field("version", version)
            .field("pid", ProcessHandle.current().pid())
            .field("uptime", (System.currentTimeMillis() - startMillis) / 1000)
            .field("time", System.currentTimeMillis() / 1000);
        json.name("routers").beginArray();
        for (RouterView view : routers.get()) {
            writeRouter(json, view);
        }
        json.endArray().endObject();
        return json.toString();
    }

    private static void writeRouter(JsonWriter json, RouterView view) {
        RouterRuntime runtime = view.runtime();
        RouterObserver o = runtime.observer();
        json.beginObject().field("kind", view.kind());
        json.name("listeners").beginArray();
        for (ListenerCounters l : o.listeners()) {
            json.beginObject().field("name", l.name()).field("open", l.open()).field("accepted", l.accepted());
            for (StatusClass c : StatusClass.values()) {
                json.field(c.label(), l.requests(c));
            }
            Http2Counters h2 = l.http2();
            if (h2 != null) {
                json.name("h2").beginObject().field("open", h2.open()).field("connections", h2.connections())
                        .field("streams", h2.streams()).field("reset", h2.resets()).field("refused", h2.refused())
                        .field("goaways", h2.goaways()).endObject();
            }
            json.endObject();
        }
        json.endArray();
        json.field("sent_bytes", o.bytesOut()).field("received_bytes", o.bytesIn());
        writeTimers(json, o.timers());
        Map<String, NodePools.Stats> pools = new HashMap<>();
        for (NodePools.Stats p : runtime.nodePools().snapshot()) {
            pools.put(p.name(), p);
        }
        Set<String> listed = new HashSet<>();
        json.name("nodes").beginArray();
        if (runtime.staticNodes() != null) {
            for (StaticNode node : runtime.staticNodes().nodes()) {
                listed.add(node.name());
                writeNode(json, node.name(), "", "static", node.health().state().text(), 1, node.hits(), node.failures(),
                        o.node(node.name()), pools.get(node.name()));
            }
        }
        for (StaticNode node : runtime.fallbacks()) {
            if (listed.add(node.name())) {
                writeNode(json, node.name(), "", "fallback", node.health().state().text(), 1, node.hits(), node.failures(),
                        o.node(node.name()), pools.get(node.name()));
            }
        }
        int keys = 0;
        if (view.table() != null) {
            List<SubscriptionSlot> slots = view.table().slots();
            keys = slots.size();
            for (SubscriptionSlot slot : slots) {
                for (SubscriptionNode node : slot.nodes()) {
                    listed.add(node.name());
                    writeNode(json, node.name(), slot.key(), "subscription", node.isDead() ? "failed" : "up", node.weight(),
                            node.requests(), node.failures(), o.node(node.name()), pools.get(node.name()));
                }
            }
        }
        // nodes of a pattern mapper (--R-use-pattern): known from the requests they served
        o.forEachNode((name, timers) -> {
            if (!listed.contains(name)) {
                writeNode(json, name, "", "pattern", "up", 1, timers.requests(), 0, timers, pools.get(name));
            }
        });
        json.endArray();
        json.field("keys", keys);
        AccessLog log = view.accessLog();
        if (log != null) {
            json.name("access_log").beginObject()
                .field("written", log.written()).field("dropped", log.dropped()).field("queued", log.queued())
                .endObject();
        }
        json.endObject();
    }

    private static void writeNode(JsonWriter json, String name, String key, String source, String state, long weight,
            long connects, long failures, NodeTimers timers, NodePools.Stats pool) {
        json.beginObject()
            .field("name", name)
            .field("key", key)
            .field("source", source)
            .field("up", "up".equals(state) ? 1 : 0)
            .field("state", state)
            .field("weight", weight)
            .field("connects", connects)
            .field("failures", failures);
        if (timers != null) {
            writeTimers(json, timers);
        } else {
            json.field("requests", 0).field("errors", 0);
        }
        if (pool != null) {
            json.name("pool").beginObject()
                .field("open", pool.open()).field("idle", pool.idle()).field("max", pool.maxConnections())
                .field("waiting", pool.waiting())
                .endObject();
        }
        json.endObject();
    }

    /** Requests, errors and the 50/90/99th percentiles of the total time in microseconds (-1: none yet). */
    private static void writeTimers(JsonWriter json, NodeTimers timers) {
        long[] counts = timers.total().counts();
        json.field("requests", timers.requests()).field("errors", timers.errors())
            .field("p50_us", micros(LatencyHistogram.quantile(0.5, counts)))
            .field("p90_us", micros(LatencyHistogram.quantile(0.9, counts)))
            .field("p99_us", micros(LatencyHistogram.quantile(0.99, counts)));
    }

    private static long micros(double seconds) {
        return Double.isNaN(seconds) ? -1 : Math.round(seconds * 1e6);
    }

    private static String load(String resource) {
        try (InputStream in = StatusPage.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
