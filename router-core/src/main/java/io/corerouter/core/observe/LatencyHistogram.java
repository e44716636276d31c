package io.corerouter.core.observe;

import java.util.concurrent.atomic.LongAdder;

/**
 * A fixed-bucket latency histogram that any event loop records into without a lock or an allocation:
 * one {@link LongAdder} per bucket and one for the sum. Read at scrape time (Prometheus, the status
 * page), so a reader may see a count one request ahead of the sum; that is what a scrape of any
 * lock-free histogram sees.
 *
 * <p>The bounds (seconds) are Prometheus's default buckets plus 1 ms, wide enough for a router
 * whose own cost is microseconds and whose nodes take up to seconds.
 */
public final class LatencyHistogram {
    /** Upper bounds in seconds; the last bucket is +Inf. */
    private static final double[] BOUNDS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    private static final long[] BOUND_NANOS = new long[BOUNDS.length];

    static {
        for (int i = 0; i < BOUNDS.length; i++) {
            BOUND_NANOS[i] = (long) (BOUNDS[i] * 1e9);
        }
    }

    private final LongAdder[] buckets = new LongAdder[BOUNDS.length + 1];
    private final LongAdder sumNanos = new LongAdder();

    public LatencyHistogram() {
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new LongAdder();
        }
    }

    /** Records one duration; negative ones count as 0. */
    public void observe(long nanos) {
        long n = Math.max(0, nanos);
        int i = 0;
        while (i < BOUND_NANOS.length && n > BOUND_NANOS[i]) {
            i++;
        }
        buckets[i].increment();
        sumNanos.add(n);
    }

    /** The finite upper bounds in seconds, ascending (the +Inf bucket follows them). */
    public static double[] bounds() {
        return BOUNDS.clone();
    }

    /** The count of each bucket (not cumulative), the +Inf bucket last. */
    public long[] counts() {
        long[] counts = new long[buckets.length];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = buckets[i].sum();
        }
        return counts;
    }

    /** The sum of all durations in seconds. */
    public double sumSeconds() {
        return sumNanos.sum() / 1e9;
    }

    /**
     * The {@code q} quantile (0..1) of {@code counts} in seconds, linearly interpolated inside its
     * bucket as Prometheus's {@code histogram_quantile} does; NaN without observations. The +Inf bucket
     * answers with the highest finite bound.
     */
    public static double quantile(double q, long[] counts) {
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        if (total == 0) {
            return Double.NaN;
        }
        double rank = q * total;
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            if (seen + counts[i] >= rank && counts[i] > 0) {
                if (i == BOUNDS.length) {
                    return BOUNDS[BOUNDS.length - 1];
                }
                double lower = i == 0 ? 0 : BOUNDS[i - 1];
                return lower + (BOUNDS[i] - lower) * ((rank - seen) / counts[i]);
            }
            seen += counts[i];
        }
        return BOUNDS[BOUNDS.length - 1];
    }
}
