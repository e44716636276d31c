package io.corerouter.core.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LatencyHistogramTest {
    @Test
    void bucketsSumAndQuantiles() {
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 0; i < 90; i++) {
            h.observe(500_000); // 0.5 ms: first bucket
        }
        for (int i = 0; i < 10; i++) {
            h.observe(3_000_000_000L); // 3 s: the (2.5, 5] bucket
        }
        h.observe(60_000_000_000L); // a minute: +Inf
        long[] counts = h.counts();
        assertEquals(90, counts[0]);
        assertEquals(10, counts[11]);
        assertEquals(1, counts[counts.length - 1]);
        assertEquals(90 * 0.0005 + 30 + 60, h.sumSeconds(), 1e-9);
        double p50 = LatencyHistogram.quantile(0.5, counts);
        assertTrue(p50 > 0 && p50 <= 0.001, "p50 " + p50);
        double p95 = LatencyHistogram.quantile(0.95, counts);
        assertTrue(p95 > 2.5 && p95 <= 5, "p95 " + p95);
        assertEquals(10, LatencyHistogram.quantile(1, counts));
        assertTrue(Double.isNaN(LatencyHistogram.quantile(0.5, new LatencyHistogram().counts())));
    }

    @Test
    void statusClasses() {
        assertEquals(StatusClass.C2XX, StatusClass.of(204));
        assertEquals(StatusClass.C5XX, StatusClass.of(599));
        assertEquals(StatusClass.NONE, StatusClass.of(0));
        assertEquals(StatusClass.NONE, StatusClass.of(600));
    }
}
