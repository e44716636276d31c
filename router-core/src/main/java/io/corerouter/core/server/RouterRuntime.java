package io.corerouter.core.server;

import io.corerouter.core.backend.BackendConnector;
import io.corerouter.core.backend.BackendNode;
import io.corerouter.core.backend.Clock;
import io.corerouter.core.backend.HealthChecker;
import io.corerouter.core.backend.NodeHealth;
import io.corerouter.core.backend.StaticNode;
import io.corerouter.core.backend.StaticNodes;
import io.corerouter.core.config.Endpoint;
import io.corerouter.core.config.RouterConfig;
import io.corerouter.core.config.RouterOptionNames;
import io.corerouter.core.config.RouterOptions;
import io.corerouter.core.observe.RouterObserver;
import io.corerouter.core.pool.NodePools;
import io.corerouter.core.route.KeyMapper;
import io.corerouter.core.route.PatternMapper;
import io.corerouter.core.route.Routes;
import io.corerouter.core.transport.Transport;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * What every router kind runs on, built from its common options (spec §3): the event-loop group
 * ({@code --R-processes}), the active mapper (§3.4), the fallback nodes (§3.6), the backend connector,
 * and the listening sockets, bound ({@code --R ADDR}) or received from zerg servers ({@code --R-zerg},
 * §7). A router kind adds only its pipeline: {@link #serve} asks it for one initializer per socket.
 * With {@code --R-check-interval}, the runtime also runs the {@link HealthChecker} of its static and
 * fallback nodes on its event loops (docs/health.md).
 *
 * <p>Mapper precedence (spec §3.4, first configured wins): {@code --R-use-pattern}, the external
 * mapper (the subscription table), {@code --R-use-base}, the static {@code --R-to} nodes; with none,
 * every request finds no node.
 *
 * <p>Start-up is blocking (name resolution, binding, zerg attach): call from the main thread.
 *
 * <p>Reload (SIGHUP, {@link #reload}): the routes (mapper, static nodes, fallbacks) are one immutable
 * {@link Routes} value in a volatile field, which sessions read when a request starts; a reload
 * resolves the new one first, binds the listeners that were added, then swaps it in and closes the
 * listeners that were removed (their sessions drain). What the event loops and sockets were made
 * with ({@code --R-processes}, {@code --R-events}, {@code --R-buffer-size}, zerg servers, pools...)
 * stays as it was until a restart, and the reload says so.
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
    private volatile RouterOptions common;
    private final Transport transport;
    private final KeyMapper externalMapper;
    /** Read by every request when it starts; swapped by a reload. */
    private volatile Routes routes;
    private final EventLoopGroup group;
    private volatile BackendConnector connector;
    private final NodePools nodePools;
    private final RouterServer server;
    private final RouterObserver observer;
    /** Active health checks ({@code --R-check-interval}), or null when off. */
    private final HealthChecker healthChecker;
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
        this.externalMapper = externalMapper;
        this.routes = resolveRoutes(routerName, common, externalMapper, null);
        if (routes.mapper() == Routes.NONE) {
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
        this.healthChecker = common.health().checks() ? new HealthChecker(routerName, common.health(), transport, group)
                .add(this::checkTargets) : null;
        if (healthChecker != null) {
            healthChecker.start();
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

    /**
     * The routes of {@code common}: resolves the nodes (blocking), reusing the nodes of
     * {@code previous} that are still configured (their dead marks and counters carry over).
     */
    private static Routes resolveRoutes(String routerName, RouterOptions common, KeyMapper external, Routes previous)
            throws Exception {
        Map<String, StaticNode> known = new HashMap<>();
        if (previous != null) {
            if (previous.staticNodes() != null) {
                previous.staticNodes().nodes().forEach(node -> known.put(key(node), node));
            }
            previous.fallbacks().forEach(node -> known.put(key(node), node));
        }
        List<StaticNode> to = resolve(routerName, common, common.to(), known);
        List<StaticNode> fallbacks = resolve(routerName, common, common.fallback(), known);
        StaticNodes staticNodes = to.isEmpty() ? null : new StaticNodes(to, common.gracetime(), Clock.SYSTEM);
        KeyMapper mapper = chooseMapper(common, external, staticNodes);
        return new Routes(mapper == null ? Routes.NONE : mapper, staticNodes, fallbacks);
    }

    private static String key(StaticNode node) {
        return node.name() + " " + node.address() + " " + node.protocol();
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

    private static List<StaticNode> resolve(String routerName, RouterOptions common, List<Endpoint> endpoints,
            Map<String, StaticNode> known) throws Exception {
        List<StaticNode> nodes = new ArrayList<>(endpoints.size());
        for (Endpoint endpoint : endpoints) {
            StaticNode kept = known.get(endpoint.name() + " " + endpoint.toSocketAddress() + " " + endpoint.protocol());
            if (kept != null) {
                nodes.add(kept); // still configured: its health and counters carry over
                continue;
            }
            NodeHealth health = new NodeHealth(routerName, endpoint.name(), common.health().errorLimit(), common.quiet(),
                    Clock.SYSTEM);
            nodes.add(new StaticNode(endpoint.name(), endpoint.toSocketAddress(), endpoint.protocol(), health));
        }
        return nodes;
    }

    /** What the health checker checks each round: the static nodes, then the fallbacks. */
    private List<BackendNode> checkTargets() {
        List<BackendNode> targets = new ArrayList<>();
        Routes current = routes;
        if (current.staticNodes() != null) {
            targets.addAll(current.staticNodes().nodes());
        }
        targets.addAll(current.fallbacks());
        return targets;
    }

    /**
     * Starts a reload to {@code next} (SIGHUP): checks it and resolves its nodes (blocking, no change
     * yet). The caller then binds what is new ({@link Reload#bindListeners}, {@link Reload#bind}),
     * which it undoes with {@link Reload#rollback} when something fails, or makes everything take
     * effect with {@link Reload#commit}. Main or reload thread only.
     *
     * @throws Exception naming what cannot be applied (a node name that does not resolve); nothing
     *                   changed
     */
    public Reload reload(RouterOptions next) throws Exception {
        if (!next.kind().equals(common.kind())) {
            throw new IllegalArgumentException("reload of " + common.kind() + " with the options of " + next.kind());
        }
        return new Reload(next);
    }

    /**
     * A reload in preparation ({@link #reload}): the new routes are resolved; listeners bound so far
     * are undone by {@link #rollback}, everything takes effect at {@link #commit}.
     */
    public final class Reload {
        private final RouterOptions next;
        private final Routes nextRoutes;
        private final BackendConnector nextConnector;
        private final ReloadReport.Builder report = new ReloadReport.Builder();
        private final List<String> bound = new ArrayList<>();
        private final List<String> toClose = new ArrayList<>();

        private Reload(RouterOptions next) throws Exception {
            RouterOptions now = common;
            RouterOptionNames names = new RouterOptionNames(now.kind());
            restartOnly(now.processes() != next.processes(), names.processes());
            restartOnly(now.events() != next.events(), names.events());
            restartOnly(!now.uid().equals(next.uid()), names.uid());
            restartOnly(!now.gid().equals(next.gid()), names.gid());
            restartOnly(!now.zerg().equals(next.zerg()), names.zerg());
            restartOnly(now.bufferSize() != next.bufferSize(), names.bufferSize());
            restartOnly(now.cheap() != next.cheap(), names.cheap());
            restartOnly(!now.pools().equals(next.pools()), names.nodeConnections() + "/" + now.kind() + "-pool-*");
            boolean newRoutes = !now.to().equals(next.to()) || !now.fallback().equals(next.fallback())
                    || !now.usePattern().equals(next.usePattern()) || !now.useBase().equals(next.useBase())
                    || !now.gracetime().equals(next.gracetime());
            this.nextRoutes = newRoutes ? resolveRoutes(routerName, next, externalMapper, routes) : routes;
            changed(!now.to().equals(next.to()), names.to() + "=" + names(next.to()));
            changed(!now.fallback().equals(next.fallback()), names.fallback() + "=" + names(next.fallback()));
            changed(!now.usePattern().equals(next.usePattern()), names.usePattern());
            changed(!now.useBase().equals(next.useBase()), names.useBase());
            changed(!now.gracetime().equals(next.gracetime()), names.gracetime());
            changed(!now.timeouts().idle().equals(next.timeouts().idle()), names.timeout());
            changed(!now.timeouts().headers().equals(next.timeouts().headers()), names.headersTimeout());
            boolean connect = !now.timeouts().connect().equals(next.timeouts().connect());
            changed(connect, names.connectTimeout());
            this.nextConnector = connect ? new BackendConnector(transport, next.timeouts().connect()) : connector;
            changed(now.quiet() != next.quiet(), names.quiet());
            changed(!now.harakiri().equals(next.harakiri()), names.harakiri());
            this.next = next;
        }

        /** {@code next}, except what only a restart changes, which stays as in {@code now}. */
        private static RouterOptions keepRestartOnly(RouterOptions now, RouterOptions next) {
            return new RouterOptions(next.kind(), next.listeners(), next.to(), next.fallback(), now.processes(),
                    next.timeouts(), next.gracetime(), next.quiet(), now.bufferSize(), next.harakiri(), now.cheap(),
                    now.zerg(), next.usePattern(), next.useBase(), now.events(), now.uid(), now.gid(), now.pools());
        }

        private void restartOnly(boolean changed, String option) {
            if (changed) {
                report.needsRestart(option);
            }
        }

        private void changed(boolean changed, String item) {
            if (changed) {
                report.applied(item);
            }
        }

        private static String names(List<Endpoint> endpoints) {
            List<String> names = new ArrayList<>();
            endpoints.forEach(e -> names.add(e.name()));
            return names.toString();
        }

        /** The options being applied. */
        public RouterOptions options() {
            return next;
        }

        /** The routes being applied (already resolved). */
        public Routes routes() {
            return nextRoutes;
        }

        /**
         * Binds the {@code --R} listeners that {@code next} adds, each served by what
         * {@code pipelines} makes for it, and marks the ones it drops for closing at {@link #commit}.
         * Listeners in both keep their sockets.
         */
        public void bindListeners(Function<Endpoint, ChannelHandler> pipelines) throws Exception {
            Set<String> before = new LinkedHashSet<>();
            common.listeners().forEach(l -> before.add(l.name()));
            Set<String> after = new LinkedHashSet<>();
            for (Endpoint listener : next.listeners()) {
                after.add(listener.name());
                if (!before.contains(listener.name())) {
                    bind(listener, pipelines.apply(listener));
                }
            }
            for (String name : before) {
                if (!after.contains(name)) {
                    closeAtCommit(name);
                }
            }
        }

        /** Binds one more listener now (undone by {@link #rollback}). */
        public Channel bind(Endpoint listener, ChannelHandler initializer) throws Exception {
            Channel channel = RouterRuntime.this.bind(listener, initializer);
            bound.add(listener.name());
            report.applied("+" + common.kind() + " " + listener.name());
            return channel;
        }

        /** Closes listener {@code name} at {@link #commit} (its sessions drain). */
        public void closeAtCommit(String name) {
            toClose.add(name);
        }

        /** Adds {@code item} to the report: a kind's own setting that changed. */
        public void applied(String item) {
            report.applied(item);
        }

        /** Adds {@code option} to the report: changed, but only a restart applies it. */
        public void needsRestart(String option) {
            report.needsRestart(option);
        }

        /** Closes what this reload bound: it failed, the router stays as it was. */
        public void rollback() {
            for (String name : bound) {
                server.unbind(name);
                socketNames.remove(name);
            }
            bound.clear();
        }

        /**
         * Swaps in the new routes and options (requests that start from now on use them), then
         * closes the removed listeners, whose sessions finish their requests and close.
         */
        public ReloadReport commit() {
            routes = nextRoutes;
            connector = nextConnector;
            common = keepRestartOnly(common, next);
            for (String name : toClose) {
                server.unbind(name);
                socketNames.remove(name);
                report.applied("-" + next.kind() + " " + name);
            }
            return report.build();
        }
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

    /**
     * The routes now: read once when a request starts, so the request keeps them even when a reload
     * swaps in new ones meanwhile.
     */
    public Routes routes() {
        return routes;
    }

    /** The active mapper now; never null (a router without backend gets one that finds nothing). */
    public KeyMapper mapper() {
        return routes.mapper();
    }

    /** The static nodes now, or null when another mapper is active or none were given. */
    public StaticNodes staticNodes() {
        return routes.staticNodes();
    }

    /** {@code --R-fallback} nodes now, in the order they are tried. */
    public List<StaticNode> fallbacks() {
        return routes.fallbacks();
    }

    /**
     * The active health checker, or null with {@code --R-check-interval} 0: another module (the
     * subscription table) can {@link HealthChecker#add add} its nodes to it.
     */
    public HealthChecker healthChecker() {
        return healthChecker;
    }

    public EventLoopGroup group() {
        return group;
    }

    /** The backend connector now (a reload of the connect timeout swaps it). */
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
        if (healthChecker != null) {
            healthChecker.close();
        }
        server.closeGracefully(drain);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
