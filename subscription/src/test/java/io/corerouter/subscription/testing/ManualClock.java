package io.corerouter.subscription.testing;

import io.corerouter.core.backend.Clock;
import java.time.Duration;

/** A clock tests move by hand: monotonic nanos and unix seconds advance together. */
public final class ManualClock implements Clock {
    private long nanos = 1_000_000_000L;
    private long epochSeconds = 1_800_000_000L;

    @Override
    public long nanoTime() {
        return nanos;
    }

    @Override
    public long epochSeconds() {
        return epochSeconds;
    }

    public void advance(Duration d) {
        nanos += d.toNanos();
        epochSeconds += d.toSeconds();
    }
}
