package io.corerouter.subscription.table;

/**
 * Smooth weighted round robin, computed once per change of a key's nodes (deviations.md: weights are
 * honoured exactly; uWSGI's integer division turns 3:2 into 1:1).
 *
 * <p>The schedule is nginx's smooth WRR run for one full cycle: each step adds every node's weight to
 * its current value, picks the largest (first on ties) and subtracts the total from it. Weights are
 * divided by their greatest common divisor first, so [2, 1] gives the cycle A B A, [3, 2] gives
 * A B A B A and [1, 3] gives B A B B. Lookups then only advance a shared cursor over the cycle, which
 * needs no lock. A cycle longer than {@value #MAX_LENGTH} is scaled down proportionally (each weight
 * keeps at least one slot), the only case where ratios are approximate.
 */
final class WrrSchedule {
    /** Longest cycle kept per key. */
    static final int MAX_LENGTH = 1024;
    private static final int[] NONE = {};
    private static final int[] ONE = {0};

    private WrrSchedule() {
    }

    /**
     * The cycle for these weights (each at least 1): indices into {@code weights}. Read-only: the
     * cycles of zero and one node are shared.
     */
    static int[] build(long[] weights) {
        int n = weights.length;
        if (n == 0) {
            return NONE;
        }
        if (n == 1) {
            return ONE;
        }
        long g = 0;
        for (long w : weights) {
            g = gcd(g, w);
        }
        long[] reduced = new long[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            reduced[i] = weights[i] / g;
            sum += reduced[i];
        }
        if (sum > MAX_LENGTH) {
            // leave room for the minimum of one slot per node
            double scale = (MAX_LENGTH - n) / sum;
            for (int i = 0; i < n; i++) {
                reduced[i] = 1 + (long) (reduced[i] * scale);
            }
        }
        long total = 0;
        for (long w : reduced) {
            total += w;
        }
        int[] cycle = new int[(int) total];
        long[] current = new long[n];
        for (int step = 0; step < cycle.length; step++) {
            int best = 0;
            for (int i = 0; i < n; i++) {
                current[i] += reduced[i];
                if (current[i] > current[best]) {
                    best = i;
                }
            }
            current[best] -= total;
            cycle[step] = best;
        }
        return cycle;
    }

    private static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }
}
