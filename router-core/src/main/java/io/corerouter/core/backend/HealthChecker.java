package io.corerouter.core.backend;

import io.corerouter.core.config.HealthOptions;
import io.corerouter.core.transport.Transport;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Active health checks of one router's nodes (HAProxy's idea, which uWSGI lacks; docs/health.md):
 * every {@code --R-check-interval} each node of its {@link Targets} that keeps a {@link NodeHealth}
 * gets one {@link HealthCheck}, a connect or, with {@code --R-check-path}, a request, on a connection
 * of its own (never a pooled one, never counted as a client request). {@code rise}/{@code fall}
 * results in a row move the node up or down ({@link NodeHealth#checkDone}).
 *
 * <p>Threads: the round runs on one event loop of the router; each check runs on the next loop of the
 * group (round robin), connected by the checker's own {@link BackendConnector}, whose connect timeout
 * is the check's timeout. A node whose previous check still runs is skipped in this round.
 *
 * <p>Targets are read anew every round, so a reload that swaps the node lists is followed without
 * telling the checker.
 */
public final class HealthChecker implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(HealthChecker.class.getName());

    /**
     * Nodes to check, read once per round. The runtime adds its static and fallback nodes; a
     * subscription table can add its nodes (core does not depend on it).
     */
    @FunctionalInterface
    public interface Targets {
        List<? extends BackendNode> checkTargets();
    }

    private final String routerName;
    private final HealthOptions options;
    private final EventLoopGroup group;
    private final BackendConnector connector;
    private final long timeoutMillis;
    private final List<Targets> targets = new CopyOnWriteArrayList<>();
    private volatile ScheduledFuture<?> rounds;

    /**
     * @param options with checks on ({@link HealthOptions#checks()})
     */
    public HealthChecker(String routerName, HealthOptions options, Transport transport, EventLoopGroup group) {
        if (!options.checks()) {
            throw new IllegalArgumentException("check-interval: 0 (health checks are off)");
        }
        this.routerName = Objects.requireNonNull(routerName, "routerName");
        this.options = options;
        this.group = group;
        this.timeoutMillis = options.interval().toMillis();
        this.connector = new BackendConnector(transport, options.interval());
    }

    /** Adds nodes to check from the next round on. */
    public HealthChecker add(Targets more) {
        targets.add(Objects.requireNonNull(more, "targets"));
        return this;
    }

    /** Starts the rounds: the first one at once, then one every interval. */
    public void start() {
        long interval = options.interval().toMillis();
        rounds = group.next().scheduleAtFixedRate(this::round, 0, interval, TimeUnit.MILLISECONDS);
        LOG.info(() -> routerName + " health checks every " + options.interval().toSeconds() + "s ("
                + options.path().map(p -> "GET " + p).orElse("connect") + ", rise " + options.rise() + ", fall "
                + options.fall() + ")");
    }

    /** One round: a check for every node whose previous check is done. */
    void round() {
        try {
            for (Targets source : targets) {
                for (BackendNode node : source.checkTargets()) {
                    NodeHealth health = node.health();
                    if (health != null && health.beginCheck()) {
                        EventLoop loop = group.next();
                        HealthCheck check = new HealthCheck(this, node, health, loop);
                        loop.execute(check::start);
                    }
                }
            }
        } catch (RuntimeException e) {
            // a round must never end the rounds (scheduleAtFixedRate stops after an exception)
            LOG.log(Level.WARNING, routerName + " health check round failed", e);
        }
    }

    BackendConnector connector() {
        return connector;
    }

    HealthOptions options() {
        return options;
    }

    long timeoutMillis() {
        return timeoutMillis;
    }

    /** Stops the rounds; checks in flight end with their connections (the loops are stopping). */
    @Override
    public void close() {
        ScheduledFuture<?> scheduled = rounds;
        if (scheduled != null) {
            scheduled.cancel(false);
        }
    }
}
