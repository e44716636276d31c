package io.corerouter.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The option table machinery, on core's stand-in kind ({@link TestKind}); the launcher tests the assembled table. */
class OptionTableTest {
    private final OptionTable table = TestKind.table();

    @Test
    void lookupByNameOrAlias() {
        assertEquals("http", table.lookup("httprouter").orElseThrow().name());
        assertEquals("http-processes", table.lookup("http-workers").orElseThrow().name());
        assertEquals("help", table.lookup("h").orElseThrow().name());
        assertEquals(OptionSpec.Arity.OPTIONAL, table.lookup("http-keepalive").orElseThrow().arity());
        assertEquals(OptionSpec.Arity.REQUIRED, table.lookup("http-quiet").orElseThrow().arity());
        assertEquals(OptionSpec.Arity.REQUIRED, table.lookup("http-server-name-as-http-host").orElseThrow().arity());
        assertEquals(OptionSpec.Arity.NONE, table.lookup("http-cheap").orElseThrow().arity());
        assertTrue(table.lookup("master").isEmpty());
        assertTrue(table.lookup("--http").isEmpty());
    }

    @Test
    void registrationOrderIsTheDocumentedOrder() {
        assertEquals(List.of("ini", "help", "version", "offload-threads", "reload-mercy",
                "http", "http-processes", "http-to", "http-fallback", "http-gracetime", "http-check-interval",
                "http-check-rise", "http-check-fall", "http-timeout", "http-quiet",
                "http-buffer-size", "http-harakiri", "http-cheap", "http-zerg", "http-use-pattern", "http-use-base",
                "http-events", "http-uid", "http-gid", "http-headers-timeout", "http-connect-timeout",
                "http-keepalive", "http-var", "http-modifier1", "http-modifier2", "http-server-name-as-http-host"),
                table.specs().stream().map(OptionSpec::name).toList().subList(0, 31));
    }

    @Test
    void repeatableOptions() {
        List<String> repeatable = table.specs().stream().filter(OptionSpec::repeatable).map(OptionSpec::name).toList();
        assertEquals(List.of("ini", "http", "http-to", "http-fallback", "http-zerg", "http-var",
                "http-subscription-server", "http-resubscribe"), repeatable);
    }

    @Test
    void everyOptionIsDocumented() {
        for (OptionSpec spec : table) {
            assertFalse(spec.help().isBlank(), spec.name());
            boolean list = spec.repeatable() || spec.name().equals("http-keepalive") || spec.arity() == OptionSpec.Arity.NONE;
            assertTrue(list || !spec.defaultText().isEmpty(), spec.name() + " has no default text");
        }
    }

    @Test
    void duplicateNamesAreRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> table.register(OptionSpec.flag("X", "http-cheap", "again")));
        assertThrows(IllegalArgumentException.class,
                () -> table.register(OptionSpec.flag("X", "new-one", "clashes with an alias").withAliases("httprouter")));
        assertThrows(IllegalArgumentException.class,
                () -> new OptionTable().register(OptionSpec.flag("X", "a-b", "self clash").withAliases("a-b")));
        assertThrows(IllegalArgumentException.class, () -> OptionSpec.flag("X", "bad_name", "underscore"));
        assertThrows(IllegalArgumentException.class, () -> OptionSpec.flag("X", "--dashed", "dashes"));
        assertThrows(IllegalArgumentException.class, () -> OptionSpec.required("X", "v", "", "", "no value name"));
    }

    @Test
    void synopsisShowsArity() {
        assertEquals("--http ADDR, --httprouter ADDR", table.lookup("http").orElseThrow().synopsis());
        assertEquals("--http-keepalive[=N]", table.lookup("http-keepalive").orElseThrow().synopsis());
        assertEquals("--help, -h", table.lookup("help").orElseThrow().synopsis());
        assertEquals("--http-processes N, --http-workers N", table.lookup("http-processes").orElseThrow().synopsis());
        assertEquals("--http-stats ADDR, --http-stats-server ADDR, --http-ss ADDR",
                table.lookup("http-stats").orElseThrow().synopsis());
        assertEquals("--stats-minified, --stats-min", table.lookup("stats-min").orElseThrow().synopsis());
    }

    @Test
    void markdownTable() {
        String md = table.renderMarkdown();
        List<String> lines = md.lines().toList();
        assertEquals("| option | default | description |", lines.get(0));
        assertEquals("|---|---|---|", lines.get(1));
        assertEquals("| **Global** | | |", lines.get(2));
        assertTrue(lines.contains("| `--http-timeout N` | 60 | idle timeout in seconds for client and node connections |"), md);
        assertTrue(lines.contains("| `--http ADDR`, `--httprouter ADDR` |  | listen on ADDR: host:port, :port "
                + "(all interfaces), [v6]:port, a UNIX socket path or @abstract (repeatable) |"), md);
        assertTrue(lines.contains("| `--http-headers-timeout N` | http-timeout | seconds to wait for a complete request head |"), md);
        assertTrue(lines.contains("| **HTTP router** | | |"), md);
        // one row per option plus a header row per group
        assertEquals(2 + groups() + table.specs().size(), lines.size());
        OptionTable piped = new OptionTable().register(OptionSpec.required("G", "xx", "A|B", "a|b", "one | two"));
        assertTrue(piped.renderMarkdown().contains("| `--xx A\\|B` | a\\|b | one \\| two |"));
    }

    @Test
    void helpText() {
        String help = table.renderHelp();
        assertTrue(help.startsWith("Global:\n  --ini FILE"), help);
        assertTrue(help.contains("\n  --help, -h                        print this help and exit (default: off)\n"), help);
        assertTrue(help.contains("\n\nHTTP router:\n"), help);
        assertTrue(help.contains("  --http-timeout N                  idle timeout in seconds for client and node "
                + "connections (default: 60)\n"), help);
        // long synopses put their help on the next line, aligned
        assertTrue(help.contains("  --http-server-name-as-http-host VALUE\n" + " ".repeat(36) + "send the Host"), help);
        // a heading per group, a blank line between groups
        assertEquals(table.specs().size() + groups() + groups() - 1,
                help.lines().filter(l -> !l.startsWith(" ".repeat(36))).count());
    }

    private long groups() {
        return table.specs().stream().map(OptionSpec::group).distinct().count();
    }

    @Test
    void commonOptionsRegisterForAnyRouterKind() throws Exception {
        // what fastrouter will do: one call, then RouterOptions.from reads them
        OptionTable fast = new OptionTable();
        new RouterOptionNames("fastrouter").registerCommon(fast, "fastrouter");
        assertEquals("fastrouter-processes", fast.lookup("fastrouter-workers").orElseThrow().name());
        ParsedOptions p = CommandLine.parse(new String[] {"--fastrouter", "127.0.0.1:3017", "--fastrouter-to",
                "/tmp/a.sock", "--fastrouter-timeout", "9", "--fastrouter-workers", "2"}, fast);
        RouterOptions options = RouterOptions.from(p, "fastrouter");
        assertEquals("fastrouter", options.kind());
        assertEquals(List.of(Endpoint.parseListener("127.0.0.1:3017")), options.listeners());
        assertEquals(List.of(Endpoint.parseBackend("/tmp/a.sock")), options.to());
        assertEquals(2, options.processes());
        // no head or connect timeout options for this kind: both follow the idle timeout
        assertEquals(Timeouts.of(Duration.ofSeconds(9)), options.timeouts());
    }
}
