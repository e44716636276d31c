package io.corerouter.ssl.router;

import io.corerouter.core.config.Endpoint;
import io.corerouter.core.route.KeyMapper;
import io.corerouter.core.server.Router;
import io.corerouter.core.server.RouterRuntime;
import io.corerouter.core.transport.Transport;
import io.corerouter.ssl.TlsFront;
import io.corerouter.ssl.TlsListener;
import io.corerouter.ssl.TlsService;
import java.util.ArrayList;
import java.util.List;

/**
 * The sslrouter (spec §5.5, §5.6): terminates TLS on every {@code --sslrouter} listener and relays
 * the plaintext, byte for byte, to a node chosen by the listener's socket name, or by the SNI name
 * with {@code --sslrouter-sni}. The node is connected as soon as the handshake completes, so
 * protocols where the server speaks first work (deviations.md; uWSGI waits for a client byte).
 *
 * <p>Mapper precedence (spec §3.4): a mapper given by the caller (the subscription table, wired by
 * {@code --sslrouter-subscription-server}), else the static {@code --sslrouter-to} nodes, else none
 * (every connection is closed after its handshake).
 */
public final class SslRouter implements Router {
    private final SslRouterConfig config;
    private final Transport transport;
    private final TlsService tls;
    private final KeyMapper externalMapper;
    private RouterRuntime runtime;

    /**
     * @param tls            the process's TLS service (contexts, SNI, sessions)
     * @param externalMapper the mapper that overrides static nodes (subscriptions), or null
     */
    public SslRouter(SslRouterConfig config, Transport transport, TlsService tls, KeyMapper externalMapper) {
        this.config = config;
        this.transport = transport;
        this.tls = tls;
        this.externalMapper = externalMapper;
    }

    /** Builds the listeners' contexts, resolves nodes and binds. Blocking: call from the main thread. */
    @Override
    public void start() throws Exception {
        List<TlsFront> fronts = new ArrayList<>();
        for (TlsListener listener : config.listeners()) {
            fronts.add(tls.front(SslRouterConfig.KIND, listener, config.sessionContext()));
        }
        runtime = new RouterRuntime(SslRouterConfig.KIND, config.common(), transport, externalMapper,
                config.common().timeouts().connect());
        SslRouterContext context = new SslRouterContext(config, runtime.mapper(), runtime.fallbacks(),
                runtime.connector());
        for (int i = 0; i < config.listeners().size(); i++) {
            Endpoint endpoint = config.listeners().get(i).endpoint();
            runtime.bind(endpoint, new SslRouterInitializer(context, fronts.get(i), endpoint.name()));
        }
    }

    @Override
    public RouterRuntime runtime() {
        return runtime;
    }
}
