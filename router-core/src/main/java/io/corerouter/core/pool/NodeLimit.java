package io.corerouter.core.pool;

import io.corerouter.core.config.NodeProtocol;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What every event loop's pool of one node shares: the cap on open connections (all loops together,
 * since an open connection holds one of the node's workers), the count of requests waiting for a slot,
 * and the node's pool counters for stats. Touched only when a connection opens or closes, a request
 * starts or stops waiting, and once per request for the counters (striped adders): no lock.
 */
final class NodeLimit {
    final String name;
    final NodeProtocol protocol;
    /** The cap; a subscribed node's announced cores may change it. */
    volatile int cap;
    /** Open connections and connects in flight, every loop. */
    final AtomicInteger open = new AtomicInteger();
    /** Idle connections, every loop. */
    final AtomicInteger idle = new AtomicInteger();
    /** Requests waiting for a slot, every loop. */
    final AtomicInteger waiting = new AtomicInteger();
    final LongAdder created = new LongAdder();
    final LongAdder reused = new LongAdder();
    final LongAdder staleRetries = new LongAdder();
    final LongAdder waitTimeouts = new LongAdder();
    final LongAdder dropped = new LongAdder();
    /** Each loop's pool of this node, to wake one when a slot frees up. */
    final List<LoopPool> pools = new CopyOnWriteArrayList<>();
    /** Loops that use this limit, or -1 once it is retired (a transient node's last pool emptied). */
    private final AtomicInteger users = new AtomicInteger();

    /** A loop starts using this limit; false if it was retired meanwhile (take the map's new one). */
    boolean join() {
        for (;;) {
            int now = users.get();
            if (now < 0) {
                return false;
            }
            if (users.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    /** A loop stops using this limit; true when it was the last and the limit is retired. */
    boolean leave() {
        return users.decrementAndGet() == 0 && users.compareAndSet(0, -1);
    }

    NodeLimit(String name, NodeProtocol protocol, int cap) {
        this.name = name;
        this.protocol = protocol;
        this.cap = cap;
    }

    /** Takes a slot for a new connection; false at the cap. */
    boolean tryOpen() {
        for (;;) {
            int now = open.get();
            if (now >= cap) {
                return false;
            }
            if (open.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    /** A connection closed (or a connect failed): its slot goes to a waiting request, on whichever loop. */
    void closed() {
        open.decrementAndGet();
        if (waiting.get() > 0) {
            for (LoopPool pool : pools) {
                if (pool.hasWaiters()) {
                    pool.wake();
                }
            }
        }
    }

    /**
     * {@code waiter} waits while other loops hold idle connections: those holding more connections than
     * it does close one each, so the cap is shared fairly between the loops (a loop never gives up its
     * connections to one that holds as many: that would only move connections back and forth).
     */
    void shedIdleElsewhere(LoopPool waiter) {
        if (idle.get() == 0) {
            return;
        }
        for (LoopPool pool : pools) {
            if (pool != waiter && pool.hasIdle() && pool.openHere() > waiter.openHere()) {
                pool.shedOneIdle();
            }
        }
    }

    /** Whether a loop other than {@code self} waits for a slot while holding fewer connections than {@code self}. */
    boolean starvedElsewhere(LoopPool self) {
        int mine = self.openHere();
        for (LoopPool pool : pools) {
            if (pool != self && pool.hasWaiters() && pool.openHere() < mine) {
                return true;
            }
        }
        return false;
    }
}
