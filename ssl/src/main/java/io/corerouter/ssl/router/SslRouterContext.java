package io.corerouter.ssl.router;

import io.corerouter.core.backend.BackendConnector;
import io.corerouter.core.backend.NodeSelector;
import io.corerouter.core.server.RouterRuntime;

/**
 * What every session of one sslrouter shares, immutable; a reload (SIGHUP) makes a new one for the
 * connections accepted after it. The routes are read from the runtime when a session starts.
 */
record SslRouterContext(SslRouterConfig config, RouterRuntime runtime) {

    NodeSelector newSelector() {
        return new NodeSelector(runtime.routes(), config.maxRetries());
    }

    BackendConnector connector() {
        return runtime.connector();
    }
}
