package io.corerouter.fast;

import io.corerouter.core.route.KeyMapper;
import io.corerouter.core.server.ReloadReport;
import io.corerouter.core.server.Router;
import io.corerouter.core.server.RouterRuntime;
import io.corerouter.core.transport.Transport;
import java.util.Objects;
import java.util.Set;
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
    private volatile FastRouterConfig config;
    private final Transport transport;
    private final KeyMapper externalMapper;
    private final Executor offload;
    private RouterRuntime runtime;
    private FastRouterInitializer initializer;

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
        initializer = new FastRouterInitializer(new FastRouterContext(config, runtime, offload));
        runtime.serve(listener -> initializer);
    }

    /**
     * Applies a reloaded config (SIGHUP): routes for the requests that start from then on, the other
     * settings for the connections accepted from then on, listeners added and removed. On failure the
     * router is as it was. Main or reload thread only.
     */
    public ReloadReport reconfigure(FastRouterConfig next) throws Exception {
        RouterRuntime.Reload reload = runtime.reload(next.common());
        ReloadReport.changedComponents(config, next, Set.of("common", "services"))
                .forEach(c -> reload.applied("fastrouter " + c));
        try {
            reload.bindListeners(listener -> initializer);
        } catch (Exception e) {
            reload.rollback();
            throw e;
        }
        config = next;
        initializer.context(new FastRouterContext(next, runtime, offload));
        return reload.commit();
    }

    @Override
    public RouterRuntime runtime() {
        return runtime;
    }
}
