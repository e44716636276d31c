package io.corerouter.core.server;

import io.corerouter.core.backend.BackendConnector;
import io.corerouter.core.backend.Clock;
import io.corerouter.core.backend.StaticNode;
import io.corerouter.core.backend.StaticNodes;
import io.corerouter.core.config.Endpoint;
import io.corerouter.core.config.RouterConfig;
import io.corerouter.core.config.RouterOptions;
import io.corerouter.core.observe.RouterObserver;
import io.corerouter.core.pool.NodePools;
import io.corerouter.core.route.KeyMapper;
import io.corerouter.core.route.PatternMapper;
import io.corerouter.core.transport.Transport;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * What every router kind runs on, built from its common options (spec §3): the event-loop group
 * ({@code --R-processes}), the active mapper (§3.4), the fallback nodes (§3.6), the backend connector,
 * and the listening sockets, bound ({@code --R ADDR}) or received from zerg servers ({@code --R-zerg},
 * §7). A router kind adds only its pipeline: {@link #serve} asks it for one initializer per socket.
 *
 * <p>Mapper precedence (spec §3.4, first configured wins): {@code --R-use-pattern}, the external
 * mapper (the subscription table), {@code --R-use-base}, the static {@code --R-to} nodes; with none,
 * every request finds no node.
 *
 * <p>Start-up is blocking (name resolution, binding, zerg attach): call from the main thread.
 */
public final class RouterRuntime implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RouterRuntime.class.getName());
    /** How long {@link #close()} lets the sessions in flight finish after the listeners closed. */
    public static final Duration DEFAULT_DRAIN = RouterConfig.DEFAULT_DRAIN;
    /** uWSGI waits this long for a zerg server (spec §7.3). */
    public static final Duration ZERG_TIMEOUT = Duration.ofSeconds(30);

    /**
     * {@code -Dcorerouter.observe=off} leaves the per-connection observation out of the pipelines (no
     * request metrics, no access log): only for measuring what it costs (bench/obs-compare.sh).
     */
    public static final String OBSERVE_PROPERTY = "corerouter.observe";

    private final String routerName;
    private final RouterOptions common;
    private final Transport transport;
    private final KeyMapper mapper;
    private final StaticNodes staticNodes;
    private final List<StaticNode> fallbacks;
    private final EventLoopGroup group;
    private final BackendConnector connector;
    private final NodePools nodePools;
    private final RouterServer server;
    private final RouterObserver observer;
    private final List<String> socketNames = new CopyOnWriteArrayList<>();
    private Duration drain = DEFAULT_DRAIN;

    /**
     * Resolves the static and fallback nodes, chooses the mapper and creates the event loops.
     *
     * @param routerName     for logs and thread names ({@code fastrouter})
     * @param externalMapper the subscription table, or null
     * @param connectTimeout how long a node connect may take
     */
    public RouterRuntime(String routerName, RouterOptions common, Transport transport, KeyMapper externalMapper,
            Duration connectTimeout) throws Exception {
        this.routerName = Objects.requireNonNull(routerName, "routerName");
        this.common = common;
        this.transport = transport;
        List<StaticNode> to = resolve(common.to());
        this.fallbacks = resolve(common.fallback());
        this.staticNodes = to.isEmpty() ? null : new StaticNodes(to, common.gracetime(), Clock.SYSTEM);
        this.mapper = chooseMapper(common, externalMapper, staticNodes);
        if (mapper == null) {
            LOG.warning(() -> routerName + " has no backend (give --" + common.kind() + "-to): every request finds no node");
        }
        RunAs.check(common);
        this.group = transport.newGroup(common.processes(), routerName, common.events());
        this.connector = new BackendConnector(transport, connectTimeout);
        this.nodePools = new NodePools(common.pools(), connector, NodePools.responseDecoderConfig());
        logPools(common);
        this.observer = new RouterObserver(common.kind());
        this.server = new RouterServer(routerName, transport, group).bufferSize(common.bufferSize());
        if (!"off".equals(System.getProperty(OBSERVE_PROPERTY))) {
            server.observer(observer);
        }
        if (common.cheap() && externalMapper != null) {
            // cheap mode (spec §3.9): clients wait in the backlog until a node subscribes
            server.setAccepting(false);
        }
    }

    /** One line per persistent node, with the cap it gets: the operator sees what the default means. */
    private void logPools(RouterOptions common) {
        List<Endpoint> all = new ArrayList<>(common.to());
        all.addAll(common.fallback());
        for (Endpoint node : all) {
            if (node.protocol().pooled()) {
                LOG.info(() -> routerName + " node " + node.name() + ": persistent connections, at most "
                        + common.pools().nodeConnections() + " (--" + common.kind() + "-node-connections; set it to the "
                        + "node's processes x threads), idle for " + common.pools().idleTimeout().toSeconds() + "s");
            }
        }
    }

    private static KeyMapper chooseMapper(RouterOptions common, KeyMapper external, StaticNodes staticNodes) {
        if (common.usePattern().isPresent()) {
            return PatternMapper.pattern(common.usePattern().get());
        }
        if (external != null) {
            return external;
        }
        if (common.useBase().isPresent()) {
            return PatternMapper.base(common.useBase().get());
        }
        return staticNodes;
    }

    private static List<StaticNode> resolve(List<Endpoint> endpoints) throws Exception {
        List<StaticNode> nodes = new ArrayList<>(endpoints.size());
        for (Endpoint endpoint : endpoints) {
            nodes.add(new StaticNode(endpoint.name(), endpoint.toSocketAddress(), endpoint.protocol(), Clock.SYSTEM));
        }
        return nodes;
    }

    /**
     * Binds every {@code --R} listener and attaches to every {@code --R-zerg} server, serving each
     * socket with the initializer {@code pipelines} makes for it. The endpoint passed names the socket
     * (as configured, or uWSGI's {@code getsockname()} text for zerg sockets, spec §3.2): routers derive
     * SERVER_PORT or the rawrouter key from it.
     */
    public void serve(Function<Endpoint, ChannelHandler> pipelines) throws Exception {
        for (Endpoint listener : common.listeners()) {
            bind(listener, pipelines.apply(listener));
        }
        for (String path : common.zerg()) {
            ZergSocket socket = ZergClient.attach(path, group, ZERG_TIMEOUT);
            Endpoint name = Endpoint.parseListener(socket.name());
            server.adopt(socket, pipelines.apply(name));
            socketNames.add(socket.name());
        }
    }

    /**
     * Binds one more listener of this router (an https or redirect listener of the HTTP router) on
     * the same event loops.
     */
    public Channel bind(Endpoint listener, ChannelHandler initializer) throws Exception {
        Channel channel = server.bind(listener.name(), listener.toSocketAddress(), initializer);
        socketNames.add(listener.name());
        return channel;
    }

    /** How long {@link #close()} waits for the sessions in flight (default {@link #DEFAULT_DRAIN}). */
    public RouterRuntime drain(Duration drain) {
        this.drain = drain;
        return this;
    }

    public String routerName() {
        return routerName;
    }

    public RouterOptions common() {
        return common;
    }

    public Transport transport() {
        return transport;
    }

    /** The active mapper; never null (a router without backend gets one that finds nothing). */
    public KeyMapper mapper() {
        return mapper != null ? mapper : key -> null;
    }

    /** The static nodes, or null when another mapper is active or none were given. */
    public StaticNodes staticNodes() {
        return staticNodes;
    }

    /** {@code --R-fallback} nodes, in the order they are tried. */
    public List<StaticNode> fallbacks() {
        return fallbacks;
    }

    public EventLoopGroup group() {
        return group;
    }

    public BackendConnector connector() {
        return connector;
    }

    /** The router's persistent connections to {@code puwsgi://} and {@code http://} nodes. */
    public NodePools nodePools() {
        return nodePools;
    }

    /** The router's request counters, latency histograms and access log (issue 12). */
    public RouterObserver observer() {
        return observer;
    }

    /** The listening channels, bound and adopted (their local addresses give the real ports). */
    public List<Channel> listeners() {
        return server.listeners();
    }

    /** Client connections currently open (stats {@code active_sessions}). */
    public int openSessions() {
        return server.openSessions();
    }

    /** Pauses or resumes accepting connections (cheap mode, spec §3.9); thread-safe. */
    public void setAccepting(boolean accepting) {
        server.setAccepting(accepting);
    }

    /** Whether the listeners accept connections now. */
    public boolean isAccepting() {
        return server.isAccepting();
    }

    /** The socket names for stats (spec §3.2): as configured, or uWSGI's getsockname() text for zerg. */
    public List<String> socketNames() {
        return List.copyOf(socketNames);
    }

    /**
     * This router's address as a node of another router (re-subscription, spec §2.11): the first
     * listener's name as configured, or its bound address when port 0 was asked (a node must be
     * reachable at the name); null before binding.
     */
    public String firstListenerName() {
        List<Channel> bound = server.listeners();
        if (bound.isEmpty()) {
            return null;
        }
        String name = socketNames.get(0);
        if (name.endsWith(":0") && bound.get(0).localAddress() instanceof InetSocketAddress inet) {
            String host = inet.getAddress().getHostAddress();
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + inet.getPort();
        }
        return name;
    }

    /**
     * Stops accepting and tells the sessions to finish their requests and close ({@link DrainEvent});
     * the returned future completes when they have. {@link #close()} then waits for it up to the drain
     * time. Blocking while the listeners close.
     */
    public Future<?> stopAccepting() {
        return server.stopAccepting();
    }

    /** Stops accepting, lets the sessions in flight finish (up to the drain time), stops the loops. */
    @Override
    public void close() {
        server.closeGracefully(drain);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
