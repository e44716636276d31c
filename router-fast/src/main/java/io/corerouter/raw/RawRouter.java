package io.corerouter.raw;

import io.corerouter.core.route.KeyMapper;
import io.corerouter.core.server.Router;
import io.corerouter.core.server.RouterRuntime;
import io.corerouter.core.transport.Transport;
import java.util.Objects;
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

    private final RawRouterConfig config;
    private final Transport transport;
    private final KeyMapper externalMapper;
    private RouterRuntime runtime;

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
        RawRouterContext context = new RawRouterContext(config, runtime);
        runtime.serve(listener -> new RawRouterInitializer(context, listener.name()));
    }

    @Override
    public RouterRuntime runtime() {
        return runtime;
    }
}
