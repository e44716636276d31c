package io.corerouter.launcher;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * A diagnostic for tail latency (docs/performance.md, "Tail latency"), off unless the JVM runs with
 * {@code -Dcorerouter.loopLagProbe=true}: on every event loop of a router a task asks to run again 1 ms
 * later and measures how late it ran, which is how long that loop was busy (or descheduled) before it
 * could serve anything else. Every 10 s one line per loop: the largest lag and how many runs were
 * more than 1 and 5 ms late. Costs one task per loop per millisecond, so never on by default.
 */
final class LoopLagProbe implements Runnable {
    static final String PROPERTY = "corerouter.loopLagProbe";
    private static final Logger LOG = Logger.getLogger(LoopLagProbe.class.getName());
    private static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long REPORT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final String name;
    private final EventExecutor loop;
    private long due;
    private long reportAt;
    private long runs;
    private long maxLag;
    private long over1ms;
    private long over5ms;

    private LoopLagProbe(String name, EventExecutor loop) {
        this.name = name;
        this.loop = loop;
    }

    /** Starts a probe on every loop of {@code group} when the system property asks for it. */
    static void startIfAsked(String router, EventLoopGroup group) {
        if (!Boolean.getBoolean(PROPERTY)) {
            return;
        }
        int i = 0;
        for (EventExecutor loop : group) {
            LoopLagProbe probe = new LoopLagProbe(router + "/" + i++, loop);
            loop.execute(probe::start);
        }
    }

    private void start() {
        reportAt = System.nanoTime() + REPORT_NANOS;
        schedule(System.nanoTime());
    }

    private void schedule(long now) {
        due = now + PERIOD_NANOS;
        loop.schedule(this, PERIOD_NANOS, TimeUnit.NANOSECONDS);
    }

    @Override
    public void run() {
        long now = System.nanoTime();
        long lag = Math.max(0, now - due);
        runs++;
        maxLag = Math.max(maxLag, lag);
        if (lag > PERIOD_NANOS) {
            over1ms++;
            if (lag > 5 * PERIOD_NANOS) {
                over5ms++;
            }
        }
        if (now >= reportAt) {
            LOG.info(String.format("loop lag: loop=%s runs=%d max_ms=%.3f over_1ms=%d over_5ms=%d", name, runs,
                    maxLag / 1e6, over1ms, over5ms));
            runs = 0;
            maxLag = 0;
            over1ms = 0;
            over5ms = 0;
            reportAt = now + REPORT_NANOS;
        }
        if (!loop.isShuttingDown()) {
            schedule(now);
        }
    }
}
