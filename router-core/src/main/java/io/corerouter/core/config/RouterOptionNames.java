package io.corerouter.core.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The names of the options every router kind has, derived from its prefix (spec §3.12): for kind
 * {@code http}, {@code --http ADDR}, {@code --http-to}, {@code --http-timeout} and so on. One place
 * registers them ({@link #registerCommon}) and {@link RouterOptions#from} reads them, so fastrouter,
 * rawrouter and sslrouter get the same set from one call.
 *
 * @param kind the router prefix: {@code http}, {@code fastrouter}, {@code rawrouter}, {@code sslrouter}
 */
public record RouterOptionNames(String kind) {

    public RouterOptionNames {
        Objects.requireNonNull(kind, "kind");
        if (kind.isEmpty()) {
            throw new IllegalArgumentException("empty router kind");
        }
    }

    /** {@code --R ADDR}: a listener (repeatable). */
    public String listener() {
        return kind;
    }

    /** {@code --R-events N}: the most I/O events one event-loop round takes from the kernel. */
    public String events() {
        return kind + "-events";
    }

    /** {@code --R-uid USER}: the user the router must run as (uWSGI drops root privileges to it). */
    public String uid() {
        return kind + "-uid";
    }

    /** {@code --R-gid GROUP}: the group the router must run as (uWSGI drops root privileges to it). */
    public String gid() {
        return kind + "-gid";
    }

    /** {@code --R-processes N} (alias {@code --R-workers}): event-loop threads. */
    public String processes() {
        return kind + "-processes";
    }

    /** {@code --R-to ADDR}: a static node (repeatable). */
    public String to() {
        return kind + "-to";
    }

    /** {@code --R-fallback ADDR}: a fallback node (repeatable). */
    public String fallback() {
        return kind + "-fallback";
    }

    /** {@code --R-gracetime N}: seconds before a dead static node is retried. */
    public String gracetime() {
        return kind + "-gracetime";
    }

    /** {@code --R-check-interval N}: seconds between active health checks of each node, 0 = off. */
    public String checkInterval() {
        return kind + "-check-interval";
    }

    /** {@code --R-check-path PATH}: checks ask for PATH (puwsgi, http and uwsgi nodes) instead of connecting only. */
    public String checkPath() {
        return kind + "-check-path";
    }

    /** {@code --R-check-rise N}: passed checks in a row before a down node is up again. */
    public String checkRise() {
        return kind + "-check-rise";
    }

    /** {@code --R-check-fall N}: failed checks in a row before a node is down. */
    public String checkFall() {
        return kind + "-check-fall";
    }

    /** {@code --R-error-limit N}: failed requests in a row that mark a node failed for the gracetime. */
    public String errorLimit() {
        return kind + "-error-limit";
    }

    /** {@code --R-timeout N}: idle timeout in seconds. */
    public String timeout() {
        return kind + "-timeout";
    }

    /** {@code --R-headers-timeout N}: registered by routers that read a request head (http). */
    public String headersTimeout() {
        return kind + "-headers-timeout";
    }

    /** {@code --R-connect-timeout N}: registered by routers with their own connect timeout (http). */
    public String connectTimeout() {
        return kind + "-connect-timeout";
    }

    /** {@code --R-quiet VALUE}: do not log failed node connections. */
    public String quiet() {
        return kind + "-quiet";
    }

    /** {@code --R-buffer-size N}: read buffer size in bytes. */
    public String bufferSize() {
        return kind + "-buffer-size";
    }

    /** {@code --R-harakiri N}: stuck event-loop timeout in seconds. */
    public String harakiri() {
        return kind + "-harakiri";
    }

    /** {@code --R-zerg PATH}: attach to a zerg server and serve its sockets (spec §7). */
    public String zerg() {
        return kind + "-zerg";
    }

    /** {@code --R-use-pattern P}: node address from a pattern ({@code %s} = key, spec §3.4). */
    public String usePattern() {
        return kind + "-use-pattern";
    }

    /** {@code --R-use-base B}: node address = B followed by the key (spec §3.4). */
    public String useBase() {
        return kind + "-use-base";
    }

    /** {@code --R-cheap}: cheap mode (spec §3.9). */
    public String cheap() {
        return kind + "-cheap";
    }

    /** {@code --R-subscription-server ADDR}: UDP {@code host:port} or UNIX datagram path (spec §2.1). */
    public String subscriptionServer() {
        return kind + "-subscription-server";
    }

    /** {@code --R-subscription-fallback-key KEY}: looked up when the key has no node (spec §2.8). */
    public String subscriptionFallbackKey() {
        return kind + "-subscription-fallback-key";
    }

    /** {@code --R-resubscribe ADDR}: forward every subscription to this server (spec §2.11). */
    public String resubscribe() {
        return kind + "-resubscribe";
    }

    /** {@code --R-resubscribe-bind ADDR}: UDP source address of the forwarded subscriptions. */
    public String resubscribeBind() {
        return kind + "-resubscribe-bind";
    }

    /** {@code --R-stats ADDR} (aliases {@code --R-stats-server}, {@code --R-ss}): stats server (spec §3.11). */
    public String stats() {
        return kind + "-stats";
    }

    /** {@code --R-node-connections N}: open connections per pooled node, all event loops together. */
    public String nodeConnections() {
        return kind + "-node-connections";
    }

    /** {@code --R-pool-idle N}: idle connections kept per pooled node and event loop. */
    public String poolIdle() {
        return kind + "-pool-idle";
    }

    /** {@code --R-pool-idle-timeout N}: seconds an idle pooled connection is kept. */
    public String poolIdleTimeout() {
        return kind + "-pool-idle-timeout";
    }

    /** {@code --R-pool-max-requests N}: requests per pooled connection before it is closed. */
    public String poolMaxRequests() {
        return kind + "-pool-max-requests";
    }

    /** {@code --R-pool-wait N}: seconds a request waits for a free pooled connection. */
    public String poolWait() {
        return kind + "-pool-wait";
    }

    /** {@code --R-subscription-protocol P}: what subscribed nodes speak unless their packet says. */
    public String subscriptionProtocol() {
        return kind + "-subscription-protocol";
    }

    /**
     * Registers the options of persistent node connections ({@code puwsgi://} and {@code http://}
     * nodes, {@link PoolOptions}), for the router kinds that speak HTTP to their clients or nodes.
     */
    public void registerPools(OptionTable table, String group) {
        table.register(OptionSpec.required(group, nodeConnections(), "N",
                Integer.toString(PoolOptions.DEFAULT_NODE_CONNECTIONS),
                "puwsgi:// and http:// nodes: open connections per node, all event loops together; set it to "
                        + "the node's processes x threads (a subscribed node's announced cores win)"));
        table.register(OptionSpec.required(group, poolIdle(), "N", "node-connections",
                "puwsgi:// and http:// nodes: idle connections kept per node and event loop"));
        table.register(OptionSpec.required(group, poolIdleTimeout(), "N",
                Long.toString(PoolOptions.DEFAULT_IDLE_TIMEOUT.toSeconds()),
                "puwsgi:// and http:// nodes: seconds an idle connection is kept (uWSGI nodes close theirs "
                        + "after --socket-timeout, 4)"));
        table.register(OptionSpec.required(group, poolMaxRequests(), "N",
                Integer.toString(PoolOptions.DEFAULT_MAX_REQUESTS),
                "puwsgi:// and http:// nodes: requests per connection before it is closed (0 = no limit)"));
        table.register(OptionSpec.required(group, poolWait(), "N", Long.toString(PoolOptions.DEFAULT_WAIT.toSeconds()),
                "puwsgi:// and http:// nodes: seconds a request waits for a free connection, then 503"));
    }

    /**
     * Registers the health options of routers that speak uwsgi or HTTP to their nodes and read their
     * responses ({@link HealthOptions}): {@code --R-check-path} and {@code --R-error-limit}.
     */
    public void registerHealthRequests(OptionTable table, String group) {
        table.register(OptionSpec.required(group, checkPath(), "PATH", "none",
                "checks ask each node for PATH (a GET, HTTP for http:// nodes, a uwsgi packet for the others) and "
                        + "pass on a 2xx or 3xx status; needs --" + checkInterval()));
        table.register(OptionSpec.required(group, errorLimit(), "N", "0",
                "passive health: N failed requests in a row to a node (closed, reset or timed out before a "
                        + "complete response head) mark it failed for the gracetime (0 = off)"));
    }

    /**
     * Registers the options common to every router kind, in the order they are documented.
     *
     * @param group           the help section they are listed under ({@code HTTP router})
     * @param listenerAliases other names of the listener option ({@code httprouter})
     */
    public void registerCommon(OptionTable table, String group, String... listenerAliases) {
        table.register(OptionSpec.required(group, listener(), "ADDR", "",
                        "listen on ADDR: host:port, :port (all interfaces), [v6]:port, a UNIX socket path or @abstract")
                .withAliases(listenerAliases).asRepeatable());
        registerCommonWithoutListener(table, group);
    }

    /**
     * Registers the common options except the listener itself, for router kinds whose listener
     * option has its own syntax ({@code --sslrouter ADDR,CRT,KEY}).
     */
    public void registerCommonWithoutListener(OptionTable table, String group) {
        table.register(OptionSpec.required(group, processes(), "N", "CPU cores",
                        "number of event-loop threads (uWSGI: gateway processes)")
                .withAliases(kind + "-workers"));
        table.register(OptionSpec.required(group, to(), "ADDR", "",
                        "forward to this uwsgi node: host:port, [v6]:port, a UNIX socket path or @abstract")
                .asRepeatable());
        table.register(OptionSpec.required(group, fallback(), "ADDR", "",
                        "node tried, in order, when connecting to the chosen node fails")
                .asRepeatable());
        table.register(OptionSpec.required(group, gracetime(), "N", "30",
                "seconds before a dead static node is tried again"));
        table.register(OptionSpec.required(group, checkInterval(), "N", "0",
                "active health checks: every N seconds each static and fallback node gets a check on its own "
                        + "connection (a connect, or a request where a check path is set); N is also the check's "
                        + "timeout (0 = off)"));
        table.register(OptionSpec.required(group, checkRise(), "N", Integer.toString(HealthOptions.DEFAULT_RISE),
                "passed checks in a row before a down node gets traffic again"));
        table.register(OptionSpec.required(group, checkFall(), "N", Integer.toString(HealthOptions.DEFAULT_FALL),
                "failed checks in a row before a node is marked down (no traffic, even as a fallback)"));
        table.register(OptionSpec.required(group, timeout(), "N", "60",
                "idle timeout in seconds for client and node connections"));
        table.register(OptionSpec.required(group, quiet(), "VALUE", "off",
                "do not log failed connections to nodes (any value except false/off/no/0 turns it on)"));
        table.register(OptionSpec.required(group, bufferSize(), "N", Integer.toString(RouterOptions.DEFAULT_BUFFER_SIZE),
                "read buffer size in bytes (uWSGI: page size)"));
        table.register(OptionSpec.required(group, harakiri(), "N", "0",
                "gateway harakiri: seconds one event-loop round may take (0 = off)"));
        table.register(OptionSpec.flag(group, cheap(),
                "cheap mode: do not accept connections while no node is available"));
        table.register(OptionSpec.required(group, zerg(), "PATH", "",
                "attach to the zerg server on UNIX socket PATH and also serve the listening socket it passes "
                        + "(alone, it starts the router too)").asRepeatable());
        table.register(OptionSpec.required(group, usePattern(), "PATTERN", "none",
                "node address from the routing key: %s is the key, %% a '%' (e.g. /run/app/%s.sock)"));
        table.register(OptionSpec.required(group, useBase(), "BASE", "none",
                "node address is BASE followed by the routing key (e.g. /run/app/)"));
        table.register(OptionSpec.required(group, events(), "N", "0",
                "most I/O events taken per event-loop round (uWSGI: max concurrent events); 0 = grow as needed"));
        table.register(OptionSpec.required(group, uid(), "USER", "none",
                "user (name or number) the router runs as: checked at start, since a JVM cannot drop root "
                        + "privileges (run as that user; ignored when not root, as uWSGI)"));
        table.register(OptionSpec.required(group, gid(), "GROUP", "none",
                "group (name or number) the router runs as, checked like --" + uid()));
    }

    /**
     * Registers the per-router subscription server options (spec §2, §3.12), read by
     * {@link RouterSubscriptionOptions#from}.
     *
     * @param federation also register {@code -subscription-fallback-key}, {@code -resubscribe} and
     *                   {@code -resubscribe-bind}, which uWSGI has for the http and fastrouter only
     */
    public void registerSubscriptions(OptionTable table, String group, boolean federation) {
        table.register(OptionSpec.required(group, subscriptionServer(), "ADDR", "",
                        "subscription server: nodes announce themselves with UDP datagrams to host:port, "
                                + "or UNIX datagrams to a path")
                .asRepeatable());
        if (federation) {
            table.register(OptionSpec.required(group, subscriptionFallbackKey(), "KEY", "none",
                    "subscription key used when the request's key has no node"));
            table.register(OptionSpec.required(group, resubscribe(), "ADDR", "",
                            "forward every subscription received to this subscription server, "
                                    + "with this router's first listener as the node address")
                    .asRepeatable());
            table.register(OptionSpec.required(group, resubscribeBind(), "ADDR", "any",
                    "UDP source address (host:port) of the forwarded subscriptions"));
            table.register(OptionSpec.required(group, subscriptionProtocol(), "PROTO", "uwsgi",
                    "what subscribed nodes speak when their packet has no proto key: uwsgi, puwsgi or http "
                            + "(persistent connections, see --" + nodeConnections() + ")"));
        }
    }

    /** Registers {@code --R-stats ADDR} and its aliases, read by {@link #statsEndpoint}. */
    public void registerStats(OptionTable table, String group) {
        table.register(OptionSpec.required(group, stats(), "ADDR", "off",
                        "stats server on TCP host:port or a UNIX path: every connection gets one JSON document")
                .withAliases(kind + "-stats-server", kind + "-ss"));
    }

    /**
     * The {@code --R-stats} address, if given (listener syntax: TCP {@code host:port} or a UNIX path).
     *
     * @throws ConfigException if the address is malformed
     */
    public Optional<Endpoint> statsEndpoint(ParsedOptions options) throws ConfigException {
        List<Endpoint> all = OptionValues.endpoints(options, stats(), Endpoint::parseListener);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }
}
