package io.corerouter.ssl;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import java.util.logging.Logger;

/**
 * The TLS implementation of the process: BoringSSL through netty-tcnative when its native library
 * loads (logged with its version), else the JDK's engine with a warning: slower handshakes, and no
 * shared session cache or ticket keys (those need the native session hooks).
 *
 * @param provider    what {@link io.netty.handler.ssl.SslContextBuilder} builds with
 * @param description for logs: {@code BoringSSL (netty-tcnative)} or {@code JDK}
 */
public record TlsEngine(SslProvider provider, String description) {
    private static final Logger LOG = Logger.getLogger(TlsEngine.class.getName());

    /** OpenSSL/BoringSSL when available, else the JDK engine (both logged). */
    public static TlsEngine detect() {
        if (OpenSsl.isAvailable()) {
            TlsEngine engine = new TlsEngine(SslProvider.OPENSSL, OpenSsl.versionString() + " (netty-tcnative)");
            LOG.info(() -> "tls engine=\"" + engine.description() + "\"");
            return engine;
        }
        LOG.warning(() -> "tls engine=JDK reason=\"netty-tcnative unavailable: " + OpenSsl.unavailabilityCause()
                + "\" (slower handshakes; no shared session cache, no --ssl-ticket-keys)");
        return jdk();
    }

    /** The JDK engine, for tests of the fallback. */
    public static TlsEngine jdk() {
        return new TlsEngine(SslProvider.JDK, "JDK");
    }

    public boolean isOpenSsl() {
        return provider == SslProvider.OPENSSL;
    }
}
