package io.corerouter.core.pool;

/**
 * The session that holds a {@link PooledConnection}: it gets what the connection reads and the events
 * of its channel while it holds the lease, never after {@link PooledConnection#release} or
 * {@link PooledConnection#discard}. Called on the connection's event loop, which is the session's.
 */
public interface PoolUser {
    /** A decoded message of the node's response (an {@code HttpResponse} or {@code HttpContent}); the user owns it. */
    void poolRead(PooledConnection connection, Object msg);

    /** The node's read batch ended. */
    void poolReadComplete(PooledConnection connection);

    /** The node channel became writable or not. */
    void poolWritabilityChanged(PooledConnection connection);

    /** The node closed the connection while leased. */
    void poolInactive(PooledConnection connection);

    /** The node channel failed (it is closed next, and {@link #poolInactive} follows). */
    void poolError(PooledConnection connection, Throwable cause);
}
