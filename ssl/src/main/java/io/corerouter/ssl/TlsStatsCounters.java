package io.corerouter.ssl;

import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLSession;

/** Handshake counters shared by every TLS listener of the process (stats). */
final class TlsStatsCounters {
    private final LongAdder handshakes = new LongAdder();
    private final LongAdder failed = new LongAdder();

    void handshake(SSLSession session) {
        handshakes.increment();
    }

    void failedHandshake() {
        failed.increment();
    }

    long handshakes() {
        return handshakes.sum();
    }

    long failedHandshakes() {
        return failed.sum();
    }
}
