package io.corerouter.raw;

import io.corerouter.core.backend.BackendConnector;
import io.corerouter.core.backend.NodeSelector;
import io.corerouter.core.server.RouterRuntime;

/**
 * What every session of one rawrouter shares, immutable; a reload (SIGHUP) makes a new one for the
 * connections accepted after it. The routes are read from the runtime when a session starts.
 */
final class RawRouterContext {
    private final RawRouterConfig config;
    private final RouterRuntime runtime;
    private final boolean splice;

    RawRouterContext(RawRouterConfig config, RouterRuntime runtime) {
        this.config = config;
        this.runtime = runtime;
        this.splice = config.splice() && runtime.transport().isEpoll();
    }

    RawRouterConfig config() {
        return config;
    }

    NodeSelector newSelector() {
        return new NodeSelector(runtime.routes(), config.maxRetries());
    }

    BackendConnector connector() {
        return runtime.connector();
    }

    boolean quiet() {
        return config.common().quiet();
    }

    boolean xclient() {
        return config.xclient();
    }

    /** {@code --rawrouter-splice} and the epoll transport is in use. */
    boolean splice() {
        return splice;
    }
}
