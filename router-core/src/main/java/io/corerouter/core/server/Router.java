package io.corerouter.core.server;

/**
 * A router of any kind (http, fastrouter, rawrouter, sslrouter), as the launcher and the services
 * around it (subscription servers, stats servers, cheap mode) see it: something that starts, runs on
 * a {@link RouterRuntime}, and closes.
 */
public interface Router extends AutoCloseable {
    /** Resolves nodes and binds the listeners. Blocking: call from the main thread. */
    void start() throws Exception;

    /** The runtime the router runs on (listeners, mapper, sessions); null before {@link #start()}. */
    RouterRuntime runtime();

    /** Stops accepting and lets the sessions in flight finish. */
    @Override
    void close();
}
