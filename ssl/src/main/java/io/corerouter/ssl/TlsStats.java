package io.corerouter.ssl;

/**
 * A snapshot of the TLS counters of the process, for the stats server.
 *
 * @param engine        the TLS implementation ({@link TlsEngine#description()})
 * @param sessionCache  the shared session-id cache, or null when it is off (size 0, or the JDK engine)
 * @param contexts      server contexts alive (default, SNI, directory and subscription ones)
 * @param handshakes    handshakes completed since start (full and resumed)
 * @param failedHandshakes handshakes that failed (bad client, no shared cipher, missing client certificate)
 * @param resumedHandshakes handshakes that resumed a session, by session id or ticket (BoringSSL only)
 * @param ticketKeys    keys in the ring from {@code --ssl-ticket-keys}, 0 without the option
 */
public record TlsStats(String engine, SessionCache sessionCache, int contexts, long handshakes, long failedHandshakes,
                       long resumedHandshakes, int ticketKeys) {

    /**
     * The shared session cache.
     *
     * @param name    {@code --ssl-sessions-use-cache=NAME}
     * @param items   sessions held now (an estimate)
     * @param hits    session-id lookups that found a session
     * @param misses  session-id lookups that found none (expired, evicted, or from another process)
     * @param stored  sessions stored since start
     */
    public record SessionCache(String name, long items, long hits, long misses, long stored) {
    }
}
