package io.corerouter.ssl;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What one server context is built from: its files and settings, its session id context, and a
 * label for logs ({@code https 127.0.0.1:8443}, {@code sni example.com}).
 */
record ContextSpec(String label, TlsFiles files, String sessionIdContext) {

    ContextSpec {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(files, "files");
        Objects.requireNonNull(sessionIdContext, "sessionIdContext");
    }

    /** The files whose changes trigger a rebuild. */
    List<Path> paths() {
        List<Path> paths = new ArrayList<>(3);
        paths.add(files.cert());
        paths.add(files.key());
        files.clientCa().ifPresent(paths::add);
        return paths;
    }
}
