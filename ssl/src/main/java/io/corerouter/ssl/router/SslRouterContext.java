package io.corerouter.ssl.router;

import io.corerouter.core.backend.BackendConnector;
import io.corerouter.core.backend.BackendNode;
import io.corerouter.core.backend.NodeSelector;
import io.corerouter.core.route.KeyMapper;
import java.util.List;

/** What every session of one sslrouter shares, read-only after start-up. */
record SslRouterContext(SslRouterConfig config, KeyMapper mapper, List<? extends BackendNode> fallbacks,
                        BackendConnector connector) {

    NodeSelector newSelector() {
        return new NodeSelector(mapper, fallbacks, config.maxRetries());
    }
}
