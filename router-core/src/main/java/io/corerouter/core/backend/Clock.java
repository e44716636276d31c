package io.corerouter.core.backend;

/** Time source for node health, replaceable in tests. */
public interface Clock {
    Clock SYSTEM = new Clock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public long epochSeconds() {
            return System.currentTimeMillis() / 1000;
        }
    };

    /** Monotonic time for intervals. */
    long nanoTime();

    /** Wall-clock unix time for stats. */
    long epochSeconds();
}
