package io.corerouter.fast;

import io.corerouter.core.backend.BackendConnector;
import io.corerouter.core.pool.NodePools;
import io.corerouter.core.backend.NodeSelector;
import io.corerouter.core.server.RouterRuntime;
import java.nio.file.Path;
import java.util.concurrent.Executor;

/**
 * What every session of one fastrouter shares, immutable; a reload (SIGHUP) makes a new one for the
 * connections accepted after it. The routes are read from the runtime when a session starts.
 */
final class FastRouterContext {
    /** Connect attempts after the first (spec §3.6: 2.0.21 has no --fastrouter-max-retries). */
    static final int MAX_RETRIES = 3;

    private final FastRouterConfig config;
    private final RouterRuntime runtime;
    private final Executor offload;
    private final Path postBufferingDir;

    FastRouterContext(FastRouterConfig config, RouterRuntime runtime, Executor offload) {
        this.config = config;
        this.runtime = runtime;
        this.offload = offload;
        this.postBufferingDir = config.postBufferingDir().orElse(Path.of(System.getProperty("java.io.tmpdir")));
    }

    FastRouterConfig config() {
        return config;
    }

    NodeSelector newSelector() {
        return new NodeSelector(runtime.routes(), MAX_RETRIES);
    }

    BackendConnector connector() {
        return runtime.connector();
    }

    /** Persistent connections to {@code puwsgi://} nodes. */
    NodePools pools() {
        return runtime.nodePools();
    }

    boolean quiet() {
        return config.common().quiet();
    }

    boolean fallbackOnNoKey() {
        return config.fallbackOnNoKey();
    }

    long postBuffering() {
        return config.postBuffering();
    }

    Executor offload() {
        return offload;
    }

    Path postBufferingDir() {
        return postBufferingDir;
    }
}
