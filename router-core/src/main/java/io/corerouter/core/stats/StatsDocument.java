package io.corerouter.core.stats;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One stats document (spec §3.11): the process header ({@code version}, {@code pid}, {@code uid},
 * {@code gid}, {@code cwd}) followed by one router's members. The process values are read once,
 * when the document type is created at start-up.
 */
public final class StatsDocument {
    private final String version;
    private final long pid;
    private final long uid;
    private final long gid;
    private final String cwd;
    private final StatsSource router;

    /**
     * @param version what {@code "version"} says (corerouter's version)
     * @param router  the router's members ({@link RouterStats})
     */
    public StatsDocument(String version, StatsSource router) {
        this.version = Objects.requireNonNull(version, "version");
        this.router = Objects.requireNonNull(router, "router");
        this.pid = ProcessHandle.current().pid();
        this.uid = unixAttribute("unix:uid");
        this.gid = unixAttribute("unix:gid");
        this.cwd = System.getProperty("user.dir", "");
    }

    /** The document as text: valid JSON, tab-indented lines unless {@code minified}. */
    public String render(boolean minified) {
        JsonWriter json = new JsonWriter(minified);
        json.beginObject()
            .field("version", version)
            .field("pid", pid)
            .field("uid", uid)
            .field("gid", gid)
            .field("cwd", cwd);
        router.writeStats(json);
        json.endObject();
        return json.toString();
    }

    /** The owner of this process's /proc entry: its real uid/gid; 0 where /proc is missing. */
    private static long unixAttribute(String attribute) {
        try {
            Object value = Files.getAttribute(Path.of("/proc/self"), attribute);
            return value instanceof Number n ? n.longValue() : 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | SecurityException e) {
            return 0;
        }
    }
}
