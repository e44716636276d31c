package io.corerouter.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.core.config.CommandLine;
import io.corerouter.core.config.RouterConfig;
import io.corerouter.http.HttpRouterConfig;
import io.corerouter.http.HttpRouterKind;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as an operator meets it: messages naming the option, help, the default config. */
class MainTest {
    record Run(int status, String out, String err) {
    }

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void unknownOptionFailsNamingIt() {
        Run run = run("--http", "127.0.0.1:0", "--no-such-option", "1");
        assertEquals(2, run.status());
        assertTrue(run.err().contains("--no-such-option"), run.err());
    }

    @Test
    void badValueFailsWithTheExpectedRange() {
        Run run = run("--http", "127.0.0.1:0", "--http-timeout", "-1");
        assertEquals(2, run.status());
        assertTrue(run.err().contains("http-timeout: -1 (expected: > 0)"), run.err());
    }

    @Test
    void rootAskedToRunAsAnotherUserRefusesToStart() {
        assumeRoot();
        Run run = run("--http", "127.0.0.1:0", "--http-to", "127.0.0.1:3031", "--http-uid", "65534");
        assertEquals(1, run.status());
        assertTrue(run.err().contains("http-uid: 65534 (uid 65534): corerouter runs as root"), run.err());
    }

    private static void assumeRoot() {
        // the suite runs as root here and in CI (scripts/install-peers.sh uses apt-get); as another user
        // the option is only warned about (RunAsTest covers that) and the router would start
        Assumptions.assumeTrue(new com.sun.security.auth.module.UnixSystem().getUid() == 0, "needs root");
    }

    @Test
    void helpListsTheOptions() {
        Run run = run("--help");
        assertEquals(0, run.status());
        assertTrue(run.out().contains("--http-keepalive"), run.out());
        assertTrue(run.out().startsWith("usage: corerouter"), run.out());
    }

    @Test
    void versionPrints() {
        Run run = run("--version");
        assertEquals(0, run.status());
        assertTrue(run.out().startsWith("corerouter "), run.out());
    }

    @Test
    void embeddedDefaultConfigIsAnHttpRouterOn8080() throws Exception {
        Path copy = Files.createTempFile("default", ".ini");
        try (InputStream in = Main.class.getResourceAsStream(Main.DEFAULT_CONFIG)) {
            Files.write(copy, in.readAllBytes());
        }
        RouterConfig config = RouterConfig.from(CommandLine.parse(new String[] {copy.toString()},
                RouterConfig.optionTable()));
        HttpRouterConfig http = config.get(HttpRouterKind.INSTANCE).orElseThrow().router();
        assertEquals("127.0.0.1:8080", http.common().listeners().get(0).name());
        assertEquals("127.0.0.1:3031", http.common().to().get(0).name());
        assertTrue(http.keepAlive().enabled());
        Files.delete(copy);
    }

    @Test
    void uwsgiIniWithUnrelatedOptionsRunsWithWarnings(@TempDir Path dir) throws Exception {
        Path ini = dir.resolve("app.ini");
        Files.writeString(ini, "[uwsgi]\nmaster = true\nprocesses = 4\nmodule = app:application\n"
                + "http = 127.0.0.1:0\nhttp-to = 127.0.0.1:3031\n");
        RouterConfig config = RouterConfig.from(CommandLine.parse(new String[] {"--ini", ini.toString()},
                RouterConfig.optionTable()));
        assertTrue(config.get(HttpRouterKind.INSTANCE).isPresent());
        assertEquals(3, config.warnings().stream().filter(w -> w.contains("ignoring")).count(), config.warnings().toString());
    }
}
