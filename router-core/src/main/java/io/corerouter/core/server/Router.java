package io.corerouter.core.server;

import io.corerouter.core.backend.StaticNodes;
import io.netty.channel.Channel;
import java.util.List;

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

    /** The listening channels, bound and adopted from zerg servers (their local addresses give the real ports). */
    default List<Channel> listeners() {
        RouterRuntime runtime = runtime();
        return runtime == null ? List.of() : runtime.listeners();
    }

    /** The static nodes, or null when another mapper is active. */
    default StaticNodes staticNodes() {
        RouterRuntime runtime = runtime();
        return runtime == null ? null : runtime.staticNodes();
    }

    /** Stops accepting and lets the sessions in flight finish (up to {@link RouterRuntime#DEFAULT_DRAIN}). */
    @Override
    default void close() {
        RouterRuntime runtime = runtime();
        if (runtime != null) {
            runtime.close();
        }
    }
}
