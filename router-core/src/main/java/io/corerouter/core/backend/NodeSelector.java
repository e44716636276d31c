package io.corerouter.core.backend;

import io.corerouter.core.route.KeyMapper;
import io.corerouter.core.route.Routes;
import java.util.List;

/**
 * Chooses the node for each connect attempt of one request (spec §3.6): the mapper first; after a
 * failed connect, up to {@code maxRetries} more attempts, each going to the next {@code fallback}
 * entry when fallbacks are configured (never back to the mapper), otherwise to the mapper again
 * (which skips the node just marked dead). A fallback that health checks hold down is skipped.
 *
 * <p>One instance per client connection, {@link #reset() reset} per request: touched only from
 * that connection's event loop.
 */
public final class NodeSelector {
    private KeyMapper mapper;
    private List<? extends BackendNode> fallbacks;
    private final int maxRetries;
    private int retries;
    private int nextFallback;

    public NodeSelector(KeyMapper mapper, List<? extends BackendNode> fallbacks, int maxRetries) {
        this.mapper = mapper;
        this.fallbacks = fallbacks;
        this.maxRetries = maxRetries;
    }

    /** Picks from {@code routes}, a router's routes when the request starts. */
    public NodeSelector(Routes routes, int maxRetries) {
        this(routes.mapper(), routes.fallbacks(), maxRetries);
    }

    /**
     * Starts a new request on {@code routes}: the router's routes now, which a reload (SIGHUP) may
     * have swapped since the connection's last request.
     */
    public void reset(Routes routes) {
        mapper = routes.mapper();
        fallbacks = routes.fallbacks();
        reset();
    }

    /** Starts a new request. */
    public void reset() {
        retries = 0;
        nextFallback = 0;
    }

    /** The node for the first attempt, or null when the mapper has none for the key. */
    public BackendNode first(CharSequence key) {
        return mapper.pick(key);
    }

    /**
     * The node for the next attempt after a failure, or null when attempts or fallbacks ran out.
     *
     * @param noNodeForKey true when the first pick found nothing and the router goes straight to
     *     its fallbacks ({@code --fastrouter-fallback-on-no-key})
     */
    public BackendNode retry(CharSequence key, boolean noNodeForKey) {
        if (retries >= maxRetries && !noNodeForKey) {
            return null;
        }
        retries++;
        if (!fallbacks.isEmpty()) {
            while (nextFallback < fallbacks.size()) {
                BackendNode fallback = fallbacks.get(nextFallback++);
                NodeHealth health = fallback.health();
                if (health == null || !health.isDown()) {
                    return fallback; // a fallback that only failed is tried anyway, as uWSGI does
                }
            }
            return null;
        }
        return noNodeForKey ? null : mapper.pick(key);
    }

    /** Connect attempts that failed so far in this request. */
    public int retries() {
        return retries;
    }

    /** True when a failure can still be retried somewhere. */
    public boolean hasFallbacks() {
        return !fallbacks.isEmpty();
    }
}
