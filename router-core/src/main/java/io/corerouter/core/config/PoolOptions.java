package io.corerouter.core.config;

import java.time.Duration;

/**
 * How a router keeps connections to {@code puwsgi://} and {@code http://} nodes
 * ({@link NodeProtocol#pooled()}), read from its {@code --R-node-*} and {@code --R-pool-*} options
 * ({@link RouterOptionNames#registerPools}).
 *
 * <p>A uWSGI worker serves one connection at a time, and after a response it waits on that same
 * connection for the next request (up to its {@code --socket-timeout}, 4 s by default) instead of
 * accepting another one. An idle pooled connection therefore holds a whole worker, and a connection
 * opened beyond the node's workers waits in its backlog. So the cap per node counts every event loop
 * together, and the defaults are the ones that are safe for any uWSGI node: one connection per node
 * (set {@code --R-node-connections} to the node's processes × threads; a subscribed node announces
 * its cores, which win), idle connections closed after 2 s (before the node's socket timeout closes them).
 *
 * @param nodeConnections {@code --R-node-connections}: open connections per node, all event loops together
 * @param idlePerLoop     {@code --R-pool-idle}: idle connections kept per node and event loop, 0 = up to the cap
 * @param idleTimeout     {@code --R-pool-idle-timeout}: an idle connection is closed after this
 * @param maxRequests     {@code --R-pool-max-requests}: a connection is closed after this many requests, 0 = never
 * @param waitTimeout     {@code --R-pool-wait}: how long a request waits for a free connection before its 503
 */
public record PoolOptions(int nodeConnections, int idlePerLoop, Duration idleTimeout, int maxRequests,
                          Duration waitTimeout) {
    /** Default of {@code --R-node-connections}: safe for a uWSGI node with one worker. */
    public static final int DEFAULT_NODE_CONNECTIONS = 1;
    /** Default of {@code --R-pool-idle-timeout}: below uWSGI's default {@code --socket-timeout} of 4 s. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(2);
    /** Default of {@code --R-pool-max-requests}: as nginx's {@code keepalive_requests}. */
    public static final int DEFAULT_MAX_REQUESTS = 1000;
    /** Default of {@code --R-pool-wait}. */
    public static final Duration DEFAULT_WAIT = Duration.ofSeconds(10);
    /** The defaults. */
    public static final PoolOptions DEFAULTS = new PoolOptions(DEFAULT_NODE_CONNECTIONS, 0, DEFAULT_IDLE_TIMEOUT,
            DEFAULT_MAX_REQUESTS, DEFAULT_WAIT);

    public PoolOptions {
        if (nodeConnections < 1) {
            throw new IllegalArgumentException("node-connections: " + nodeConnections + " (expected: > 0)");
        }
        if (idlePerLoop < 0 || maxRequests < 0) {
            throw new IllegalArgumentException("pool-idle / pool-max-requests: negative");
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero() || waitTimeout.isNegative()) {
            throw new IllegalArgumentException("pool-idle-timeout: " + idleTimeout + " (expected: > 0)");
        }
    }

    /** Idle connections kept per node and event loop for a node whose cap is {@code cap}. */
    public int idleLimit(int cap) {
        return idlePerLoop == 0 ? cap : Math.min(idlePerLoop, cap);
    }

    /**
     * Reads the pool options of router {@code kind}; their defaults when the kind does not register them.
     *
     * @throws ConfigException naming the first bad option
     */
    public static PoolOptions from(ParsedOptions options, String kind) throws ConfigException {
        RouterOptionNames names = new RouterOptionNames(kind);
        return new PoolOptions(
                OptionValues.integer(options, names.nodeConnections(), DEFAULT_NODE_CONNECTIONS, 1, 1 << 16),
                OptionValues.integer(options, names.poolIdle(), 0, 0, 1 << 16),
                OptionValues.seconds(options, names.poolIdleTimeout(), DEFAULT_IDLE_TIMEOUT, 1),
                OptionValues.integer(options, names.poolMaxRequests(), DEFAULT_MAX_REQUESTS, 0, Integer.MAX_VALUE),
                OptionValues.seconds(options, names.poolWait(), DEFAULT_WAIT, 0));
    }
}
