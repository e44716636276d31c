package io.corerouter.core.server;

/**
 * The user event every open session receives when its router stops accepting (a graceful stop on
 * SIGTERM or SIGINT): finish the request in flight, then close. A session with a protocol that can
 * say so tells its client ({@code Connection: close} on the HTTP response in flight); a keep-alive
 * connection waiting for its next request closes at once. Sessions that do nothing with it are
 * closed when the drain time ({@code --reload-mercy}) is over, or earlier when their request ends.
 * May arrive more than once.
 */
public enum DrainEvent {
    INSTANCE
}
