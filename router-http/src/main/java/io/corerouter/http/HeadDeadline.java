package io.corerouter.http;

import io.corerouter.core.timer.TimerWheel;

/**
 * The deadline for the next request head of one client connection: {@code --http-headers-timeout}
 * for the first head (the slowloris defence), the keepalive idle time for the ones after
 * (docs/http-hardening.md). {@link HttpSession} decides what a missed deadline means; this class only
 * keeps the timer. Between keepalive requests the same timer first tells the session that the
 * connection has gone quiet (so it can drop its request helpers), then waits for the deadline.
 *
 * <p>The timer is a timeout in the event loop's {@link TimerWheel}, made once per connection: a
 * keepalive connection re-arms it once per request without allocating, and it fires 0-0.5 s after
 * the deadline. Used only on the connection's event loop.
 */
final class HeadDeadline extends TimerWheel.Timeout {
    private final Runnable onExpired;
    private final Runnable onQuiet;
    /** When the awaited head is late, by the wheel's clock. */
    private long due;
    /** The timer is set for the quiet point before {@link #due}, not for the deadline itself. */
    private boolean quietFirst;

    /**
     * @param onExpired runs on the wheel's loop when an armed deadline passes (and the deadline is disarmed)
     * @param onQuiet   runs on the wheel's loop at the quiet point given to {@link #armNext}
     */
    HeadDeadline(TimerWheel wheel, Runnable onExpired, Runnable onQuiet) {
        super(wheel);
        this.onExpired = onExpired;
        this.onQuiet = onQuiet;
    }

    /** Sets the deadline of a connection's first head, {@code nanos} from now. */
    void armFirst(long nanos) {
        armNext(nanos, nanos);
    }

    /**
     * Sets the deadline of a keepalive connection's next head, {@code nanos} from now; if the connection
     * is still waiting {@code quietNanos} from now (less than {@code nanos}), the quiet callback runs.
     */
    void armNext(long nanos, long quietNanos) {
        long now = wheel().nanoTime();
        due = now + nanos;
        quietFirst = quietNanos < nanos;
        armAt(quietFirst ? now + quietNanos : due);
    }

    /** Disarms the deadline: a request head arrived. */
    void disarm() {
        quietFirst = false;
        cancel();
    }

    @Override
    protected void expired() {
        if (quietFirst) {
            quietFirst = false;
            armAt(due);
            onQuiet.run();
        } else {
            onExpired.run();
        }
    }
}
