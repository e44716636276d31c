package io.corerouter.core.server;

import com.sun.security.auth.module.UnixSystem;
import io.corerouter.core.config.ConfigException;
import io.corerouter.core.config.RouterOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * {@code --R-uid USER} and {@code --R-gid GROUP} (uWSGI's router "owner" options): uWSGI starts as
 * root, binds, then drops to that user and group. A JVM cannot change its own user, so corerouter
 * checks instead, before binding anything:
 * <ul>
 *   <li>already running as the user (group): nothing to do (the usual set-up: started as that user,
 *       with {@code CAP_NET_BIND_SERVICE} for ports below 1024);</li>
 *   <li>running as root as someone else: start-up fails with a message saying how to run it, because
 *       serving as root against the configuration's intent is not an option;</li>
 *   <li>running as another ordinary user: a warning, and the option is ignored, as uWSGI ignores it
 *       when not started as root.</li>
 * </ul>
 * Names are looked up in {@code /etc/passwd} and {@code /etc/group}; numbers are taken as ids.
 */
public final class RunAs {
    private static final Logger LOG = Logger.getLogger(RunAs.class.getName());
    private static final Path PASSWD = Path.of("/etc/passwd");
    private static final Path GROUP = Path.of("/etc/group");

    private RunAs() {
    }

    /** Checks {@code --R-uid} / {@code --R-gid} of {@code common} against this process's ids. */
    public static void check(RouterOptions common) throws ConfigException {
        if (common.uid().isEmpty() && common.gid().isEmpty()) {
            return;
        }
        UnixSystem me = new UnixSystem();
        for (String warning : check(common.kind(), common.uid(), common.gid(), me.getUid(), me.getGid(), PASSWD, GROUP)) {
            LOG.warning(warning);
        }
    }

    /**
     * @return warnings to log (options ignored because this process is not root)
     * @throws ConfigException naming the option: an unknown user or group, or root running as someone else
     */
    static List<String> check(String kind, Optional<String> user, Optional<String> group, long uid, long gid,
            Path passwd, Path groupFile) throws ConfigException {
        List<String> warnings = new ArrayList<>(2);
        if (user.isPresent()) {
            long wanted = id(kind + "-uid", user.get(), "user", passwd);
            compare(kind + "-uid", user.get(), "uid", wanted, uid, uid, warnings);
        }
        if (group.isPresent()) {
            long wanted = id(kind + "-gid", group.get(), "group", groupFile);
            compare(kind + "-gid", group.get(), "gid", wanted, gid, uid, warnings);
        }
        return warnings;
    }

    private static void compare(String option, String value, String idName, long wanted, long current, long uid,
            List<String> warnings) throws ConfigException {
        if (wanted == current) {
            return;
        }
        String asked = option + ": " + value + " (" + idName + " " + wanted + ")";
        if (uid == 0) {
            throw new ConfigException(asked + ": corerouter runs as root and a JVM cannot drop privileges after "
                    + "binding; start it as that user and group instead (systemd: User=, Group=, and "
                    + "AmbientCapabilities=CAP_NET_BIND_SERVICE for ports below 1024)");
        }
        warnings.add(asked + " ignored: not running as root (" + idName + " " + current + "), as uWSGI ignores it");
    }

    /** A number, or the third field of {@code name}'s line in a passwd/group file. */
    private static long id(String option, String value, String what, Path file) throws ConfigException {
        if (!value.isEmpty() && value.chars().allMatch(c -> c >= '0' && c <= '9') && value.length() < 11) {
            return Long.parseLong(value);
        }
        try {
            for (String line : Files.readAllLines(file)) {
                String[] fields = line.split(":", -1);
                if (fields.length > 2 && fields[0].equals(value)) {
                    return Long.parseLong(fields[2]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            throw new ConfigException(option + ": cannot look up " + what + " \"" + value + "\" in " + file + ": " + e);
        }
        throw new ConfigException(option + ": unknown " + what + " \"" + value + "\" (not in " + file + ")");
    }
}
