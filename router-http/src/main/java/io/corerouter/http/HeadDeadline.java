package io.corerouter.http;

import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The deadline for the next request head of one client connection: {@code --http-headers-timeout}
 * for the first head (the slowloris defence), the keepalive idle time for the ones after
 * (docs/http-hardening.md). {@link HttpSession} decides what a missed deadline means; this class only
 * keeps the timer.
 *
 * <p>A keepalive connection re-arms the deadline once per request, so the timer is not rescheduled
 * each time: a task already scheduled is kept when it fires no later than the new deadline, and on
 * firing early it schedules itself again for the rest. That is one scheduled task per deadline
 * period, not one per request. One instance per connection, used only on its event loop.
 */
final class HeadDeadline implements Runnable {
    private static final long NO_DEADLINE = Long.MIN_VALUE;

    private final EventExecutor loop;
    private final Runnable onExpired;
    private ScheduledFuture<?> timer;
    /** When {@code timer} is due, by the event loop's ticker. */
    private long timerDue;
    /** When the awaited head is late, by the event loop's ticker, or {@link #NO_DEADLINE}. */
    private long deadline = NO_DEADLINE;

    /** @param onExpired runs on {@code loop} when an armed deadline passes (and the deadline is disarmed) */
    HeadDeadline(EventExecutor loop, Runnable onExpired) {
        this.loop = loop;
        this.onExpired = onExpired;
    }

    /** Sets the deadline {@code nanos} from now, keeping a scheduled timer that is not due later. */
    void arm(long nanos) {
        long now = loop.ticker().nanoTime();
        deadline = now + nanos;
        if (timer != null && timerDue - deadline > 0) {
            timer.cancel(false); // fires later than the new deadline
            timer = null;
        }
        if (timer == null) {
            timerDue = deadline;
            timer = loop.schedule(this, nanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Disarms the deadline; the scheduled task, if any, stays and finds nothing to do. */
    void disarm() {
        deadline = NO_DEADLINE;
    }

    /** Disarms the deadline and cancels the scheduled task: the connection is done with heads. */
    void cancel() {
        deadline = NO_DEADLINE;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** The timer fired: reschedules for the rest of a deadline moved since, or reports the expiry. */
    @Override
    public void run() {
        timer = null;
        if (deadline == NO_DEADLINE) {
            return;
        }
        long left = deadline - loop.ticker().nanoTime();
        if (left > 0) {
            // re-armed since this task was scheduled (the next keepalive request): wait for the rest
            timer = loop.schedule(this, left, TimeUnit.NANOSECONDS);
            return;
        }
        deadline = NO_DEADLINE;
        onExpired.run();
    }
}
