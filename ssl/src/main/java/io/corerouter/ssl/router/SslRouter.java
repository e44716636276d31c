package io.corerouter.ssl.router;

import io.corerouter.core.backend.BackendConnector;
import io.corerouter.core.backend.Clock;
import io.corerouter.core.backend.StaticNode;
import io.corerouter.core.backend.StaticNodes;
import io.corerouter.core.config.Endpoint;
import io.corerouter.core.config.SslRouterConfig;
import io.corerouter.core.config.TlsListener;
import io.corerouter.core.route.KeyMapper;
import io.corerouter.core.server.RouterServer;
import io.corerouter.core.transport.Transport;
import io.corerouter.ssl.TlsFront;
import io.corerouter.ssl.TlsService;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

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
public final class SslRouter implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SslRouter.class.getName());

    private final SslRouterConfig config;
    private final Transport transport;
    private final TlsService tls;
    private final KeyMapper externalMapper;
    private EventLoopGroup group;
    private RouterServer server;
    private StaticNodes staticNodes;

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
    public void start() throws Exception {
        List<StaticNode> to = resolve(config.common().to());
        List<StaticNode> fallbacks = resolve(config.common().fallback());
        KeyMapper mapper = externalMapper;
        if (mapper == null && !to.isEmpty()) {
            staticNodes = new StaticNodes(to, config.common().gracetime(), Clock.SYSTEM);
            mapper = staticNodes;
        }
        if (mapper == null) {
            LOG.warning("sslrouter has no backend (give --sslrouter-to): every connection will be closed");
            mapper = key -> null;
        }
        List<TlsFront> fronts = new ArrayList<>();
        for (TlsListener listener : config.listeners()) {
            fronts.add(tls.front(SslRouterConfig.KIND, listener, config.sessionContext()));
        }
        group = transport.newGroup(config.common().processes(), SslRouterConfig.KIND);
        BackendConnector connector = new BackendConnector(transport, config.common().timeouts().connect());
        SslRouterContext context = new SslRouterContext(config, mapper, List.copyOf(fallbacks), connector);
        server = new RouterServer("sslrouter", transport, group);
        for (int i = 0; i < config.listeners().size(); i++) {
            Endpoint endpoint = config.listeners().get(i).endpoint();
            server.bind(endpoint.name(), endpoint.toSocketAddress(),
                    new SslRouterInitializer(context, fronts.get(i), endpoint.name()));
        }
    }

    private static List<StaticNode> resolve(List<Endpoint> endpoints) throws Exception {
        List<StaticNode> nodes = new ArrayList<>(endpoints.size());
        for (Endpoint endpoint : endpoints) {
            nodes.add(new StaticNode(endpoint.name(), endpoint.toSocketAddress(), Clock.SYSTEM));
        }
        return nodes;
    }

    /** The bound listening channels (their local addresses give the real ports). */
    public List<Channel> listeners() {
        return server == null ? List.of() : server.listeners();
    }

    /** The static nodes, or null when another mapper is active. */
    public StaticNodes staticNodes() {
        return staticNodes;
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
    }
}
