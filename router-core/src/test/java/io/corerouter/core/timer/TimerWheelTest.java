package io.corerouter.core.timer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The wheel on an embedded loop with a frozen clock: time moves only by {@link #advance}. */
class TimerWheelTest {
    private static final long TICK = TimerWheel.DEFAULT_TICK_NANOS;

    private EmbeddedChannel channel;
    private TimerWheel wheel;
    private final List<String> fired = new ArrayList<>();

    @BeforeEach
    void setUp() {
        channel = new EmbeddedChannel();
        channel.freezeTime();
        wheel = new TimerWheel(channel.eventLoop(), TICK);
    }

    @AfterEach
    void tearDown() {
        channel.finishAndReleaseAll();
    }

    private TimerWheel.Timeout timeout(String name) {
        return new TimerWheel.Timeout(wheel) {
            @Override
            protected void expired() {
                fired.add(name);
            }
        };
    }

    private void advance(long millis) {
        channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
    }

    @Test
    void firesOnTheFirstSweepAtOrAfterTheDeadlineNeverBefore() {
        TimerWheel.Timeout t = timeout("a");
        t.arm(TimeUnit.MILLISECONDS.toNanos(1200));
        advance(1000);
        assertEquals(List.of(), fired);
        advance(199);
        assertEquals(List.of(), fired, "before the deadline");
        advance(301); // 1.5 s: the sweep after the deadline
        assertEquals(List.of("a"), fired);
        assertFalse(t.armed());
        assertEquals(0, wheel.size());
    }

    @Test
    void aDeadlineMovedLaterStaysInItsBucketAndFiresAtTheNewDeadline() {
        TimerWheel.Timeout t = timeout("a");
        t.arm(TimeUnit.SECONDS.toNanos(1));
        advance(500);
        t.arm(TimeUnit.SECONDS.toNanos(2)); // due at 2.5 s now
        advance(1000);
        assertEquals(List.of(), fired, "the old deadline passed, the new one did not");
        assertTrue(t.armed());
        advance(1000);
        assertEquals(List.of("a"), fired);
    }

    @Test
    void aDeadlineMovedEarlierFiresEarlier() {
        TimerWheel.Timeout t = timeout("a");
        t.arm(TimeUnit.SECONDS.toNanos(30));
        t.arm(TimeUnit.SECONDS.toNanos(1));
        advance(1000);
        assertEquals(List.of("a"), fired);
        assertEquals(0, wheel.size());
    }

    @Test
    void aCancelledTimeoutNeverFiresAndAnEmptyWheelStopsSweeping() {
        TimerWheel.Timeout t = timeout("a");
        t.arm(TimeUnit.SECONDS.toNanos(1));
        advance(500); // the sweep task runs and schedules the next one while the wheel holds a timeout
        t.cancel();
        assertEquals(0, wheel.size());
        advance(5000);
        assertEquals(List.of(), fired);
        assertFalse(channel.hasPendingTasks(), "no sweep scheduled for an empty wheel");
    }

    @Test
    void deadlinesBeyondOneTurnWrapAround() {
        TimerWheel.Timeout far = timeout("far");
        TimerWheel.Timeout near = timeout("near");
        long turn = TimerWheel.SLOTS * TICK;
        far.arm(turn + TimeUnit.SECONDS.toNanos(3)); // same bucket as a deadline 3 s away
        near.arm(TimeUnit.SECONDS.toNanos(3));
        advance(3000);
        assertEquals(List.of("near"), fired);
        advance(TimeUnit.NANOSECONDS.toMillis(turn) - 500);
        assertEquals(List.of("near"), fired);
        advance(500);
        assertEquals(List.of("near", "far"), fired);
    }

    @Test
    void aLateSweepFiresEverythingDueAtOnce() {
        for (int i = 1; i <= 5; i++) {
            timeout("t" + i).arm(TimeUnit.SECONDS.toNanos(i));
        }
        advance(10_000); // the loop was busy: one sweep covers every bucket since the last
        assertEquals(List.of("t1", "t2", "t3", "t4", "t5"), fired.stream().sorted().toList());
        assertEquals(0, wheel.size());
    }

    @Test
    void callbacksMayCancelOrReArmTimeoutsDueInTheSameSweep() {
        TimerWheel.Timeout[] others = new TimerWheel.Timeout[2];
        TimerWheel.Timeout first = new TimerWheel.Timeout(wheel) {
            @Override
            protected void expired() {
                fired.add("first");
                if (fired.size() == 1) {
                    others[0].cancel();
                    others[1].arm(TimeUnit.SECONDS.toNanos(2));
                }
                arm(TimeUnit.SECONDS.toNanos(1)); // itself again
            }
        };
        others[0] = timeout("cancelled");
        others[1] = timeout("rearmed");
        // all due in the same bucket; the wheel files newest first, so "first" runs before the others
        others[0].arm(TimeUnit.MILLISECONDS.toNanos(400));
        others[1].arm(TimeUnit.MILLISECONDS.toNanos(400));
        first.arm(TimeUnit.MILLISECONDS.toNanos(400));
        advance(500);
        assertEquals(List.of("first"), fired);
        advance(1000);
        assertEquals(List.of("first", "first"), fired);
        advance(1000);
        assertEquals(List.of("first", "first", "first", "rearmed"), fired); // newest filed first
        first.cancel();
        assertEquals(0, wheel.size());
    }

    @Test
    void ofGivesOneWheelPerLoop() {
        TimerWheel a = TimerWheel.of(channel.eventLoop());
        assertTrue(a == TimerWheel.of(channel.eventLoop()));
        EmbeddedChannel other = new EmbeddedChannel();
        try {
            assertFalse(a == TimerWheel.of(other.eventLoop()));
        } finally {
            other.finishAndReleaseAll();
        }
    }
}
