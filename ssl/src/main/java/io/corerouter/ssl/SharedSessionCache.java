package io.corerouter.ssl;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.netty.internal.tcnative.SSLSession;
import io.netty.internal.tcnative.SSLSessionCache;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/**
 * The TLS session cache of the process (deviations.md: uWSGI's Debian build has none): one bounded,
 * expiring Caffeine cache of native {@code SSL_SESSION}s keyed by session id, plugged into every
 * server context as its external cache, so a TLS 1.2 client resumes by session id whichever event
 * loop and whichever listener's context it reaches. Tickets (TLS 1.3, and 1.2 clients that support
 * them) do not use it: see {@link TicketKeys}.
 *
 * <p>OpenSSL calls {@link #sessionCreated} after a full handshake (the cache takes over the session's
 * reference) and {@link #getSession} when a client offers a session id (the returned session gets a
 * new reference that OpenSSL owns). A session is freed when Caffeine drops it: on expiry
 * ({@code --ssl-sessions-timeout}), on size eviction ({@code --ssl-sessions-cache-size}) or when the
 * cache is closed. Each entry guards its native pointer, so a lookup racing an eviction never
 * touches a freed session. Called on event loops: no blocking, no locks but an entry's own.
 */
final class SharedSessionCache implements SSLSessionCache, AutoCloseable {
    private final String name;
    private final Cache<ByteBuffer, NativeSession> sessions;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder stored = new LongAdder();

    /** One native session and whether it has been freed. */
    private static final class NativeSession {
        private final long pointer;
        private boolean freed;

        NativeSession(long pointer) {
            this.pointer = pointer;
        }

        synchronized boolean upRef() {
            return !freed && SSLSession.upRef(pointer);
        }

        synchronized void free() {
            if (!freed) {
                freed = true;
                SSLSession.free(pointer);
            }
        }
    }

    SharedSessionCache(String name, int maximumSize, Duration timeout) {
        this.name = name;
        this.sessions = Caffeine.newBuilder()
                .maximumSize(maximumSize)
                .expireAfterWrite(timeout)
                .executor(Runnable::run) // free on the thread that evicts, never on a shared pool
                .<ByteBuffer, NativeSession>removalListener((id, session, cause) -> {
                    if (session != null) {
                        session.free();
                    }
                })
                .build();
    }

    @Override
    public boolean sessionCreated(long ssl, long sslSession) {
        byte[] id = SSLSession.getSessionId(sslSession);
        if (id == null || id.length == 0) {
            return false; // ticket-only session: nothing to look up later
        }
        sessions.put(ByteBuffer.wrap(id), new NativeSession(sslSession));
        stored.increment();
        return true;
    }

    @Override
    public long getSession(long ssl, byte[] sessionId) {
        ByteBuffer id = ByteBuffer.wrap(sessionId);
        NativeSession session = sessions.getIfPresent(id);
        if (session == null || !session.upRef()) {
            misses.increment();
            return -1;
        }
        if (SSLSession.shouldBeSingleUse(session.pointer)) {
            sessions.invalidate(id);
        }
        hits.increment();
        return session.pointer;
    }

    /** Counters for the stats: lookups that resumed, lookups that did not, sessions stored, and held now. */
    TlsStats.SessionCache stats() {
        return new TlsStats.SessionCache(name, sessions.estimatedSize(), hits.sum(), misses.sum(), stored.sum());
    }

    @Override
    public void close() {
        sessions.invalidateAll();
        sessions.cleanUp();
    }
}
