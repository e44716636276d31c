package io.corerouter.subscription.table;

import io.corerouter.core.config.Endpoint;
import io.netty.util.NetUtil;
import java.net.SocketAddress;
import java.net.UnknownHostException;

/**
 * Turns an address announced in a datagram (a node address, a notify path) into a socket address
 * without blocking: {@code host:port} with an IP literal (an empty host is this machine), a UNIX path
 * or {@code @abstract} (spec §3.5). Host names are refused: resolving one would stall the
 * subscription thread, and uWSGI cannot connect to them either.
 */
public final class LiteralAddress {
    private LiteralAddress() {
    }

    /** The socket address, or null if {@code text} is not one of the accepted forms. */
    public static SocketAddress resolve(String text) {
        try {
            Endpoint endpoint = Endpoint.parseBackend(text);
            if (endpoint.kind() == Endpoint.Kind.TCP && !NetUtil.isValidIpV4Address(endpoint.host())
                    && !NetUtil.isValidIpV6Address(endpoint.host())) {
                return null;
            }
            return endpoint.toSocketAddress();
        } catch (IllegalArgumentException | UnknownHostException e) {
            return null;
        }
    }
}
