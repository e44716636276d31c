package io.corerouter.http;

import io.corerouter.core.backend.BackendConnector;
import io.corerouter.core.backend.NodeSelector;
import io.corerouter.core.pool.NodePools;
import io.corerouter.core.route.Routes;
import io.corerouter.core.server.RouterRuntime;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObjectDecoder;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every session of one HTTP router shares, immutable: the config and the settings sessions
 * consult per request, pre-computed into the units they need, and the router's runtime (routes,
 * connector, pools). A reload (SIGHUP) makes a new one for the connections accepted after it; the
 * routes are read from the runtime when each request starts, so kept-alive connections follow a
 * new node list too.
 *
 * <p>Both HTTP decoders run with Netty's strict line parsing (bare LF is rejected) and RFC 9112
 * transfer-encoding rules (TE with CL, TE on HTTP/1.0 are rejected); identical duplicate
 * Content-Lengths are merged, differing ones rejected (docs/http-hardening.md).
 */
final class HttpRouterContext {
    /** Connect attempts after the first (spec §3.6; uWSGI has no option for http). */
    static final int MAX_RETRIES = 3;

    private final HttpRouterConfig config;
    private final HttpsConfig https;
    private final RouterRuntime runtime;
    private final String serverName;
    private final HttpDecoderConfig requestDecoderConfig;
    private final HttpDecoderConfig responseDecoderConfig;
    private final long headersTimeoutNanos;
    private final long keepAliveIdleNanos;
    private final Executor offload;
    /** Open client connections of this router, all event loops together ({@code --http-max-connections}). */
    private final AtomicInteger openConnections;
    /** How connections switch to HTTP/2, with this context's limits ({@link Http2Config}). */
    private final Http2Front http2;

    /**
     * @param openConnections the router's count of open client connections, kept across reloads
     * @param offload         runs blocking work (temporary files of de-chunked bodies) off the event loops
     */
    HttpRouterContext(HttpRouterConfig config, HttpsConfig https, RouterRuntime runtime, AtomicInteger openConnections,
            String serverName, Executor offload) {
        this.config = config;
        this.https = https;
        this.offload = offload;
        this.runtime = runtime;
        this.openConnections = openConnections;
        this.serverName = serverName;
        this.requestDecoderConfig = requestDecoderConfig(config);
        this.responseDecoderConfig = newResponseDecoderConfig();
        this.headersTimeoutNanos = config.common().timeouts().headers().toNanos();
        this.keepAliveIdleNanos = config.keepAlive().idle().toNanos();
        this.http2 = new Http2Front(config);
    }

    Http2Front http2() {
        return http2;
    }

    /** The client-side decoder settings: head limits from the config, strict parsing (class comment). */
    static HttpDecoderConfig requestDecoderConfig(HttpRouterConfig config) {
        return new HttpDecoderConfig()
                .setMaxInitialLineLength(config.limits().maxInitialLineLength())
                .setMaxHeaderSize(config.limits().maxHeadSize())
                .setMaxChunkSize(65536)
                // the decoder keeps this scratch buffer for the connection's life and grows it only for
                // a longer line: Netty's 128 bytes, not buffer-size, or each idle keep-alive client
                // holds 4 KB of heap (issue 14)
                .setInitialBufferSize(HttpObjectDecoder.DEFAULT_INITIAL_BUFFER_SIZE)
                .setStrictLineParsing(true)
                .setUseRfc9112TransferEncoding(true)
                .setAllowDuplicateContentLengths(true);
    }

    /** The node-side decoder settings: 64 KiB heads like uWSGI's response buffer, strict parsing. */
    static HttpDecoderConfig newResponseDecoderConfig() {
        return NodePools.responseDecoderConfig();
    }

    HttpRouterConfig config() {
        return config;
    }

    HttpsConfig https() {
        return https;
    }

    HttpFeatures features() {
        return config.features();
    }

    Executor offload() {
        return offload;
    }

    AtomicInteger openConnections() {
        return openConnections;
    }

    int maxHeaderCount() {
        return config.limits().maxHeaderCount();
    }

    long headersTimeoutSeconds() {
        return config.common().timeouts().headers().toSeconds();
    }

    NodeSelector newSelector() {
        return new NodeSelector(runtime.routes(), MAX_RETRIES);
    }

    /** The router's routes now: read when a request starts. */
    Routes routes() {
        return runtime.routes();
    }

    BackendConnector connector() {
        return runtime.connector();
    }

    /** Persistent connections to {@code puwsgi://} and {@code http://} nodes. */
    NodePools pools() {
        return runtime.nodePools();
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
