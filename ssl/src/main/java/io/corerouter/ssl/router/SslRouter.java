package io.corerouter.ssl.router;

import io.corerouter.core.config.Endpoint;
import io.corerouter.core.route.KeyMapper;
import io.corerouter.core.server.ReloadReport;
import io.corerouter.core.server.Router;
import io.corerouter.core.server.RouterRuntime;
import io.corerouter.core.transport.Transport;
import io.corerouter.ssl.TlsFront;
import io.corerouter.ssl.TlsListener;
import io.corerouter.ssl.TlsService;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The sslrouter (spec §5.5, §5.6): terminates TLS on every {@code --sslrouter} listener and relays
 * the plaintext, byte for byte, to a node chosen by the listener's socket name, or by the SNI name
 * with {@code --sslrouter-sni}. The node is connected as soon as the handshake completes, so
 * protocols where the server speaks first work (deviations.md; uWSGI waits for a client byte).
 *
 * <p>Mapper precedence (spec §3.4): a mapper given by the caller (the subscription table, wired by
 * {@code --sslrouter-subscription-server}), else the static {@code --sslrouter-to} nodes, else none
 * (every connection is closed after its handshake).
 */
public final class SslRouter implements Router {
    private volatile SslRouterConfig config;
    private final Transport transport;
    private final TlsService tls;
    private final KeyMapper externalMapper;
    private RouterRuntime runtime;
    /** The context new connections get; swapped by a reload. */
    private volatile SslRouterContext context;
    private final Map<String, SslRouterInitializer> initializers = new HashMap<>();

    /**
     * @param tls            the process's TLS service (contexts, SNI, sessions)
     * @param externalMapper the mapper that overrides static nodes (subscriptions), or null
     */
    public SslRouter(SslRouterConfig config, Transport transport, TlsService tls, KeyMapper externalMapper) {
        this.config = config;
        this.transport = transport;
        this.tls = tls;
        this.externalMapper = externalMapper;
    }

    /** Builds the listeners' contexts, resolves nodes and binds. Blocking: call from the main thread. */
    @Override
    public void start() throws Exception {
        List<TlsFront> fronts = new ArrayList<>();
        for (TlsListener listener : config.listeners()) {
            fronts.add(tls.front(SslRouterConfig.KIND, listener, config.sessionContext()));
        }
        runtime = new RouterRuntime(SslRouterConfig.KIND, config.common(), transport, externalMapper,
                config.common().timeouts().connect());
        context = new SslRouterContext(config, runtime);
        for (int i = 0; i < config.listeners().size(); i++) {
            Endpoint endpoint = config.listeners().get(i).endpoint();
            runtime.bind(endpoint, initializer(endpoint, fronts.get(i)));
        }
    }

    private SslRouterInitializer initializer(Endpoint endpoint, TlsFront front) {
        SslRouterInitializer initializer = new SslRouterInitializer(() -> context, front, endpoint.name());
        initializers.put(endpoint.name(), initializer);
        return initializer;
    }

    /**
     * Applies a reloaded config (SIGHUP): the contexts of listeners that are new or have other files
     * are built first, then new listeners bound; then the routes and settings are swapped in for the
     * connections accepted from then on, and removed listeners close (their connections go on). On
     * failure the router is as it was. Main or reload thread only.
     */
    public ReloadReport reconfigure(SslRouterConfig next) throws Exception {
        RouterRuntime.Reload reload = runtime.reload(next.common());
        ReloadReport.changedComponents(config, next, Set.of("common", "services", "listeners"))
                .forEach(c -> reload.applied("sslrouter " + c));
        Map<String, TlsListener> before = new HashMap<>();
        config.listeners().forEach(l -> before.put(l.endpoint().name(), l));
        Map<String, TlsFront> fronts = new HashMap<>();
        for (TlsListener listener : next.listeners()) {
            TlsListener old = before.get(listener.endpoint().name());
            if (old == null || !old.equals(listener) || !config.sessionContext().equals(next.sessionContext())) {
                fronts.put(listener.endpoint().name(), tls.front(SslRouterConfig.KIND, listener, next.sessionContext()));
            }
        }
        List<String> after = new ArrayList<>();
        try {
            for (TlsListener listener : next.listeners()) {
                String name = listener.endpoint().name();
                after.add(name);
                if (!before.containsKey(name)) {
                    reload.bind(listener.endpoint(), initializer(listener.endpoint(), fronts.get(name)));
                }
            }
        } catch (Exception e) {
            reload.rollback();
            after.forEach(name -> {
                if (!before.containsKey(name)) {
                    initializers.remove(name);
                }
            });
            fronts.values().forEach(tls::release);
            throw e;
        }
        for (String name : before.keySet()) {
            if (!after.contains(name)) {
                reload.closeAtCommit(name);
                tls.release(initializers.remove(name).tls());
            } else if (fronts.containsKey(name)) {
                tls.release(initializers.get(name).tls());
                initializers.get(name).tls(fronts.get(name));
                reload.applied("sslrouter " + name + " certificate=\"" + fronts.get(name).defaultCertificate()
                        .getSubjectX500Principal().getName() + "\"");
            }
        }
        config = next;
        context = new SslRouterContext(next, runtime);
        return reload.commit();
    }

    @Override
    public RouterRuntime runtime() {
        return runtime;
    }
}
