package io.corerouter.core.pool;

/** The outcome of {@link NodePools#acquire}: exactly one method is called, on the requester's event loop. */
public interface LeaseCallback {
    /** A connection is the requester's now (idle and reused, or just connected: {@link PooledConnection#reused()}). */
    void leased(PooledConnection connection);

    /** A new connection to the node could not be made (the slot it would have used is free again). */
    void connectFailed(Throwable cause);

    /** Every connection the node may have stayed busy for {@code --R-pool-wait}. */
    void waitTimedOut(long waitedMillis);
}
