package io.corerouter.core.timer;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.Ticker;
import java.util.ArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One coarse timer wheel per event loop for the connection timeouts (idle, head/keep-alive): an array
 * of {@link #SLOTS} buckets, each an intrusive doubly linked list of {@link Timeout}s, swept by one
 * scheduled task per loop every {@link #DEFAULT_TICK_NANOS} (0.5 s) while it holds any timeout. A
 * connection's timeout is one small object made once; arming, moving and cancelling it allocate
 * nothing, and a deadline moved later (traffic, the next keep-alive request) is a field write: the
 * timeout stays in its bucket and the sweep re-files it for the rest. That replaces one or two Netty
 * {@code ScheduledFutureTask}s per connection (issue 14).
 *
 * <p>Precision: a timeout fires on the first sweep at or after its deadline, so between 0 and one
 * tick (0.5 s) late, plus the loop's own delay; never early. uWSGI's router timeouts are given in
 * seconds and checked about once a second, so this is as precise as the options it mirrors.
 *
 * <p>Deadlines further than {@code SLOTS} ticks away wrap around: a timeout met by a sweep before its
 * deadline goes back into the bucket its deadline maps to.
 *
 * <p>Threading: a wheel belongs to one event loop and is touched only from it; {@link #of} gives the
 * calling loop's wheel. It is kept in a thread-local, as Netty keeps its per-thread buffer caches:
 * it is loop infrastructure that no router owns, not shared state, and a test's embedded loops get
 * one each.
 */
public final class TimerWheel {
    /** Sweep period of the loops' wheels. */
    public static final long DEFAULT_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    /** Buckets per wheel (a power of two): with 0.5 s ticks, one turn is 64 s. */
    static final int SLOTS = 128;

    private static final Logger LOG = Logger.getLogger(TimerWheel.class.getName());
    private static final FastThreadLocal<TimerWheel> LOOP_WHEEL = new FastThreadLocal<>();

    private final EventExecutor loop;
    private final Ticker ticker;
    private final long tickNanos;
    private final long origin;
    private final Timeout[] slots = new Timeout[SLOTS];
    /** Timeouts found due by a sweep, fired once it is done with the buckets (reused). */
    private final ArrayList<Timeout> due = new ArrayList<>();
    /** Every tick up to this one has been swept (tick t ends at {@code origin + t * tickNanos}). */
    private long sweptTick;
    private int size;
    private ScheduledFuture<?> sweep;

    TimerWheel(EventExecutor loop, long tickNanos) {
        this.loop = loop;
        this.ticker = loop.ticker();
        this.tickNanos = tickNanos;
        this.origin = ticker.nanoTime();
    }

    /** The wheel of {@code loop}, which must be the calling thread's event loop. */
    public static TimerWheel of(EventExecutor loop) {
        assert loop.inEventLoop();
        TimerWheel wheel = LOOP_WHEEL.get();
        if (wheel == null || wheel.loop != loop) {
            wheel = new TimerWheel(loop, DEFAULT_TICK_NANOS);
            LOOP_WHEEL.set(wheel);
        }
        return wheel;
    }

    /** Now, by the loop's ticker (the clock deadlines are given in). */
    public long nanoTime() {
        return ticker.nanoTime();
    }

    /** How many timeouts are in the wheel. */
    int size() {
        return size;
    }

    /**
     * One connection's timer: at most one deadline at a time, {@link #expired} called on the loop once
     * the deadline passed. Made once per connection and reused for every deadline.
     */
    public abstract static class Timeout {
        private static final long UNLINKED = -1;
        private static final long DUE = -2;

        private final TimerWheel wheel;
        private Timeout prev;
        private Timeout next;
        /** The tick of the bucket this timeout is in, or {@link #UNLINKED} / {@link #DUE}. */
        private long tick = UNLINKED;
        private long deadline;

        protected Timeout(TimerWheel wheel) {
            this.wheel = wheel;
        }

        /** The wheel this timeout is filed in. */
        public final TimerWheel wheel() {
            return wheel;
        }

        /** The deadline passed: runs on the loop, the timeout is disarmed (arm it again to reuse it). */
        protected abstract void expired();

        /** Sets the deadline {@code nanos} from now (replacing any other). */
        public final void arm(long nanos) {
            armAt(wheel.nanoTime() + nanos);
        }

        /** Sets the deadline to {@code deadline} by {@link TimerWheel#nanoTime()} (replacing any other). */
        public final void armAt(long deadline) {
            this.deadline = deadline;
            long target = wheel.tickOf(deadline);
            if (tick >= 0) {
                if (tick <= target) {
                    return; // an earlier bucket: the sweep files it again for the rest
                }
                wheel.unlink(this);
            }
            wheel.link(this, target);
        }

        /** Whether a deadline is set. */
        public final boolean armed() {
            return tick >= 0;
        }

        /** The deadline set last (meaningful while {@link #armed}). */
        public final long deadline() {
            return deadline;
        }

        /** Disarms the timeout; nothing stays referenced by the wheel. */
        public final void cancel() {
            if (tick >= 0) {
                wheel.unlink(this);
            }
            tick = UNLINKED;
        }
    }

    /** The first tick whose sweep comes at or after {@code deadline}, and never one already swept. */
    private long tickOf(long deadline) {
        long fromOrigin = deadline - origin;
        long tick = fromOrigin <= 0 ? 0 : (fromOrigin + tickNanos - 1) / tickNanos;
        return Math.max(tick, sweptTick + 1);
    }

    private void link(Timeout t, long tick) {
        int slot = (int) (tick & (SLOTS - 1));
        Timeout head = slots[slot];
        t.prev = null;
        t.next = head;
        if (head != null) {
            head.prev = t;
        }
        slots[slot] = t;
        t.tick = tick;
        if (++size == 1 && sweep == null) {
            scheduleSweep();
        }
    }

    private void unlink(Timeout t) {
        if (t.prev != null) {
            t.prev.next = t.next;
        } else {
            slots[(int) (t.tick & (SLOTS - 1))] = t.next;
        }
        if (t.next != null) {
            t.next.prev = t.prev;
        }
        t.prev = null;
        t.next = null;
        t.tick = Timeout.UNLINKED;
        size--;
    }

    private void scheduleSweep() {
        long nextTickAt = origin + (sweptTick + 1) * tickNanos;
        long delay = Math.max(0, nextTickAt - ticker.nanoTime());
        sweep = loop.schedule(this::sweep, delay, TimeUnit.NANOSECONDS);
    }

    /** Sweeps every bucket whose tick has come, then fires what was due, then waits for the next tick. */
    void sweep() {
        // {@code sweep} stays set until the end: timeouts filed meanwhile schedule nothing of their own
        long now = ticker.nanoTime();
        long nowTick = (now - origin) / tickNanos;
        long last = Math.min(nowTick, sweptTick + SLOTS); // one turn covers every bucket
        for (long t = sweptTick + 1; t <= last; t++) {
            sweepSlot((int) (t & (SLOTS - 1)), now);
        }
        sweptTick = Math.max(sweptTick, nowTick);
        // callbacks run after the buckets are consistent: they may arm or cancel any timeout
        for (int i = 0; i < due.size(); i++) {
            Timeout t = due.get(i);
            if (t.tick == Timeout.DUE) { // not re-armed or cancelled by an earlier callback
                t.tick = Timeout.UNLINKED;
                try {
                    t.expired();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "timeout callback failed", e);
                }
            }
        }
        due.clear();
        sweep = null;
        if (size > 0) {
            scheduleSweep();
        }
    }

    private void sweepSlot(int slot, long now) {
        Timeout t = slots[slot];
        slots[slot] = null;
        while (t != null) {
            Timeout next = t.next;
            t.prev = null;
            t.next = null;
            size--;
            if (t.deadline - now <= 0) {
                t.tick = Timeout.DUE;
                due.add(t);
            } else {
                // moved later since it was filed, or a turn or more away: into its own bucket
                long fromOrigin = t.deadline - origin;
                link(t, Math.max((fromOrigin + tickNanos - 1) / tickNanos, (now - origin) / tickNanos + 1));
            }
            t = next;
        }
    }
}
