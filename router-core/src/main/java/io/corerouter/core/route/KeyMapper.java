package io.corerouter.core.route;

import io.corerouter.core.backend.BackendNode;

/**
 * Maps a routing key (Host header, SNI name, uwsgi var or listener name) to one backend node
 * (spec §3.4). Exactly one mapper is active per router: static nodes, a pattern, a base, or the
 * subscription table (implemented in the {@code subscription} module).
 *
 * <p>Called on event loops for every request: implementations must not block or lock.
 */
@FunctionalInterface
public interface KeyMapper {
    /**
     * Picks a node for {@code key}.
     *
     * @return the node, which the caller must {@link BackendNode#release() release}, or null when
     *     no node is available for the key (answered 503)
     */
    BackendNode pick(CharSequence key);
}
