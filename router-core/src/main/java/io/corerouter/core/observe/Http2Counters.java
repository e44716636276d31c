package io.corerouter.core.observe;

import java.util.concurrent.atomic.LongAdder;

/**
 * The HTTP/2 counters of one listening socket (issue 11): connections that spoke h2 or h2c, and their
 * streams opened, reset by the client, refused (over the concurrent-stream limit) and the GOAWAY frames
 * sent. Made only for listeners where HTTP/2 is on ({@link ListenerCounters#enableHttp2()}).
 */
public final class Http2Counters {
    private final LongAdder open = new LongAdder();
    private final LongAdder connections = new LongAdder();
    private final LongAdder streams = new LongAdder();
    private final LongAdder resets = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder goaways = new LongAdder();

    Http2Counters() {
    }

    public void connectionOpened() {
        open.increment();
        connections.increment();
    }

    public void connectionClosed() {
        open.decrement();
    }

    public void streamOpened() {
        streams.increment();
    }

    public void streamReset() {
        resets.increment();
    }

    public void streamRefused() {
        refused.increment();
    }

    public void goAwaySent() {
        goaways.increment();
    }

    /** HTTP/2 connections open now. */
    public long open() {
        return open.sum();
    }

    /** Connections that switched to HTTP/2 since start. */
    public long connections() {
        return connections.sum();
    }

    /** Streams the clients opened. */
    public long streams() {
        return streams.sum();
    }

    /** Streams the clients reset (RST_STREAM received). */
    public long resets() {
        return resets.sum();
    }

    /** Streams refused with RST_STREAM REFUSED_STREAM (over the concurrent-stream limit). */
    public long refused() {
        return refused.sum();
    }

    /** GOAWAY frames sent (graceful stops, idle connections, floods). */
    public long goaways() {
        return goaways.sum();
    }
}
