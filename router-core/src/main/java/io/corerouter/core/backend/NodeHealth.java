package io.corerouter.core.backend;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The health of one node (docs/health.md), the piece static nodes and, later, subscribed nodes share
 * instead of each keeping its own dead mark. A node is in one of three {@link State}s:
 *
 * <ul>
 *   <li>{@code up}: it gets traffic;</li>
 *   <li>{@code failed}: uWSGI's dead mark (spec §3.4 item 7), set by a failed connect or by
 *       {@code --R-error-limit} failed requests in a row; the static-node mapper skips the node until
 *       the gracetime has passed, then tries it again (the first pick after it clears the mark);</li>
 *   <li>{@code down}: {@code fall} active checks failed in a row ({@link HealthChecker}); the node gets
 *       no traffic at all, not after the gracetime, not as a fallback, until {@code rise} checks in a
 *       row pass.</li>
 * </ul>
 *
 * <p>Every change of state is logged once, one line: {@code http node=ADDR state=up->down reason="..."}
 * (with {@code --R-quiet}, which silences failed connects, the changes a failed connect causes are
 * logged at FINE only).
 *
 * <p>Threads: requests report from every event loop (the dead mark and the failure count are atomic;
 * a success writes nothing unless failures were counted). A node is checked by one check at a time
 * ({@link #beginCheck}), so the check counters have one writer; the {@code checking} flag's
 * set/clear orders one check's writes before the next one's reads.
 */
public final class NodeHealth {
    private static final Logger LOG = Logger.getLogger(NodeHealth.class.getName());
    /** Dead mark value meaning "not failed". */
    static final long ALIVE = Long.MIN_VALUE;
    private static final VarHandle FAILED_SINCE;

    static {
        try {
            FAILED_SINCE = MethodHandles.lookup().findVarHandle(NodeHealth.class, "failedSinceNanos", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** What the router does with the node now. */
    public enum State {
        UP, FAILED, DOWN;

        /** The name in logs and stats: {@code up}, {@code failed}, {@code down}. */
        public String text() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final String router;
    private final String node;
    private final Clock clock;
    private final int errorLimit;
    private final boolean quiet;
    private final AtomicInteger requestFails = new AtomicInteger();
    private final AtomicBoolean checking = new AtomicBoolean();
    @SuppressWarnings("unused") // through FAILED_SINCE
    private volatile long failedSinceNanos = ALIVE;
    private volatile long failedSinceEpochSeconds;
    /** The failed mark comes from a connect (quiet routers do not log its changes). */
    private volatile boolean failedByConnect;
    private volatile boolean down;
    private volatile String lastCheck = "none";
    private volatile long checkFailures;
    private volatile long downs;
    private volatile long lastChangeEpochSeconds;
    /** Check results in a row: passes while down, failures while up (one writer, see the class comment). */
    private int checksInRow;

    /**
     * @param router     the router's name for log lines ({@code http})
     * @param node       the node's name as configured
     * @param errorLimit failed requests in a row that mark the node failed, 0 = requests never do
     */
    public NodeHealth(String router, String node, int errorLimit, Clock clock) {
        this(router, node, errorLimit, false, clock);
    }

    /** @param quiet {@code --R-quiet}: the changes a failed connect causes are logged at FINE only */
    public NodeHealth(String router, String node, int errorLimit, boolean quiet, Clock clock) {
        this.router = router;
        this.node = node;
        this.errorLimit = errorLimit;
        this.quiet = quiet;
        this.clock = clock;
    }

    // ---------------------------------------------------------------- passive: what requests report

    /** A connect failed: the node is failed from now for the gracetime (uWSGI's dead mark). */
    public void connectFailed(String reason) {
        markFailed(reason, true);
    }

    /**
     * A request failed on the node before a complete response head (closed, reset, invalid head, timed
     * out): with {@code --R-error-limit N}, the N-th in a row marks the node failed.
     */
    public void requestFailed(String reason) {
        if (errorLimit == 0) {
            return;
        }
        int fails = requestFails.incrementAndGet();
        if (fails >= errorLimit) {
            requestFails.set(0);
            markFailed(fails + " failed requests in a row (--" + router + "-error-limit), last: " + reason, false);
        }
    }

    /** A request got its response head: the failures in a row start again. */
    public void requestSucceeded() {
        if (errorLimit != 0 && requestFails.get() != 0) {
            requestFails.set(0);
        }
    }

    private void markFailed(String reason, boolean byConnect) {
        long now = clock.nanoTime();
        failedSinceEpochSeconds = clock.epochSeconds();
        if (FAILED_SINCE.compareAndSet(this, ALIVE, now)) {
            failedByConnect = byConnect;
            changed(down ? State.DOWN : State.UP, State.FAILED, reason, byConnect);
        } else {
            FAILED_SINCE.setVolatile(this, now); // failed again: the gracetime starts again, as in uWSGI
        }
    }

    /**
     * True when the node may get a request at {@code nowNanos}: not down, and not failed within the
     * last {@code gracetimeNanos}. Clears an expired dead mark (the first pick after the gracetime tries
     * the node again).
     */
    boolean isAvailable(long nowNanos, long gracetimeNanos) {
        if (down) {
            return false;
        }
        long failed = (long) FAILED_SINCE.getVolatile(this);
        if (failed == ALIVE) {
            return true;
        }
        if (nowNanos - failed < gracetimeNanos) {
            return false;
        }
        if (FAILED_SINCE.compareAndSet(this, failed, ALIVE)) {
            failedSinceEpochSeconds = 0;
            changed(State.FAILED, State.UP, "gracetime over, trying it again", failedByConnect);
        }
        return true;
    }

    // ---------------------------------------------------------------- active: what checks report

    /** Starts a check unless one is still running; true when the caller must run it and call {@link #checkDone}. */
    boolean beginCheck() {
        return checking.compareAndSet(false, true);
    }

    /**
     * A check ended: {@code rise} passes in a row bring a down node up, {@code fall} failures in a row
     * take an up node down.
     *
     * @param detail what the check saw ({@code status 200}, {@code timeout after 1s}), for stats and logs
     */
    void checkDone(boolean passed, String detail, int rise, int fall) {
        try {
            lastCheck = passed ? "passed: " + detail : "failed: " + detail;
            if (!passed) {
                checkFailures++;
            }
            if (down == passed) {
                checksInRow++; // a result that counts toward changing the state
            } else {
                checksInRow = 0;
            }
            if (down && checksInRow >= rise) {
                checksInRow = 0;
                down = false;
                changed(State.DOWN, failedNow() ? State.FAILED : State.UP, rise + " passed checks in a row: " + detail, false);
            } else if (!down && checksInRow >= fall) {
                checksInRow = 0;
                down = true;
                downs++;
                changed(failedNow() ? State.FAILED : State.UP, State.DOWN, fall + " failed checks in a row: " + detail, false);
            }
        } finally {
            checking.set(false);
        }
    }

    private boolean failedNow() {
        return (long) FAILED_SINCE.getVolatile(this) != ALIVE;
    }

    private void changed(State from, State to, String reason, boolean byConnect) {
        lastChangeEpochSeconds = clock.epochSeconds();
        Level level = byConnect && quiet ? Level.FINE : to == State.UP ? Level.INFO : Level.WARNING;
        if (LOG.isLoggable(level)) {
            LOG.log(level, router + " node=" + node + " state=" + from.text() + "->" + to.text() + " reason=\"" + reason + "\"");
        }
    }

    // ---------------------------------------------------------------- what stats read

    /** The state now: down wins over failed (a failed mark can expire, a down node stays out). */
    public State state() {
        if (down) {
            return State.DOWN;
        }
        return failedNow() ? State.FAILED : State.UP;
    }

    /** Whether active checks hold the node out of rotation. */
    public boolean isDown() {
        return down;
    }

    /** Unix time the node was marked failed, 0 when not failed (stats {@code grace}). */
    public long failedSince() {
        return failedNow() ? failedSinceEpochSeconds : 0;
    }

    /** The last check's outcome ({@code passed: status 200}), {@code none} before the first. */
    public String lastCheck() {
        return lastCheck;
    }

    /** Failed checks since start. */
    public long checkFailures() {
        return checkFailures;
    }

    /** Times checks took the node down. */
    public long downs() {
        return downs;
    }

    /** Unix time of the last change of state, 0 if none. */
    public long lastChange() {
        return lastChangeEpochSeconds;
    }

    /** Failed requests in a row now (counted only with {@code --R-error-limit}). */
    public int requestFailsInRow() {
        return requestFails.get();
    }

    /** The node's name as configured. */
    public String node() {
        return node;
    }
}
