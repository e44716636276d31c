package io.corerouter.core.server;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The system host name, as uWSGI's {@code uwsgi.hostname} ({@code gethostname(2)}): SERVER_NAME and
 * the default routing key of the HTTP router (spec §4.2, §4.4). Read once at start-up, never on an
 * event loop.
 */
public final class Hostname {
    private Hostname() {
    }

    public static String get() {
        try {
            String name = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.US_ASCII).trim();
            if (!name.isEmpty()) {
                return name;
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall through
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
