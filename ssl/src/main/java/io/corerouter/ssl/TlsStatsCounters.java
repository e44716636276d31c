package io.corerouter.ssl;

import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.internal.tcnative.SSL;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLEngine;

/** Handshake counters shared by every TLS listener of the process (stats). */
final class TlsStatsCounters {
    private final LongAdder handshakes = new LongAdder();
    private final LongAdder resumed = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder sniMisses = new LongAdder();

    /** A completed handshake; resumed ones (session id or ticket) are told apart with BoringSSL only. */
    void handshake(SSLEngine engine) {
        handshakes.increment();
        if (engine instanceof ReferenceCountedOpenSslEngine openSsl && SSL.isSessionReused(openSsl.sslPointer())) {
            resumed.increment();
        }
    }

    void failedHandshake() {
        failed.increment();
    }

    void sniMiss() {
        sniMisses.increment();
    }

    long sniMisses() {
        return sniMisses.sum();
    }

    long handshakes() {
        return handshakes.sum();
    }

    long resumedHandshakes() {
        return resumed.sum();
    }

    long failedHandshakes() {
        return failed.sum();
    }
}
