package io.corerouter.fast;

import io.corerouter.core.route.KeyMapper;
import io.corerouter.core.server.Router;
import io.corerouter.core.server.RouterRuntime;
import io.corerouter.core.transport.Transport;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * The fastrouter (spec §3, §8.1): uwsgi packets in, typically from nginx's {@code uwsgi_pass}, routed by
 * {@code UWSGI_FASTROUTER_KEY}, {@code HTTP_HOST} or {@code SERVER_NAME} to a uwsgi node, the response
 * relayed back untouched. Listens on every {@code --fastrouter} address and every socket of every
 * {@code --fastrouter-zerg} server.
 *
 * <p>Mappers (spec §3.4): {@code --fastrouter-use-pattern}, the external mapper given here (the
 * subscription table, {@code --fastrouter-subscription-server}), {@code --fastrouter-use-base},
 * {@code --fastrouter-to}, in that precedence.
 */
public final class FastRouter implements Router {
    private final FastRouterConfig config;
    private final Transport transport;
    private final KeyMapper externalMapper;
    private final Executor offload;
    private RouterRuntime runtime;

    /**
     * @param externalMapper the subscription table, or null
     * @param offload        runs the blocking work of post-buffering (temporary files)
     */
    public FastRouter(FastRouterConfig config, Transport transport, KeyMapper externalMapper, Executor offload) {
        this.config = Objects.requireNonNull(config, "config");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.externalMapper = externalMapper;
        this.offload = Objects.requireNonNull(offload, "offload");
    }

    /** Resolves nodes, binds the listeners and attaches to the zerg servers. Blocking: call from the main thread. */
    @Override
    public void start() throws Exception {
        runtime = new RouterRuntime("fastrouter", config.common(), transport, externalMapper,
                config.common().timeouts().connect());
        FastRouterInitializer initializer = new FastRouterInitializer(new FastRouterContext(config, runtime, offload));
        runtime.serve(listener -> initializer);
    }

    @Override
    public RouterRuntime runtime() {
        return runtime;
    }
}
