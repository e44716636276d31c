package io.corerouter.http;

import io.corerouter.core.backend.BackendConnector;
import io.corerouter.core.backend.BackendNode;
import io.corerouter.core.backend.NodeSelector;
import io.corerouter.core.config.HttpRouterConfig;
import io.corerouter.core.route.KeyMapper;
import io.netty.handler.codec.http.HttpDecoderConfig;
import java.util.List;

/**
 * What every session of one HTTP router shares, read-only after start-up: the mapper, fallbacks,
 * connector and the settings sessions consult per request, pre-computed into the units they need.
 */
final class HttpRouterContext {
    /** Connect attempts after the first (spec §3.6; uWSGI has no option for http). */
    static final int MAX_RETRIES = 3;

    private final HttpRouterConfig config;
    private final KeyMapper mapper;
    private final List<? extends BackendNode> fallbacks;
    private final BackendConnector connector;
    private final String serverName;
    private final HttpDecoderConfig requestDecoderConfig;
    private final HttpDecoderConfig responseDecoderConfig;
    private final long headersTimeoutNanos;
    private final long keepAliveIdleNanos;
    /** Client connections open now (stats {@code active_sessions}). */

    HttpRouterContext(HttpRouterConfig config, KeyMapper mapper, List<? extends BackendNode> fallbacks,
            BackendConnector connector, String serverName) {
        this.config = config;
        this.mapper = mapper;
        this.fallbacks = List.copyOf(fallbacks);
        this.connector = connector;
        this.serverName = serverName;
        this.requestDecoderConfig = new HttpDecoderConfig()
                .setMaxInitialLineLength(config.limits().maxInitialLineLength())
                .setMaxHeaderSize(config.limits().maxHeadSize())
                .setMaxChunkSize(65536)
                .setInitialBufferSize(config.common().bufferSize());
        this.responseDecoderConfig = new HttpDecoderConfig()
                .setMaxInitialLineLength(65536)
                .setMaxHeaderSize(65536)
                .setMaxChunkSize(65536);
        this.headersTimeoutNanos = config.common().timeouts().headers().toNanos();
        this.keepAliveIdleNanos = config.keepAlive().idle().toNanos();
    }

    HttpRouterConfig config() {
        return config;
    }

    NodeSelector newSelector() {
        return new NodeSelector(mapper, fallbacks, MAX_RETRIES);
    }

    BackendConnector connector() {
        return connector;
    }

    String serverName() {
        return serverName;
    }

    HttpDecoderConfig requestDecoderConfig() {
        return requestDecoderConfig;
    }

    HttpDecoderConfig responseDecoderConfig() {
        return responseDecoderConfig;
    }

    long headersTimeoutNanos() {
        return headersTimeoutNanos;
    }

    long keepAliveIdleNanos() {
        return keepAliveIdleNanos;
    }

    long idleTimeoutSeconds() {
        return config.common().timeouts().idle().toSeconds();
    }

    boolean keepAliveEnabled() {
        return config.keepAlive().enabled();
    }

    boolean quiet() {
        return config.common().quiet();
    }

    int modifier1() {
        return config.modifier1();
    }

    int modifier2() {
        return config.modifier2();
    }
}
