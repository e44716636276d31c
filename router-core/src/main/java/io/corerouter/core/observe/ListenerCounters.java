package io.corerouter.core.observe;

import java.util.concurrent.atomic.LongAdder;

/** The counters of one listening socket of a router: connections and requests by status class. */
public final class ListenerCounters {
    private final String name;
    private final LongAdder open = new LongAdder();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder[] requests = new LongAdder[StatusClass.values().length];
    private volatile Http2Counters http2;

    ListenerCounters(String name) {
        this.name = name;
        for (int i = 0; i < requests.length; i++) {
            requests[i] = new LongAdder();
        }
    }

    /** The socket name as configured ({@code :8080}). */
    public String name() {
        return name;
    }

    void opened() {
        open.increment();
        accepted.increment();
    }

    void closed() {
        open.decrement();
    }

    void request(int status) {
        requests[StatusClass.of(status).ordinal()].increment();
    }

    /** Turns on the HTTP/2 counters of this listener (a router with HTTP/2 on, before it serves). */
    public synchronized Http2Counters enableHttp2() {
        if (http2 == null) {
            http2 = new Http2Counters();
        }
        return http2;
    }

    /** The HTTP/2 counters, or null where HTTP/2 is off. */
    public Http2Counters http2() {
        return http2;
    }

    /** Client connections open now. */
    public long open() {
        return open.sum();
    }

    /** Client connections accepted since start. */
    public long accepted() {
        return accepted.sum();
    }

    /** Requests (connections for byte routers) finished with a status of class {@code c}. */
    public long requests(StatusClass c) {
        return requests[c.ordinal()].sum();
    }
}
