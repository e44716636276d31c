package io.corerouter.ssl;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What one server context is built from: its files and settings, its session id context, a label for
 * logs ({@code https 127.0.0.1:8443}, {@code sni example.com}) and the OCSP response file stapled for
 * its certificate ({@code --ssl-ocsp-file}), if any, and the protocols it offers by ALPN ({@code h2} and
 * {@code http/1.1} on an https listener with HTTP/2 on; empty: no ALPN, as for SNI entries and the
 * sslrouter).
 */
record ContextSpec(String label, TlsFiles files, String sessionIdContext, Optional<Path> ocspFile, List<String> alpn) {

    ContextSpec {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(files, "files");
        Objects.requireNonNull(sessionIdContext, "sessionIdContext");
        Objects.requireNonNull(ocspFile, "ocspFile");
        alpn = List.copyOf(alpn);
    }

    /** The spec of {@code files}, with the response file {@code ocsp} names for its certificate. */
    static ContextSpec of(String label, TlsFiles files, String sessionIdContext, TlsConfig.Ocsp ocsp) {
        return new ContextSpec(label, files, sessionIdContext, ocsp.fileFor(files.cert()), List.of());
    }

    /** This spec offering {@code protocols} by ALPN, in preference order (none: no ALPN). */
    ContextSpec withAlpn(List<String> protocols) {
        return new ContextSpec(label, files, sessionIdContext, ocspFile, protocols);
    }

    /** The files whose changes trigger a rebuild. */
    List<Path> paths() {
        List<Path> paths = new ArrayList<>(4);
        paths.add(files.cert());
        paths.add(files.key());
        files.clientCa().ifPresent(paths::add);
        ocspFile.ifPresent(paths::add);
        return paths;
    }
}
