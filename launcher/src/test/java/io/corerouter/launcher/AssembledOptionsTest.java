package io.corerouter.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.core.config.ConfigAssembly;
import io.corerouter.core.config.OptionSpec;
import io.corerouter.core.config.OptionTable;
import io.corerouter.core.config.RouterConfig;
import io.corerouter.core.server.RouterKind;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The option table of every module together, as {@link Kinds} assembles it (the README shows this one). */
class AssembledOptionsTest {
    private final OptionTable table = RouterConfig.optionTable(Kinds.ALL);

    @Test
    void theInstalledAssemblyIsTheLaunchers() {
        assertSame(Kinds.ALL, ConfigAssembly.installed());
        assertEquals(table.renderMarkdown(), RouterConfig.optionTable().renderMarkdown());
    }

    @Test
    void everyRouterKindHasItsOwnName() {
        Set<String> names = new HashSet<>();
        Kinds.ALL.forEach(section -> assertTrue(names.add(section.name()), section.name()));
        assertEquals(List.of("http", "fastrouter", "rawrouter", "sslrouter"), Kinds.ALL.stream()
                .filter(RouterKind.class::isInstance).map(s -> s.name()).toList());
    }

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
        assertEquals(List.of("Global", "HTTP router", "HTTPS router", "fastrouter", "rawrouter", "SSL router",
                "TLS (https, sslrouter)", "Subscription server", "Subscription client", "Access log", "Stats"),
                table.specs().stream().map(OptionSpec::group).distinct().toList());
    }

    @Test
    void repeatableOptions() {
        List<String> repeatable = table.specs().stream().filter(OptionSpec::repeatable).map(OptionSpec::name).toList();
        assertEquals(List.of("ini", "http", "http-to", "http-fallback", "http-zerg", "http-var"), repeatable.subList(0, 6));
        assertTrue(repeatable.containsAll(List.of("fastrouter", "fastrouter-to", "rawrouter", "rawrouter-zerg")),
                repeatable.toString());
        assertTrue(repeatable.containsAll(List.of("https", "https2", "http-to-https", "sslrouter", "sni", "sni-regexp")),
                repeatable.toString());
        assertTrue(repeatable.contains("http-stud-prefix"), repeatable.toString());
        assertTrue(repeatable.containsAll(List.of("http-subscription-server", "http-resubscribe", "subscribe2",
                "subscribe-to", "fastrouter-subscription-server", "rawrouter-subscription-server",
                "sslrouter-subscription-server")), repeatable.toString());
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
    void synopsisShowsArity() {
        assertEquals("--http ADDR, --httprouter ADDR", table.lookup("http").orElseThrow().synopsis());
        assertEquals("--http-keepalive[=N]", table.lookup("http-keepalive").orElseThrow().synopsis());
        assertEquals("--http-stats ADDR, --http-stats-server ADDR, --http-ss ADDR",
                table.lookup("http-stats").orElseThrow().synopsis());
        assertEquals("--subscribe-to NODE=SERVER:KEY, --st NODE=SERVER:KEY, --subscribe NODE=SERVER:KEY",
                table.lookup("st").orElseThrow().synopsis());
        assertEquals("--stats-minified, --stats-min", table.lookup("stats-min").orElseThrow().synopsis());
    }
}
