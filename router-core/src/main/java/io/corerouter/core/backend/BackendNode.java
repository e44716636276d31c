package io.corerouter.core.backend;

import io.corerouter.core.config.NodeProtocol;
import java.net.SocketAddress;

/**
 * A backend a session can be connected to: a static {@code --R-to} node, a fallback, or a node
 * announced by a subscription.
 *
 * <p>A {@link io.corerouter.core.route.KeyMapper} hands out a node per session; the session reports
 * what happened ({@link #connected}, {@link #connectFailed}) and gives it back with
 * {@link #release} exactly once when its backend connection is gone. Implementations are called
 * from any event loop and must be thread-safe and non-blocking.
 */
public interface BackendNode {
    /** The address as configured or announced (stats, logs). */
    String name();

    /** The resolved address to connect to. */
    SocketAddress address();

    /** What the node speaks: the classic uwsgi protocol unless its address had a scheme. */
    default NodeProtocol protocol() {
        return NodeProtocol.UWSGI;
    }

    /**
     * The most connections the router opens to this node, all event loops together, for pooled
     * protocols; 0 leaves it to the router's {@code --R-node-connections}. A subscribed uWSGI node
     * announces its cores (processes × threads), which is its concurrency.
     */
    default int connectionLimit() {
        return 0;
    }

    /** modifier1 written into packets sent to this node (spec §1.5). */
    int modifier1();

    /** modifier2 written into packets sent to this node. */
    int modifier2();

    /** The connect succeeded (counts a request, spec §3.11 {@code hits}/{@code requests}). */
    void connected();

    /** The connect failed: the node is marked dead (spec §2.6, §3.4 item 7). */
    void connectFailed();

    /**
     * A request failed on this node before a complete response head: it closed or reset the
     * connection, sent an invalid head, or did not answer within the idle timeout (passive health,
     * {@code --R-error-limit}). Not called for failed connects ({@link #connectFailed}) nor for
     * failures of the client.
     */
    default void requestFailed(String reason) {
    }

    /** A request to this node got its response head: failures in a row start again. */
    default void requestSucceeded() {
    }

    /**
     * The node's health (dead mark, active checks), or null for nodes that keep none: a node with one
     * is checked by the router's {@link HealthChecker} when it is among its targets, and skipped by
     * the selectors while checks hold it down.
     */
    default NodeHealth health() {
        return null;
    }

    /** Bytes read from the node (its {@code tx}) and written to it (its {@code rx}), spec §2.3. */
    void addTraffic(long fromNode, long toNode);

    /** The session is done with the node (reference count, spec §2.7). */
    void release();
}
