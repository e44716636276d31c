package io.corerouter.core.route;

import io.corerouter.core.backend.StaticNode;
import io.corerouter.core.backend.StaticNodes;
import java.util.List;
import java.util.Objects;

/**
 * Where a router sends requests, as one immutable value: the active mapper (spec §3.4), the static
 * nodes behind it when they are the mapper, and the fallback nodes (§3.6). A router holds one in a
 * volatile field and a reload (SIGHUP) swaps in a new one; a request reads it once, when it starts,
 * so it finishes on the nodes it started with (STYLE item 11: snapshots swapped atomically).
 *
 * @param mapper      the active mapper, never null (one that finds nothing when no backend is set)
 * @param staticNodes the {@code --R-to} nodes, or null without (stats; the mapper when no other is set)
 * @param fallbacks   the {@code --R-fallback} nodes, in the order they are tried
 */
public record Routes(KeyMapper mapper, StaticNodes staticNodes, List<StaticNode> fallbacks) {
    /** The mapper of a router without backend: every request finds no node. */
    public static final KeyMapper NONE = key -> null;

    public Routes {
        Objects.requireNonNull(mapper, "mapper");
        fallbacks = List.copyOf(fallbacks);
    }
}
