package io.corerouter.core.backend;

import io.corerouter.core.route.KeyMapper;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The static-node mapper of {@code --R-to} (spec §3.4 item 7): round robin over the configured
 * nodes, ignoring the key, skipping a node for {@code gracetime} after its connect failed (or after
 * {@code --R-error-limit} failed requests), and while health checks hold it down ({@link NodeHealth}).
 *
 * <p>uWSGI keeps one cursor per process; here one cursor is shared by every event loop of the
 * router so the rotation stays even across loops. It is a single atomic increment per pick.
 */
public final class StaticNodes implements KeyMapper {
    private final StaticNode[] nodes;
    private final long gracetimeNanos;
    private final Clock clock;
    private final AtomicInteger cursor = new AtomicInteger();

    public StaticNodes(List<StaticNode> nodes, Duration gracetime, Clock clock) {
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("nodes: empty");
        }
        this.nodes = nodes.toArray(new StaticNode[0]);
        this.gracetimeNanos = gracetime.toNanos();
        this.clock = clock;
    }

    @Override
    public BackendNode pick(CharSequence key) {
        int n = nodes.length;
        int start = Math.floorMod(cursor.getAndIncrement(), n);
        long now = clock.nanoTime();
        for (int i = 0; i < n; i++) {
            StaticNode node = nodes[(start + i) % n];
            if (node.isAvailable(now, gracetimeNanos)) {
                if (i > 0) {
                    // continue the rotation after the node actually picked, like uWSGI's cursor
                    cursor.addAndGet(i);
                }
                return node;
            }
        }
        return null;
    }

    /** The nodes in configuration order, for stats. */
    public List<StaticNode> nodes() {
        return List.of(nodes);
    }
}
