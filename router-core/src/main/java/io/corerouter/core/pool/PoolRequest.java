package io.corerouter.core.pool;

import io.netty.util.concurrent.Future;

/**
 * One request's claim on a pooled connection, from {@link NodePools#acquire} until its
 * {@link LeaseCallback} was called: {@link #cancel()} it when the client goes away first. A cancelled
 * request that was connecting leaves its new connection to the next request (or idle).
 */
public final class PoolRequest {
    enum State { WAITING, CONNECTING, DONE, CANCELLED }

    final PoolUser user;
    final LeaseCallback callback;
    final long startNanos;
    State state = State.WAITING;
    Future<?> timer;
    LoopPool pool;

    PoolRequest(PoolUser user, LeaseCallback callback, long startNanos) {
        this.user = user;
        this.callback = callback;
        this.startNanos = startNanos;
    }

    /** Whether the request still waits or connects. */
    public boolean pending() {
        return state == State.WAITING || state == State.CONNECTING;
    }

    /** The requester went away: no callback follows. Call on the requester's event loop. */
    public void cancel() {
        if (state == State.WAITING && pool != null) {
            pool.removeWaiter(this);
        }
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        if (state != State.DONE) {
            state = State.CANCELLED;
        }
    }
}
