package io.corerouter.subscription.table;

import io.corerouter.subscription.SubscriptionOptions;

/**
 * Chooses one available node of a key (spec §2.7, {@code --subscription-algo}); the chosen node has
 * one more reference. Lock-free: reads the slot's snapshot, advances atomics.
 */
enum Balancer {
    /**
     * Smooth weighted round robin over the precomputed cycle ({@link WrrSchedule}); dead entries are
     * skipped, so the remaining nodes keep their ratio.
     */
    WRR {
        @Override
        SubscriptionNode pick(SubscriptionSlot slot, long now) {
            SubscriptionNode[] cycle = slot.cycle();
            int n = cycle.length;
            for (int i = 0; i < n; i++) {
                SubscriptionNode node = cycle[(int) Long.remainderUnsigned(slot.nextCursor(), n)];
                if (node.tryAcquire(now)) {
                    return node;
                }
            }
            return null;
        }
    },
    /** Least reference count: fewest sessions in flight; then fewest requests since the last refresh; then list order. */
    LRC {
        @Override
        SubscriptionNode pick(SubscriptionSlot slot, long now) {
            return least(slot.all(), now, false);
        }
    },
    /** Weighted least reference count: fewest sessions in flight per unit of weight. */
    WLRC {
        @Override
        SubscriptionNode pick(SubscriptionSlot slot, long now) {
            return least(slot.all(), now, true);
        }
    };

    /** How many times a least-* pick is retried when its choice died in between. */
    private static final int ATTEMPTS = 3;

    abstract SubscriptionNode pick(SubscriptionSlot slot, long now);

    static Balancer of(SubscriptionOptions.Algo algo) {
        return switch (algo) {
            case WRR -> WRR;
            case LRC -> LRC;
            case WLRC -> WLRC;
        };
    }

    private static SubscriptionNode least(SubscriptionNode[] all, long now, boolean weighted) {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            SubscriptionNode best = null;
            double bestLoad = 0;
            long bestRecent = 0;
            for (SubscriptionNode node : all) {
                if (!node.isAvailable(now)) {
                    continue;
                }
                double load = weighted ? (double) node.references() / Math.max(1, node.weight()) : node.references();
                long recent = node.lastRequests();
                if (best == null || load < bestLoad || (load == bestLoad && recent < bestRecent)) {
                    best = node;
                    bestLoad = load;
                    bestRecent = recent;
                }
            }
            if (best == null) {
                return null;
            }
            if (best.tryAcquire(now)) {
                return best;
            }
        }
        return null;
    }
}
