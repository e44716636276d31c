package io.corerouter.raw;

import io.corerouter.core.route.KeyMapper;
import io.corerouter.core.server.ReloadReport;
import io.corerouter.core.server.Router;
import io.corerouter.core.server.RouterRuntime;
import io.corerouter.core.transport.Transport;
import java.util.Objects;
import java.util.Set;
import java.util.logging.Logger;

/**
 * The rawrouter (spec §6): a TCP/UNIX relay with no protocol parsing. The routing key is the name of
 * the listener as configured ({@code 127.0.0.1:9090}, {@code :9090}, a UNIX path; for zerg sockets the
 * {@code getsockname()} text), so with a subscription server nodes subscribe with exactly that string.
 *
 * <p>Mappers (spec §3.4): {@code --rawrouter-use-pattern}, the external mapper given here (the
 * subscription table), {@code --rawrouter-use-base}, {@code --rawrouter-to}, in that precedence.
 */
public final class RawRouter implements Router {
    private static final Logger LOG = Logger.getLogger(RawRouter.class.getName());

    private volatile RawRouterConfig config;
    private final Transport transport;
    private final KeyMapper externalMapper;
    private RouterRuntime runtime;
    /** The context new connections get; swapped by a reload. */
    private volatile RawRouterContext context;

    /** @param externalMapper the subscription table, or null */
    public RawRouter(RawRouterConfig config, Transport transport, KeyMapper externalMapper) {
        this.config = Objects.requireNonNull(config, "config");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.externalMapper = externalMapper;
    }

    /** Resolves nodes, binds the listeners and attaches to the zerg servers. Blocking: call from the main thread. */
    @Override
    public void start() throws Exception {
        if (config.splice() && !transport.isEpoll()) {
            LOG.warning("rawrouter-splice needs the epoll transport: relaying through buffers instead");
        }
        runtime = new RouterRuntime("rawrouter", config.common(), transport, externalMapper,
                config.common().timeouts().connect());
        context = new RawRouterContext(config, runtime);
        runtime.serve(listener -> new RawRouterInitializer(() -> context, listener.name()));
    }

    /**
     * Applies a reloaded config (SIGHUP): routes for the connections accepted from then on (a raw
     * connection is one session), the other settings likewise, listeners added and removed. On
     * failure the router is as it was. Main or reload thread only.
     */
    public ReloadReport reconfigure(RawRouterConfig next) throws Exception {
        RouterRuntime.Reload reload = runtime.reload(next.common());
        ReloadReport.changedComponents(config, next, Set.of("common", "services"))
                .forEach(c -> reload.applied("rawrouter " + c));
        try {
            reload.bindListeners(listener -> new RawRouterInitializer(() -> context, listener.name()));
        } catch (Exception e) {
            reload.rollback();
            throw e;
        }
        config = next;
        context = new RawRouterContext(next, runtime);
        return reload.commit();
    }

    @Override
    public RouterRuntime runtime() {
        return runtime;
    }
}
