package io.corerouter.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IniReaderTest {
    private final OptionTable table = TestKind.table();

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    private ParsedOptions read(String text) throws Exception {
        return IniReader.read(write("app.ini", text).toString(), table);
    }

    private String error(String text) throws IOException {
        Path ini = write("bad.ini", text);
        return assertThrows(ConfigException.class, () -> IniReader.read(ini.toString(), table)).getMessage();
    }

    @Test
    void readsOnlyTheUwsgiSections() throws Exception {
        ParsedOptions p = read("[other]\nhttp = :9\n[uwsgi]\nhttp = :1\n[more]\nhttp = :8\n[uwsgi]\nhttp = :2\n");
        assertEquals(List.of(":1", ":2"), p.all("http"));
    }

    @Test
    void sectionSyntaxReadsAnotherSection() throws Exception {
        Path ini = write("app.ini", "[uwsgi]\nhttp = :1\n[staging]\nhttp = :2\nhttp-timeout = 5\n");
        ParsedOptions p = IniReader.read(ini + ":staging", table);
        assertEquals(List.of(":2"), p.all("http"));
        assertEquals(Optional.of("5"), p.last("http-timeout"));
        // FILE: alone means the default section
        assertEquals(List.of(":1"), IniReader.read(ini + ":", table).all("http"));
    }

    @Test
    void missingSectionWarns() throws Exception {
        Path ini = write("app.ini", "[app]\nhttp = :1\n");
        ParsedOptions p = IniReader.read(ini.toString(), table);
        assertFalse(p.has("http"));
        assertEquals(List.of(ini + ": no [uwsgi] section, nothing read"), p.warnings());
    }

    @Test
    void commentsBlankLinesAndWhitespace() throws Exception {
        ParsedOptions p = read("; a comment\n# another\n\n[uwsgi]\r\n  ; indented comment\n"
                + "\thttp   =   127.0.0.1:8080   \r\n   \n  http-to=:3031\nhttp-var = A = b \n");
        assertEquals(List.of("127.0.0.1:8080"), p.all("http"));
        assertEquals(List.of(":3031"), p.all("http-to"));
        // split at the first '=', value trimmed
        assertEquals(List.of("A = b"), p.all("http-var"));
        assertTrue(p.warnings().isEmpty(), p.warnings().toString());
    }

    @Test
    void repeatedKeysAdd() throws Exception {
        ParsedOptions p = read("[uwsgi]\nhttp-to = :1\nhttp-to = :2\nhttp-to = :3\n");
        assertEquals(List.of(":1", ":2", ":3"), p.all("http-to"));
    }

    @Test
    void sourcesAreFileAndLine() throws Exception {
        Path ini = write("app.ini", "[uwsgi]\n\nhttp = :1\n");
        ParsedOptions p = IniReader.read(ini.toString(), table);
        assertEquals(new ParsedOptions.Source(ini.toString(), 3), p.lastValue("http").orElseThrow().source());
    }

    @Test
    void flagsTakeBooleanWordsAndEmptyMeansTrue() throws Exception {
        for (String on : List.of("true", "TRUE", "yes", "on", "1", "")) {
            assertTrue(read("[uwsgi]\nhttp-cheap = " + on + "\n").flag("http-cheap"), on);
        }
        for (String off : List.of("false", "no", "Off", "0")) {
            ParsedOptions p = read("[uwsgi]\nhttp-cheap = " + off + "\n");
            assertTrue(p.has("http-cheap"));
            assertFalse(p.flag("http-cheap"), off);
        }
        // a bare key (no '=') is the empty value, as in uWSGI's ini.c
        assertTrue(read("[uwsgi]\nhttp-cheap\n").flag("http-cheap"));
        assertTrue(read("[uwsgi]\nhttp-cheap = true\nhttp-cheap = off\nhttp-cheap\n").flag("http-cheap"));
    }

    @Test
    void badFlagValueNamesOptionAndLine() throws Exception {
        assertEquals("http-cheap: maybe (expected: true/false, yes/no, on/off or 1/0) ["
                + dir.resolve("bad.ini") + ":2]", error("[uwsgi]\nhttp-cheap = maybe\n"));
    }

    @Test
    void optionalAndRequiredValues() throws Exception {
        ParsedOptions p = read("[uwsgi]\nhttp-keepalive =\nhttp-quiet = 1\n");
        assertEquals(Optional.of(""), p.last("http-keepalive"));
        assertTrue(p.flag("http-quiet"));
        assertEquals(Optional.of("7"), read("[uwsgi]\nhttp-keepalive = 7\n").last("http-keepalive"));
    }

    @Test
    void underscoresAndAliasesInKeys() throws Exception {
        ParsedOptions p = read("[uwsgi]\nhttp_timeout = 5\nhttprouter = :1\nhttp_workers = 2\n");
        assertEquals(Optional.of("5"), p.last("http-timeout"));
        assertEquals(List.of(":1"), p.all("http"));
        assertEquals(Optional.of("2"), p.last("http-processes"));
    }

    @Test
    void unknownKeysWarnOnceEach() throws Exception {
        Path ini = write("app.ini", "[uwsgi]\nmaster = true\nprocesses = 4\nmaster = true\n"
                + "socket = :3031\nsocket = :3032\nmodule = app:application\nhttp = :8080\n");
        ParsedOptions p = IniReader.read(ini.toString(), table);
        assertEquals(List.of(
                ini + ":2: ignoring 'master' (not a corerouter option)",
                ini + ":3: ignoring 'processes' (not a corerouter option)",
                ini + ":5: ignoring 'socket' (not a corerouter option)",
                ini + ":7: ignoring 'module' (not a corerouter option)"), p.warnings());
        assertEquals(List.of(":8080"), p.all("http"));
        assertFalse(p.has("master"));
    }

    @Test
    void placeholdersExpandEarlierKeysKnownOrNot() throws Exception {
        ParsedOptions p = read("[uwsgi]\nbase_port = 80\nhost = 127.0.0.1\nhttp = %(host):%(base_port)80\n"
                + "http-timeout = 12\nhttp-headers-timeout = %(http-timeout)\nhttp-var = T=%(http_timeout)\n"
                + "host = 10.0.0.1\nhttp-to = %(host):3031\n");
        assertEquals(List.of("127.0.0.1:8080"), p.all("http"));
        assertEquals(Optional.of("12"), p.last("http-headers-timeout"));
        assertEquals(List.of("10.0.0.1:3031"), p.all("http-to"));
        // '_' means '-' in placeholder names too
        assertEquals(List.of("T=12"), p.all("http-var"));
    }

    @Test
    void placeholdersSeeCommandLineValues() throws Exception {
        Path ini = write("app.ini", "[uwsgi]\nhttp-to = %(http):3031\n");
        ParsedOptions p = CommandLine.parse(new String[] {"--http", "127.0.0.1", "--ini", ini.toString()}, table);
        assertEquals(List.of("127.0.0.1:3031"), p.all("http-to"));
    }

    @Test
    void unsetPlaceholderInAnOptionIsAnError() throws Exception {
        assertEquals("http: %(nope) is not set before this line [" + dir.resolve("bad.ini") + ":2]",
                error("[uwsgi]\nhttp = %(nope):80\n"));
    }

    @Test
    void unsetPlaceholderInAnIgnoredKeyOnlyWarns() throws Exception {
        ParsedOptions p = read("[uwsgi]\nchdir = %(nope)\nlog = 100%\nhttp = :1\n");
        assertEquals(2, p.warnings().size());
        assertEquals(List.of(":1"), p.all("http"));
    }

    @Test
    void magicVariables() throws Exception {
        Path sub = Files.createDirectories(dir.resolve("site"));
        Path ini = Files.writeString(sub.resolve("myapp.ini"),
                "[uwsgi]\nhttp = %dsock\nhttp-to = /run/%n.sock\nhttp-var = F=%s|%e|%c|%p|%x\nhttp-fallback = /tmp/%q%\n");
        ParsedOptions p = IniReader.read(ini.toString(), table);
        String abs = ini.toAbsolutePath().normalize().toString();
        assertEquals(List.of(sub.toAbsolutePath().normalize() + "/sock"), p.all("http"));
        assertEquals(List.of("/run/myapp.sock"), p.all("http-to"));
        assertEquals(List.of("F=myapp.ini|ini|site|" + abs + "|" + ini + ":uwsgi"), p.all("http-var"));
        // unknown sequences are kept
        assertEquals(List.of("/tmp/%q%"), p.all("http-fallback"));
    }

    @Test
    void iniIncludesIniAtThatPoint() throws Exception {
        Path inner = write("inner.ini", "[uwsgi]\nhttp = :2\n");
        ParsedOptions p = read("[uwsgi]\nhttp = :1\nini = " + inner + "\nhttp = :3\n");
        assertEquals(List.of(":1", ":2", ":3"), p.all("http"));
    }

    @Test
    void includeCycleIsAnError() throws Exception {
        Path self = dir.resolve("self.ini");
        Files.writeString(self, "[uwsgi]\nini = " + self + "\n");
        ConfigException e = assertThrows(ConfigException.class, () -> IniReader.read(self.toString(), table));
        assertTrue(e.getMessage().startsWith("ini: " + self + " is included more than"), e.getMessage());
    }

    @Test
    void notUtf8IsAnError() throws Exception {
        Path ini = Files.write(dir.resolve("latin.ini"), "[uwsgi]\nhttp-var = A=\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        assertEquals("ini: " + ini + " is not UTF-8 text",
                assertThrows(ConfigException.class, () -> IniReader.read(ini.toString(), table)).getMessage());
    }

    @Test
    void uwsgiconfStyleFileRuns() throws Exception {
        // the shape uwsgiconf's "compile" prints: a stamp comment, app server options, then the router
        ParsedOptions p = read(String.join("\n",
                ";Generated by uwsgiconf",
                "[uwsgi]",
                "master = true",
                "processes = 4",
                "wsgi-file = /srv/app/wsgi.py",
                "socket = 127.0.0.1:3031",
                "http = :8000",
                "http-to = 127.0.0.1:3031",
                "http-workers = 2",
                "http-keepalive = 1",
                "http-timeout = 30",
                "http-headers-timeout = 10",
                "http-quiet = true",
                "http-buffer-size = 8192",
                "http-harakiri = 20",
                "http-cheap = true",
                ""));
        RouterConfig config = RouterConfig.from(p, TestKind.SECTIONS);
        RouterOptions http = config.get(TestKind.HTTP).orElseThrow();
        assertEquals(2, http.processes());
        assertEquals(Optional.of("1"), p.last("http-keepalive"));
        assertTrue(http.quiet());
        assertTrue(http.cheap());
        assertEquals(8192, http.bufferSize());
        // the four uWSGI-only keys
        assertEquals(4, config.warnings().size(), config.warnings().toString());
    }
}
