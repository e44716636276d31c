package io.corerouter.http;

import io.corerouter.core.backend.BackendConnector;
import io.corerouter.core.backend.Clock;
import io.corerouter.core.backend.StaticNode;
import io.corerouter.core.backend.StaticNodes;
import io.corerouter.core.config.Endpoint;
import io.corerouter.core.config.HttpRouterConfig;
import io.corerouter.core.route.KeyMapper;
import io.corerouter.core.server.RouterServer;
import io.corerouter.core.transport.Transport;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The HTTP router (spec §4): binds every {@code --http} listener on its own event-loop group and
 * routes each request to a backend chosen by the active mapper.
 *
 * <p>Mapper precedence (spec §3.4): a mapper given by the caller (the subscription table), else the
 * static {@code --http-to} nodes, else none (every request is answered 503).
 */
public final class HttpRouter implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(HttpRouter.class.getName());

    private final HttpRouterConfig config;
    private final Transport transport;
    private final KeyMapper externalMapper;
    private final String serverName;
    private EventLoopGroup group;
    private RouterServer server;
    private StaticNodes staticNodes;
    private HttpRouterContext context;

    /**
     * @param externalMapper the mapper that overrides static nodes (subscriptions), or null
     */
    public HttpRouter(HttpRouterConfig config, Transport transport, KeyMapper externalMapper, String serverName) {
        this.config = config;
        this.transport = transport;
        this.externalMapper = externalMapper;
        this.serverName = serverName;
    }

    /**
     * Resolves backend addresses and binds the listeners. Blocking: call from the main thread.
     */
    public void start() throws Exception {
        List<StaticNode> to = resolve(config.common().to());
        List<StaticNode> fallbacks = resolve(config.common().fallback());
        KeyMapper mapper = externalMapper;
        if (mapper == null && !to.isEmpty()) {
            staticNodes = new StaticNodes(to, config.common().gracetime(), Clock.SYSTEM);
            mapper = staticNodes;
        }
        if (mapper == null) {
            LOG.warning("http router has no backend (give --http-to): every request will be answered 503");
            mapper = key -> null;
        }
        group = transport.newGroup(config.common().processes(), "http");
        BackendConnector connector = new BackendConnector(transport, config.common().timeouts().connect());
        context = new HttpRouterContext(config, mapper, fallbacks, connector, serverName);
        server = new RouterServer("http router", transport, group);
        if (config.common().cheap() && externalMapper != null) {
            // cheap mode (spec §3.9): clients wait in the backlog until a node subscribes
            server.setAccepting(false);
        }
        for (Endpoint listener : config.common().listeners()) {
            HttpToUwsgi translator = new HttpToUwsgi(listener.serverPort(), serverName,
                    config.serverNameAsHttpHost(), config.vars(), false);
            server.bind(listener.name(), listener.toSocketAddress(), new HttpRouterInitializer(context, translator));
        }
    }

    private static List<StaticNode> resolve(List<Endpoint> endpoints) throws Exception {
        List<StaticNode> nodes = new ArrayList<>(endpoints.size());
        for (Endpoint endpoint : endpoints) {
            SocketAddress address = endpoint.toSocketAddress();
            nodes.add(new StaticNode(endpoint.name(), address, Clock.SYSTEM));
        }
        return nodes;
    }

    /** The bound listening channels (their local addresses give the real ports). */
    public List<Channel> listeners() {
        return server == null ? List.of() : server.listeners();
    }

    /** Client connections open now (stats {@code active_sessions}). */
    public long activeSessions() {
        return context == null ? 0 : context.activeSessions().sum();
    }

    /** Pauses or resumes accepting connections (cheap mode, spec §3.9); thread-safe. */
    public void setAccepting(boolean accepting) {
        if (server != null) {
            server.setAccepting(accepting);
        }
    }

    /** Whether the listeners accept connections now. */
    public boolean isAccepting() {
        return server != null && server.isAccepting();
    }

    /** The listener names as configured, for stats. */
    public List<String> socketNames() {
        return config.common().listeners().stream().map(Endpoint::name).toList();
    }

    /**
     * This router's address as a node of another router (re-subscription, spec §2.11): the first
     * listener's name as configured, or its bound address when port 0 was asked; null before start.
     */
    public String firstListenerName() {
        List<Channel> bound = listeners();
        if (bound.isEmpty()) {
            return null;
        }
        Endpoint first = config.common().listeners().get(0);
        if (first.kind() == Endpoint.Kind.TCP && first.port() == 0
                && bound.get(0).localAddress() instanceof InetSocketAddress address) {
            String host = first.host().isEmpty() ? "" : address.getAddress().getHostAddress();
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
        }
        return first.name();
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
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS)
                    .awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
    }
}
