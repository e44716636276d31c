package io.corerouter.subscription.table;

import io.corerouter.core.backend.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The INFO lines of table events (new key, new node, node marked failed), at most
 * {@value #LINES_PER_SECOND} a second (issue 15): anyone on the network can create keys, and a flood
 * of them must not become a flood of log lines. Past the budget, events are only counted, and one
 * summary line per {@value #SUMMARY_SECONDS} s says how many of each kind were not logged:
 * {@code http: subscription events not logged in the last 5 s: new_keys=41000 new_nodes=41000 failed_nodes=0}.
 *
 * <p>Thread-safe (nodes are marked failed on event loops too); the suppressed path allocates nothing.
 * {@link #flush} writes a pending summary; the table's sweep calls it every second.
 */
final class TableEventLog {
    /** Lines written per second before events are only counted. */
    static final int LINES_PER_SECOND = 5;
    /** Interval of the summary line. */
    static final long SUMMARY_SECONDS = 5;
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final long SUMMARY = TimeUnit.SECONDS.toNanos(SUMMARY_SECONDS);

    /** The kinds of lines, in summary order. */
    enum Event {
        NEW_KEY("new_keys"),
        NEW_NODE("new_nodes"),
        FAILED_NODE("failed_nodes");

        final String summaryName;

        Event(String summaryName) {
            this.summaryName = summaryName;
        }
    }

    private final Logger logger;
    private final String routerName;
    private final Clock clock;
    private final AtomicLong windowStart;
    private final AtomicLong windowLines = new AtomicLong();
    private final AtomicLong nextSummary;
    private final AtomicLongArray suppressed = new AtomicLongArray(Event.values().length);

    TableEventLog(Logger logger, String routerName, Clock clock) {
        this.logger = logger;
        this.routerName = routerName;
        this.clock = clock;
        long now = clock.nanoTime();
        this.windowStart = new AtomicLong(now);
        this.nextSummary = new AtomicLong(now + SUMMARY);
    }

    /** Logs the line of {@code event} if the second's budget allows, else counts it. */
    void log(Event event, Supplier<String> line) {
        long now = clock.nanoTime();
        long start = windowStart.get();
        if (now - start >= SECOND && windowStart.compareAndSet(start, now)) {
            windowLines.set(0);
        }
        if (windowLines.incrementAndGet() <= LINES_PER_SECOND) {
            if (logger.isLoggable(Level.INFO)) {
                logger.info(line.get());
            }
        } else {
            suppressed.incrementAndGet(event.ordinal());
        }
        flush(now);
    }

    /** Writes the summary line if its interval is over and events were not logged. */
    void flush(long now) {
        long next = nextSummary.get();
        if (now - next < 0 || !nextSummary.compareAndSet(next, now + SUMMARY)) {
            return;
        }
        long[] counts = new long[suppressed.length()];
        long total = 0;
        for (int i = 0; i < counts.length; i++) {
            counts[i] = suppressed.getAndSet(i, 0);
            total += counts[i];
        }
        if (total == 0 || !logger.isLoggable(Level.INFO)) {
            return;
        }
        StringBuilder text = new StringBuilder(routerName).append(": subscription events not logged in the last ")
                .append(SUMMARY_SECONDS).append(" s:");
        for (Event event : Event.values()) {
            text.append(' ').append(event.summaryName).append('=').append(counts[event.ordinal()]);
        }
        logger.info(text.toString());
    }

    /** Events counted and not yet summarised, for tests. */
    long suppressed(Event event) {
        return suppressed.get(event.ordinal());
    }
}
