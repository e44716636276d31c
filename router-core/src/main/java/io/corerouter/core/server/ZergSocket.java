package io.corerouter.core.server;

/**
 * A listening socket received from a zerg server (spec §7), not yet registered with an event loop.
 *
 * @param fd   the descriptor, owned by whoever registers it (closing its channel closes it)
 * @param unix true for a UNIX stream socket, false for TCP
 * @param name the {@code getsockname()} text, uWSGI's socket name for zerg sockets (spec §3.2):
 *             {@code 127.0.0.1:8080}, {@code [::1]:8080} or a UNIX path
 */
public record ZergSocket(int fd, boolean unix, String name) {
}
