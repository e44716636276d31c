package io.corerouter.http;

import io.corerouter.core.timer.TimerWheel;

/**
 * The deadline for the next request head of one client connection: {@code --http-headers-timeout}
 * for the first head (the slowloris defence), the keepalive idle time for the ones after
 * (docs/http-hardening.md). {@link HttpSession} decides what a missed deadline means; this class only
 * keeps the timer.
 *
 * <p>The timer is a timeout in the event loop's {@link TimerWheel}, made once per connection: a
 * keepalive connection re-arms it once per request without allocating, and it fires 0-0.5 s after
 * the deadline. Used only on the connection's event loop.
 */
final class HeadDeadline extends TimerWheel.Timeout {
    private final Runnable onExpired;

    /** @param onExpired runs on the wheel's loop when an armed deadline passes (and the deadline is disarmed) */
    HeadDeadline(TimerWheel wheel, Runnable onExpired) {
        super(wheel);
        this.onExpired = onExpired;
    }

    /** Disarms the deadline: a request head arrived. */
    void disarm() {
        cancel();
    }

    @Override
    protected void expired() {
        onExpired.run();
    }
}
