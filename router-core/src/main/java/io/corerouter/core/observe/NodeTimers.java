package io.corerouter.core.observe;

import java.util.concurrent.atomic.LongAdder;

/**
 * The request counters and latency histograms of one node (or of a whole router): how many requests
 * it served, how many failed (5xx, or no response at all), the time to the response head and the
 * total time. Recorded by any event loop, read at scrape time.
 */
public final class NodeTimers {
    private final LatencyHistogram head = new LatencyHistogram();
    private final LatencyHistogram total = new LatencyHistogram();
    private final LongAdder requests = new LongAdder();
    private final LongAdder errors = new LongAdder();

    void record(int status, long headNanos, long totalNanos) {
        requests.increment();
        if (status >= 500 || status == 0) {
            errors.increment();
        }
        if (headNanos >= 0) {
            head.observe(headNanos);
        }
        total.observe(totalNanos);
    }

    /** From the request head read to the response head written (only requests that got one). */
    public LatencyHistogram head() {
        return head;
    }

    /** From the request head read to the last response byte written. */
    public LatencyHistogram total() {
        return total;
    }

    public long requests() {
        return requests.sum();
    }

    /** Requests answered with 5xx or not answered at all. */
    public long errors() {
        return errors.sum();
    }
}
