package io.corerouter.core.observe;

import io.corerouter.core.error.ErrorKind;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;

/**
 * The request-path counters of one router (issue 12): connections and requests per listener and
 * status class, bytes in and out, errors by {@link ErrorKind}, latency histograms for the router and
 * per node, and the router's {@link AccessLog} when it has one. Owned by the router's runtime and read
 * by the Prometheus collectors and the status page at scrape time.
 *
 * <p>Everything the event loops touch is a {@link LongAdder} or a {@link LatencyHistogram}: no lock,
 * no allocation per request (a node's timers are made once, the first time the node answers).
 */
public final class RouterObserver {
    /** Most nodes timed one by one; nodes beyond (a subscription flood) count for the router only. */
    static final int MAX_TIMED_NODES = 1024;

    private final String router;
    private final List<ListenerCounters> listeners = new CopyOnWriteArrayList<>();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final LongAdder[] errors = new LongAdder[ErrorKind.values().length];
    private final NodeTimers timers = new NodeTimers();
    private final Map<String, NodeTimers> nodes = new ConcurrentHashMap<>();
    private volatile AccessLog accessLog;

    /** @param router the router kind ({@code http}, {@code fastrouter}...), the {@code router} label */
    public RouterObserver(String router) {
        this.router = router;
        for (int i = 0; i < errors.length; i++) {
            errors[i] = new LongAdder();
        }
    }

    public String router() {
        return router;
    }

    /** The counters of listener {@code name}, made at bind time. */
    public ListenerCounters listener(String name) {
        ListenerCounters counters = new ListenerCounters(name);
        listeners.add(counters);
        return counters;
    }

    /** Every listener's counters, in bind order. */
    public List<ListenerCounters> listeners() {
        return List.copyOf(listeners);
    }

    /** Writes this router's lines to {@code log} from now on (null: none). */
    public void accessLog(AccessLog log) {
        this.accessLog = log;
    }

    /** The access log, or null. */
    public AccessLog accessLog() {
        return accessLog;
    }

    void bytes(long in, long out) {
        if (in > 0) {
            bytesIn.add(in);
        }
        if (out > 0) {
            bytesOut.add(out);
        }
    }

    void error(ErrorKind kind) {
        errors[kind.ordinal()].increment();
    }

    /** Counts, times and logs a finished exchange. */
    void done(Exchange exchange, long now) {
        exchange.listener.request(exchange.status);
        long headNanos = exchange.head < 0 ? -1 : exchange.head - exchange.start;
        long totalNanos = now - exchange.start;
        timers.record(exchange.status, headNanos, totalNanos);
        if (exchange.node != null) {
            NodeTimers node = nodes.get(exchange.node);
            if (node == null && nodes.size() < MAX_TIMED_NODES) {
                node = nodes.computeIfAbsent(exchange.node, n -> new NodeTimers());
            }
            if (node != null) {
                node.record(exchange.status, headNanos, totalNanos);
            }
        }
        AccessLog log = accessLog;
        if (log != null) {
            log.log(exchange, totalNanos);
        }
    }

    /** Bytes read from clients (on the wire: TLS records included). */
    public long bytesIn() {
        return bytesIn.sum();
    }

    /** Bytes written to clients. */
    public long bytesOut() {
        return bytesOut.sum();
    }

    /** Errors answered of {@code kind}. */
    public long errors(ErrorKind kind) {
        return errors[kind.ordinal()].sum();
    }

    /** The router's own timers (every request, whatever its node). */
    public NodeTimers timers() {
        return timers;
    }

    /** Calls {@code each} with every node timed so far. */
    public void forEachNode(BiConsumer<String, NodeTimers> each) {
        nodes.forEach(each);
    }

    /** The timers of {@code node}, or null before it served a request. */
    public NodeTimers node(String node) {
        return nodes.get(node);
    }
}
