package io.corerouter.http;

import io.corerouter.core.backend.BackendConnector;
import io.corerouter.core.backend.Clock;
import io.corerouter.core.backend.StaticNode;
import io.corerouter.core.backend.StaticNodes;
import io.corerouter.core.config.Endpoint;
import io.corerouter.core.config.HttpRouterConfig;
import io.corerouter.core.config.HttpsConfig;
import io.corerouter.core.config.TlsListener;
import io.corerouter.core.route.KeyMapper;
import io.corerouter.core.server.RouterServer;
import io.corerouter.core.transport.Transport;
import io.corerouter.ssl.TlsFront;
import io.corerouter.ssl.TlsService;
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
 * routes each request to a backend chosen by the active mapper. {@code --https} listeners run the
 * same pipeline behind TLS (spec §5), {@code --http-to-https} listeners answer with a redirect (§4.12).
 *
 * <p>Mapper precedence (spec §3.4): a mapper given by the caller (the subscription table), else the
 * static {@code --http-to} nodes, else none (every request is answered 503).
 */
public final class HttpRouter implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(HttpRouter.class.getName());

    private final HttpRouterConfig config;
    private final HttpsConfig https;
    private final TlsService tls;
    private final Transport transport;
    private final KeyMapper externalMapper;
    private final String serverName;
    private EventLoopGroup group;
    private RouterServer server;
    private StaticNodes staticNodes;

    /**
     * @param externalMapper the mapper that overrides static nodes (subscriptions), or null
     */
    public HttpRouter(HttpRouterConfig config, Transport transport, KeyMapper externalMapper, String serverName) {
        this(config, HttpsConfig.NONE, null, transport, externalMapper, serverName);
    }

    /**
     * An HTTP router with {@code --https} and {@code --http-to-https} listeners too (spec §5, §4.12).
     *
     * @param https the TLS and redirect listeners
     * @param tls   the process's TLS service; required when {@code https} has TLS listeners
     */
    public HttpRouter(HttpRouterConfig config, HttpsConfig https, TlsService tls, Transport transport,
                      KeyMapper externalMapper, String serverName) {
        if (!https.listeners().isEmpty() && tls == null) {
            throw new IllegalArgumentException("https listeners need a TlsService");
        }
        this.https = https;
        this.tls = tls;
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
        HttpRouterContext context = new HttpRouterContext(config, mapper, fallbacks, connector, serverName);
        server = new RouterServer("http router", transport, group);
        for (Endpoint listener : config.common().listeners()) {
            bindHttp(server, context, listener, null);
        }
        for (TlsListener listener : https.listeners()) {
            bindHttp(server, context, listener.endpoint(),
                    tls.front(HttpRouterConfig.KIND, listener, https.sessionContext()));
        }
        for (HttpsConfig.Redirect redirect : https.redirects()) {
            server.bind(redirect.endpoint().name(), redirect.endpoint().toSocketAddress(),
                    new HttpsRedirectInitializer(context, redirect.httpsPort()));
        }
    }

    /** Binds one http (front null) or https listener. */
    private void bindHttp(RouterServer server, HttpRouterContext context, Endpoint endpoint, TlsFront front)
            throws Exception {
        boolean secure = front != null;
        HttpRouterInitializer initializer =
                new HttpRouterInitializer(context, translator(endpoint.serverPort(), secure), front);
        Channel bound = server.bind(endpoint.name(), endpoint.toSocketAddress(), initializer);
        if (endpoint.kind() == Endpoint.Kind.TCP && endpoint.port() == 0
                && bound.localAddress() instanceof InetSocketAddress actual) {
            // port 0 asks the kernel for one: SERVER_PORT tells the port really bound
            initializer.translator(translator(Integer.toString(actual.getPort()), secure));
        }
    }

    private HttpToUwsgi translator(String serverPort, boolean secure) {
        return new HttpToUwsgi(serverPort, serverName, config.serverNameAsHttpHost(), config.vars(), secure,
                secure && https.exportCert());
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
