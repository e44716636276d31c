package io.corerouter.core.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The options every router kind has (spec §3.12), read from {@code --<kind>-*} options by
 * {@link #from}.
 *
 * @param kind       the router prefix: {@code http}, {@code fastrouter}...
 * @param listeners  {@code --R ADDR}, in order (their names are the socket names of stats and SERVER_PORT)
 * @param to         {@code --R-to}: static nodes, in order
 * @param fallback   {@code --R-fallback}: fallback nodes, in the order they are tried (spec §3.6)
 * @param processes  {@code --R-processes}: event-loop threads; defaults to the CPU cores
 *                   (deviations.md: uWSGI defaults to 1 process)
 * @param timeouts   {@code --R-timeout} and, where registered, the head and connect timeouts
 * @param gracetime  {@code --R-gracetime} (30 s): a dead static node is retried after this
 * @param quiet      {@code --R-quiet}: do not log failed node connections
 * @param bufferSize {@code --R-buffer-size} (4096, uWSGI's page size): read buffer size in bytes
 * @param harakiri   {@code --R-harakiri}: stuck event-loop timeout, {@link Duration#ZERO} = off
 * @param cheap      {@code --R-cheap}: cheap mode (spec §3.9)
 * @param zerg       {@code --R-zerg PATH}: zerg servers whose listening sockets this router also serves (spec §7)
 * @param usePattern {@code --R-use-pattern P}: the node address is P with {@code %s} replaced by the key (spec §3.4)
 * @param useBase    {@code --R-use-base B}: the node address is B followed by the key (spec §3.4)
 * @param events     {@code --R-events}: most I/O events per event-loop round, 0 = grow as needed
 * @param uid        {@code --R-uid}: the user the router must run as ({@link io.corerouter.core.server.RunAs})
 * @param gid        {@code --R-gid}: the group the router must run as
 * @param pools      {@code --R-node-connections} and {@code --R-pool-*}: connections to {@code puwsgi://} and
 *                   {@code http://} nodes (defaults for router kinds that do not register them)
 * @param health     {@code --R-check-*} and {@code --R-error-limit}: node health ({@link HealthOptions#OFF}
 *                   for router kinds that do not register them)
 */
public record RouterOptions(String kind, List<Endpoint> listeners, List<Endpoint> to, List<Endpoint> fallback,
                            int processes, Timeouts timeouts, Duration gracetime, boolean quiet, int bufferSize,
                            Duration harakiri, boolean cheap, List<String> zerg, Optional<String> usePattern,
                            Optional<String> useBase, int events, Optional<String> uid, Optional<String> gid,
                            PoolOptions pools, HealthOptions health) {
    /** uWSGI's buffer size default: the page size. */
    public static final int DEFAULT_BUFFER_SIZE = 4096;
    /** Largest accepted {@code --R-buffer-size}. */
    public static final int MAX_BUFFER_SIZE = 1 << 20;
    /** Default of {@code --R-gracetime}. */
    public static final Duration DEFAULT_GRACETIME = Duration.ofSeconds(30);

    public RouterOptions {
        Objects.requireNonNull(kind, "kind");
        listeners = List.copyOf(listeners);
        to = List.copyOf(to);
        fallback = List.copyOf(fallback);
        if (processes < 1) {
            throw new IllegalArgumentException(kind + "-processes: " + processes + " (expected: > 0)");
        }
        Objects.requireNonNull(timeouts, "timeouts");
        requireNotNegative(kind + "-gracetime", gracetime);
        if (bufferSize < 1 || bufferSize > MAX_BUFFER_SIZE) {
            throw new IllegalArgumentException(kind + "-buffer-size: " + bufferSize
                    + " (expected: " + OptionValues.range(1, MAX_BUFFER_SIZE) + ")");
        }
        requireNotNegative(kind + "-harakiri", harakiri);
        zerg = List.copyOf(zerg);
        Objects.requireNonNull(usePattern, "usePattern");
        Objects.requireNonNull(useBase, "useBase");
        if (events < 0) {
            throw new IllegalArgumentException(kind + "-events: " + events + " (expected: >= 0)");
        }
        Objects.requireNonNull(uid, "uid");
        Objects.requireNonNull(gid, "gid");
        Objects.requireNonNull(pools, "pools");
        Objects.requireNonNull(health, "health");
    }

    /** As the canonical constructor, without health checks. */
    public RouterOptions(String kind, List<Endpoint> listeners, List<Endpoint> to, List<Endpoint> fallback,
                         int processes, Timeouts timeouts, Duration gracetime, boolean quiet, int bufferSize,
                         Duration harakiri, boolean cheap, List<String> zerg, Optional<String> usePattern,
                         Optional<String> useBase, int events, Optional<String> uid, Optional<String> gid,
                         PoolOptions pools) {
        this(kind, listeners, to, fallback, processes, timeouts, gracetime, quiet, bufferSize, harakiri, cheap, zerg,
                usePattern, useBase, events, uid, gid, pools, HealthOptions.OFF);
    }

    /** Without zerg servers, key-derived mappers, an events limit or a required user. */
    public RouterOptions(String kind, List<Endpoint> listeners, List<Endpoint> to, List<Endpoint> fallback,
                         int processes, Timeouts timeouts, Duration gracetime, boolean quiet, int bufferSize,
                         Duration harakiri, boolean cheap) {
        this(kind, listeners, to, fallback, processes, timeouts, gracetime, quiet, bufferSize, harakiri, cheap,
                List.of(), Optional.empty(), Optional.empty(), 0, Optional.empty(), Optional.empty(), PoolOptions.DEFAULTS,
                HealthOptions.OFF);
    }

    /** True when the router has something to serve: a listener or a zerg server. */
    public boolean hasSockets() {
        return !listeners.isEmpty() || !zerg.isEmpty();
    }

    /**
     * Reads the common options of router {@code kind}.
     *
     * @throws ConfigException naming the first bad option: {@code http-timeout: -1 (expected: > 0)}
     */
    public static RouterOptions from(ParsedOptions options, String kind) throws ConfigException {
        return from(options, kind, OptionValues.endpoints(options, new RouterOptionNames(kind).listener(),
                Endpoint::parseListener));
    }

    /**
     * Reads the common options of router {@code kind} whose listeners were parsed elsewhere (their
     * option has its own syntax, as {@code --sslrouter ADDR,CRT,KEY}).
     */
    public static RouterOptions from(ParsedOptions options, String kind, List<Endpoint> listeners)
            throws ConfigException {
        RouterOptionNames names = new RouterOptionNames(kind);
        Duration idle = OptionValues.seconds(options, names.timeout(), Timeouts.DEFAULT_IDLE, 1);
        Timeouts timeouts = new Timeouts(idle,
                OptionValues.seconds(options, names.headersTimeout(), idle, 1),
                OptionValues.seconds(options, names.connectTimeout(), idle, 1));
        return new RouterOptions(kind,
                listeners,
                OptionValues.endpoints(options, names.to(), Endpoint::parseBackend),
                OptionValues.endpoints(options, names.fallback(), Endpoint::parseBackend),
                OptionValues.integer(options, names.processes(), Runtime.getRuntime().availableProcessors(),
                        1, Integer.MAX_VALUE),
                timeouts,
                OptionValues.seconds(options, names.gracetime(), DEFAULT_GRACETIME, 0),
                options.flag(names.quiet()),
                OptionValues.integer(options, names.bufferSize(), DEFAULT_BUFFER_SIZE, 1, MAX_BUFFER_SIZE),
                OptionValues.seconds(options, names.harakiri(), Duration.ZERO, 0),
                options.flag(names.cheap()),
                options.all(names.zerg()),
                nonEmpty(options, names.usePattern()),
                nonEmpty(options, names.useBase()),
                OptionValues.integer(options, names.events(), 0, 0, 1 << 20),
                nonEmpty(options, names.uid()),
                nonEmpty(options, names.gid()),
                pools(options, names, kind),
                HealthOptions.from(options, kind));
    }

    /**
     * The pool options, and a check that only router kinds with pools (those that register
     * {@code --R-node-connections}) are given {@code puwsgi://} or {@code http://} nodes.
     */
    private static PoolOptions pools(ParsedOptions options, RouterOptionNames names, String kind) throws ConfigException {
        if (options.table().lookup(names.nodeConnections()).isEmpty()) {
            for (String option : List.of(names.to(), names.fallback())) {
                for (ParsedOptions.Value value : options.values(option)) {
                    if (NodeProtocol.ofAddress(value.text()).pooled()) {
                        throw ConfigException.invalid(option, value.text(),
                                "an address without a scheme: the " + kind + " relays bytes, one node connection per client",
                                value.source());
                    }
                }
            }
        }
        return PoolOptions.from(options, kind);
    }

    private static Optional<String> nonEmpty(ParsedOptions options, String name) throws ConfigException {
        Optional<ParsedOptions.Value> value = options.lastValue(name);
        if (value.isPresent() && value.get().text().isEmpty()) {
            throw ConfigException.invalid(name, "", "a non-empty value", value.get().source());
        }
        return value.map(ParsedOptions.Value::text);
    }

    private static void requireNotNegative(String what, Duration d) {
        Objects.requireNonNull(d, what);
        if (d.isNegative()) {
            throw new IllegalArgumentException(what + ": " + d + " (expected: >= 0)");
        }
    }
}
