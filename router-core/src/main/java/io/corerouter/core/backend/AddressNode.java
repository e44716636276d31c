package io.corerouter.core.backend;

import io.corerouter.core.config.NodeProtocol;
import java.net.SocketAddress;

/**
 * A node made for one request from the routing key ({@code --R-use-pattern}, {@code --R-use-base},
 * spec §3.4). uWSGI keeps no state for such nodes (no dead mark, no counters), and neither does this:
 * every callback is a no-op, and modifiers are 0 as for every non-subscription mapper (spec §1.5).
 */
public record AddressNode(String name, SocketAddress address, NodeProtocol protocol) implements BackendNode {
    /** A classic uwsgi node. */
    public AddressNode(String name, SocketAddress address) {
        this(name, address, NodeProtocol.UWSGI);
    }

    @Override
    public int modifier1() {
        return 0;
    }

    @Override
    public int modifier2() {
        return 0;
    }

    @Override
    public void connected() {
    }

    @Override
    public void connectFailed() {
    }

    @Override
    public void addTraffic(long fromNode, long toNode) {
    }

    @Override
    public void release() {
    }
}
