package io.corerouter.core.log;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * At most one log line per interval for input anyone on the network can send (malformed
 * subscription datagrams, spec §2.1): a flood must not become a disk-filling log. The first event of
 * an interval is logged, with how many were suppressed since the previous line.
 *
 * <p>Thread-safe and allocation-free on the suppressed path: the message supplier is called only
 * for the lines that are written.
 */
public final class RateLimitedLog {
    private final Logger logger;
    private final Level level;
    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private final AtomicLong nextAllowed;
    private final AtomicLong suppressed = new AtomicLong();

    /**
     * @param intervalNanos minimum time between two lines
     * @param nanoTime      monotonic clock ({@code System::nanoTime} outside tests)
     */
    public RateLimitedLog(Logger logger, Level level, long intervalNanos, LongSupplier nanoTime) {
        this.logger = logger;
        this.level = level;
        this.intervalNanos = intervalNanos;
        this.nanoTime = nanoTime;
        this.nextAllowed = new AtomicLong(nanoTime.getAsLong());
    }

    /**
     * Logs {@code message} unless a line was written less than the interval ago.
     *
     * @return true if the line was written
     */
    public boolean log(Supplier<String> message) {
        long now = nanoTime.getAsLong();
        long next = nextAllowed.get();
        if (now - next < 0 || !nextAllowed.compareAndSet(next, now + intervalNanos)) {
            suppressed.incrementAndGet();
            return false;
        }
        long dropped = suppressed.getAndSet(0);
        if (logger.isLoggable(level)) {
            String text = message.get();
            logger.log(level, dropped == 0 ? text : text + " (" + dropped + " similar lines suppressed)");
        }
        return true;
    }
}
