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
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
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
    private final Executor offload;
    private EventLoopGroup group;
    private RouterServer server;
    private StaticNodes staticNodes;

    /**
     * @param externalMapper the mapper that overrides static nodes (subscriptions), or null
     */
    public HttpRouter(HttpRouterConfig config, Transport transport, KeyMapper externalMapper, String serverName) {
        this(config, transport, externalMapper, serverName, ForkJoinPool.commonPool());
    }

    /**
     * @param externalMapper the mapper that overrides static nodes (subscriptions), or null
     * @param offload        runs the router's blocking work (temporary files of de-chunked request
     *                       bodies) off the event loops: the launcher's offload pool
     */
    public HttpRouter(HttpRouterConfig config, Transport transport, KeyMapper externalMapper, String serverName,
            Executor offload) {
        this.config = config;
        this.transport = transport;
        this.externalMapper = externalMapper;
        this.serverName = serverName;
        this.offload = offload;
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
        HttpRouterContext context = new HttpRouterContext(config, mapper, fallbacks, connector, serverName, offload);
        server = new RouterServer("http router", transport, group);
        for (Endpoint listener : config.common().listeners()) {
            HttpRouterInitializer initializer = new HttpRouterInitializer(context, translator(listener.serverPort(), false),
                    studTranslator(listener.serverPort()));
            Channel bound = server.bind(listener.name(), listener.toSocketAddress(), initializer);
            if (listener.kind() == Endpoint.Kind.TCP && listener.port() == 0
                    && bound.localAddress() instanceof InetSocketAddress actual) {
                // port 0 asks the kernel for one: SERVER_PORT tells the port really bound
                String port = Integer.toString(actual.getPort());
                initializer.translators(translator(port, false), studTranslator(port));
            }
        }
    }

    private HttpToUwsgi translator(String serverPort, boolean https) {
        return new HttpToUwsgi(serverPort, serverName, config.serverNameAsHttpHost(), config.vars(), https);
    }

    /** Connections behind stud arrive in plain text but were https (spec §4.11); null without stud peers. */
    private HttpToUwsgi studTranslator(String serverPort) {
        return config.features().studPrefixes().isEmpty() ? null : translator(serverPort, true);
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
