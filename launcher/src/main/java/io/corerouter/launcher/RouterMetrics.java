package io.corerouter.launcher;

import io.corerouter.core.backend.NodeHealth;
import io.corerouter.core.backend.StaticNode;
import io.corerouter.core.backend.StaticNodes;
import io.corerouter.core.error.ErrorKind;
import io.corerouter.core.observe.AccessLog;
import io.corerouter.core.observe.Http2Counters;
import io.corerouter.core.observe.LatencyHistogram;
import io.corerouter.core.observe.ListenerCounters;
import io.corerouter.core.observe.NodeTimers;
import io.corerouter.core.observe.RouterObserver;
import io.corerouter.core.observe.StatusClass;
import io.corerouter.core.pool.NodePools;
import io.corerouter.core.server.RouterRuntime;
import io.corerouter.ssl.TlsService;
import io.corerouter.ssl.TlsStats;
import io.corerouter.subscription.table.SubscriptionCounters;
import io.corerouter.subscription.table.SubscriptionNode;
import io.corerouter.subscription.table.SubscriptionSlot;
import io.corerouter.subscription.table.SubscriptionTable;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Every corerouter metric of the process as Prometheus snapshots (issue 12), built at scrape time from
 * the counters the routers keep anyway: {@link RouterObserver} (requests, bytes, errors, latency),
 * static nodes, node pools ({@link NodePools#snapshot()}), subscription tables, the TLS service and
 * the access logs. Nothing here runs on a request; the names and labels are listed in
 * docs/observability.md.
 */
final class RouterMetrics implements MultiCollector {
    /** What one running router offers to the metrics and the status page. */
    record RouterView(String kind, RouterRuntime runtime, SubscriptionTable table, AccessLog accessLog) {
    }

    private final Supplier<List<RouterView>> routers;
    private final Supplier<TlsService> tls;

    RouterMetrics(Supplier<List<RouterView>> routers, Supplier<TlsService> tls) {
        this.routers = routers;
        this.tls = tls;
    }

    @Override
    public MetricSnapshots collect() {
        Families f = new Families();
        for (RouterView view : routers.get()) {
            collectRouter(f, view);
        }
        TlsService service = tls.get();
        if (service != null) {
            TlsStats stats = service.stats();
            f.counter("corerouter_tls_handshakes", "completed TLS handshakes by kind (resumed: session id or ticket)",
                    stats.handshakes() - stats.resumedHandshakes(), "kind", "full");
            f.counter("corerouter_tls_handshakes", null, stats.resumedHandshakes(), "kind", "resumed");
            f.counter("corerouter_tls_handshake_failures", "failed TLS handshakes", stats.failedHandshakes());
            f.counter("corerouter_tls_sni_misses", "ClientHellos whose server name has no SNI entry (the listener's default certificate answered)",
                    service.sniMisses());
        }
        return f.build();
    }

    private static void collectHttp2(Families f, String r, String listener, Http2Counters h2) {
        f.gauge("corerouter_h2_connections", "HTTP/2 client connections open", h2.open(), "router", r, "listener", listener);
        f.counter("corerouter_h2_connections_accepted", "client connections that switched to HTTP/2", h2.connections(),
                "router", r, "listener", listener);
        f.counter("corerouter_h2_streams", "HTTP/2 streams opened by clients", h2.streams(), "router", r, "listener", listener);
        f.counter("corerouter_h2_streams_reset", "HTTP/2 streams reset by clients (RST_STREAM received)", h2.resets(),
                "router", r, "listener", listener);
        f.counter("corerouter_h2_streams_refused", "HTTP/2 streams refused over http2-max-concurrent-streams",
                h2.refused(), "router", r, "listener", listener);
        f.counter("corerouter_h2_goaways", "HTTP/2 GOAWAY frames sent (stops, idle connections, flood limits)",
                h2.goaways(), "router", r, "listener", listener);
    }

    private static void collectRouter(Families f, RouterView view) {
        String r = view.kind();
        RouterObserver o = view.runtime().observer();
        for (ListenerCounters l : o.listeners()) {
            for (StatusClass c : StatusClass.values()) {
                f.counter("corerouter_requests", "requests answered (connections for raw/ssl routers) by status class",
                        l.requests(c), "router", r, "listener", l.name(), "status_class", c.label());
            }
            f.counter("corerouter_connections_accepted", "client connections accepted", l.accepted(),
                    "router", r, "listener", l.name());
            f.gauge("corerouter_client_connections", "client connections open", l.open(),
                    "router", r, "listener", l.name());
            Http2Counters h2 = l.http2();
            if (h2 != null) {
                collectHttp2(f, r, l.name(), h2);
            }
        }
        f.counter("corerouter_received_bytes", "bytes read from clients (TLS records included)", o.bytesIn(), "router", r);
        f.counter("corerouter_sent_bytes", "bytes written to clients (TLS records included)", o.bytesOut(), "router", r);
        for (ErrorKind kind : ErrorKind.values()) {
            f.counter("corerouter_errors", "requests the router answered with an error, by kind", o.errors(kind),
                    "router", r, "kind", kind.name().toLowerCase(Locale.ROOT));
        }
        f.histogram("corerouter_response_head_seconds", "time from the request head to the response head",
                o.timers().head(), "router", r);
        f.histogram("corerouter_request_duration_seconds", "time from the request head to the last response byte",
                o.timers().total(), "router", r);
        o.forEachNode((node, timers) -> collectNodeTimers(f, r, node, timers));
        collectStaticNodes(f, r, view.runtime().staticNodes(), view.runtime().fallbacks());
        collectPools(f, r, view.runtime().nodePools());
        if (view.table() != null) {
            collectSubscriptions(f, r, view.table());
        }
        AccessLog log = view.accessLog();
        if (log != null) {
            f.counter("corerouter_access_log_lines", "access log lines written", log.written(), "router", r);
            f.counter("corerouter_access_log_dropped", "access log lines dropped because the queue was full",
                    log.dropped(), "router", r);
            f.gauge("corerouter_access_log_queued", "access log lines waiting for the writer", log.queued(), "router", r);
            f.counter("corerouter_access_log_reopens", "access log reopens (SIGUSR1)", log.reopens(), "router", r);
        }
    }

    private static void collectNodeTimers(Families f, String r, String node, NodeTimers timers) {
        f.counter("corerouter_node_requests", "requests a node answered (or failed)", timers.requests(),
                "router", r, "node", node);
        f.counter("corerouter_node_errors", "requests of a node answered with 5xx or not at all", timers.errors(),
                "router", r, "node", node);
        f.histogram("corerouter_node_response_head_seconds", "time from the request head to the response head, per node",
                timers.head(), "router", r, "node", node);
        f.histogram("corerouter_node_request_duration_seconds", "time from the request head to the last response byte, "
                + "per node", timers.total(), "router", r, "node", node);
    }

    private static void collectStaticNodes(Families f, String r, StaticNodes nodes, List<StaticNode> fallbacks) {
        if (nodes != null) {
            for (StaticNode node : nodes.nodes()) {
                collectStaticNode(f, r, node, "static");
            }
        }
        for (StaticNode node : fallbacks) {
            collectStaticNode(f, r, node, "fallback");
        }
    }

    private static void collectStaticNode(Families f, String r, StaticNode node, String source) {
        NodeHealth health = node.health();
        NodeHealth.State state = health.state();
        f.gauge("corerouter_node_up", "1 while a node may be picked, 0 while it is failed (a connect or request "
                + "failure, until the gracetime passes) or down (health checks)",
                state == NodeHealth.State.UP ? 1 : 0, "router", r, "node", node.name(), "source", source);
        for (NodeHealth.State s : NodeHealth.State.values()) {
            f.gauge("corerouter_node_state", "the state of a static or fallback node: up, failed or down",
                    s == state ? 1 : 0, "router", r, "node", node.name(), "state", s.text());
        }
        f.counter("corerouter_node_connects", "successful connects to a node", node.hits(),
                "router", r, "node", node.name(), "source", source);
        f.counter("corerouter_node_connect_failures", "failed connects to a node (each marks it failed, and the "
                + "request is retried on another node)", node.failures(), "router", r, "node", node.name(), "source", source);
        f.counter("corerouter_node_check_failures", "failed health checks (--R-check-interval)", health.checkFailures(),
                "router", r, "node", node.name());
        f.counter("corerouter_node_downs", "times health checks took a node out of rotation", health.downs(),
                "router", r, "node", node.name());
    }

    private static void collectPools(Families f, String r, NodePools pools) {
        for (NodePools.Stats p : pools.snapshot()) {
            f.gauge("corerouter_pool_connections", "persistent node connections by state", p.open() - p.idle(),
                    "router", r, "node", p.name(), "state", "busy");
            f.gauge("corerouter_pool_connections", null, p.idle(), "router", r, "node", p.name(), "state", "idle");
            f.gauge("corerouter_pool_max_connections", "cap of persistent connections to a node", p.maxConnections(),
                    "router", r, "node", p.name());
            f.gauge("corerouter_pool_waiting", "requests waiting for a pooled connection", p.waiting(),
                    "router", r, "node", p.name());
            f.counter("corerouter_pool_created", "pooled connections opened", p.created(), "router", r, "node", p.name());
            f.counter("corerouter_pool_reused", "requests sent on a kept connection", p.reused(), "router", r, "node", p.name());
            f.counter("corerouter_pool_stale_retries", "requests sent again after a kept connection turned out closed",
                    p.staleRetries(), "router", r, "node", p.name());
            f.counter("corerouter_pool_wait_timeouts", "requests that waited too long for a pooled connection",
                    p.waitTimeouts(), "router", r, "node", p.name());
            f.counter("corerouter_pool_dropped", "pooled connections closed as broken or surplus", p.dropped(),
                    "router", r, "node", p.name());
        }
    }

    private static void collectSubscriptions(Families f, String r, SubscriptionTable table) {
        List<SubscriptionSlot> slots = table.slots();
        long nodes = 0;
        for (SubscriptionSlot slot : slots) {
            for (SubscriptionNode node : slot.nodes()) {
                nodes++;
                String[] labels = {"router", r, "node", node.name(), "source", "subscription", "key", slot.key()};
                f.gauge("corerouter_node_up", null, node.isDead() ? 0 : 1, labels);
                f.counter("corerouter_node_connects", null, node.requests(), labels);
                f.counter("corerouter_node_connect_failures", null, node.failures(), labels);
            }
        }
        f.gauge("corerouter_subscription_keys", "keys in the subscription table", slots.size(), "router", r);
        f.gauge("corerouter_subscription_nodes", "nodes in the subscription table", nodes, "router", r);
        SubscriptionCounters c = table.counters();
        f.counter("corerouter_subscription_packets_received", "subscription datagrams read", c.receivedCount(), "router", r);
        String accepted = "subscription datagrams applied, by outcome";
        f.counter("corerouter_subscription_packets_accepted", accepted, c.newNodes(), "router", r, "outcome", "new_node");
        f.counter("corerouter_subscription_packets_accepted", null, c.refreshed(), "router", r, "outcome", "refreshed");
        f.counter("corerouter_subscription_packets_accepted", null, c.unsubscribed(), "router", r, "outcome", "unsubscribed");
        f.counter("corerouter_subscription_packets_accepted", null, c.unknownNodes(), "router", r, "outcome", "unknown_node");
        c.forEachDrop((drop, count) -> f.counter("corerouter_subscription_packets_rejected",
                "subscription datagrams dropped, by reason", count, "router", r, "reason", drop.statsName()));
    }

    /** The families of one scrape, in first-seen order; each metric's help is given on its first data point. */
    private static final class Families {
        private final Map<String, CounterSnapshot.Builder> counters = new LinkedHashMap<>();
        private final Map<String, GaugeSnapshot.Builder> gauges = new LinkedHashMap<>();
        private final Map<String, HistogramSnapshot.Builder> histograms = new LinkedHashMap<>();
        private final List<String> order = new ArrayList<>();

        void counter(String name, String help, long value, String... labels) {
            counters.computeIfAbsent(name, n -> {
                order.add(n);
                return CounterSnapshot.builder().name(n).help(help);
            }).dataPoint(CounterDataPointSnapshot.builder().value(value).labels(Labels.of(labels)).build());
        }

        void gauge(String name, String help, long value, String... labels) {
            gauges.computeIfAbsent(name, n -> {
                order.add(n);
                return GaugeSnapshot.builder().name(n).help(help);
            }).dataPoint(GaugeDataPointSnapshot.builder().value(value).labels(Labels.of(labels)).build());
        }

        void histogram(String name, String help, LatencyHistogram histogram, String... labels) {
            long[] counts = histogram.counts();
            double[] finite = LatencyHistogram.bounds();
            double[] bounds = new double[finite.length + 1];
            System.arraycopy(finite, 0, bounds, 0, finite.length);
            bounds[finite.length] = Double.POSITIVE_INFINITY;
            histograms.computeIfAbsent(name, n -> {
                order.add(n);
                return HistogramSnapshot.builder().name(n).help(help).unit(io.prometheus.metrics.model.snapshots.Unit.SECONDS);
            }).dataPoint(HistogramDataPointSnapshot.builder()
                    .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, counts))
                    .sum(histogram.sumSeconds())
                    .labels(Labels.of(labels))
                    .build());
        }

        MetricSnapshots build() {
            List<MetricSnapshot> all = new ArrayList<>();
            for (String name : order) {
                if (counters.containsKey(name)) {
                    all.add(counters.get(name).build());
                } else if (gauges.containsKey(name)) {
                    all.add(gauges.get(name).build());
                } else {
                    all.add(histograms.get(name).build());
                }
            }
            return new MetricSnapshots(all);
        }
    }
}
