package io.corerouter.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CommandLineTest {
    private final OptionTable table = TestKind.table();

    @TempDir
    Path dir;

    private ParsedOptions parse(String... args) throws ConfigException {
        return CommandLine.parse(args, table);
    }

    private String error(String... args) {
        return assertThrows(ConfigException.class, () -> parse(args)).getMessage();
    }

    @Test
    void separatedAndJoinedValuesAccumulateInOrder() throws Exception {
        ParsedOptions p = parse("--http", ":8080", "--http=:8081", "--http-timeout", "30", "--http-to=127.0.0.1:3031");
        assertEquals(List.of(":8080", ":8081"), p.all("http"));
        assertEquals(Optional.of("30"), p.last("http-timeout"));
        assertEquals(List.of("127.0.0.1:3031"), p.all("http-to"));
        assertEquals(List.of("http", "http-timeout", "http-to"), List.copyOf(p.names()));
        assertEquals(ParsedOptions.Source.COMMAND_LINE, p.lastValue("http").orElseThrow().source());
        assertEquals("command line", ParsedOptions.Source.COMMAND_LINE.toString());
        assertTrue(p.warnings().isEmpty());
    }

    @Test
    void singleValuedOptionKeepsEveryValueAndTheLastCounts() throws Exception {
        ParsedOptions p = parse("--http-timeout", "5", "--http-timeout", "7");
        assertEquals(List.of("5", "7"), p.all("http-timeout"));
        assertEquals(Optional.of("7"), p.last("http-timeout"));
    }

    @Test
    void aliasesResolveToTheCanonicalName() throws Exception {
        ParsedOptions p = parse("--httprouter", ":1", "--http", ":2", "--http-workers", "3", "-h");
        assertEquals(List.of(":1", ":2"), p.all("http"));
        assertEquals(List.of(":1", ":2"), p.all("httprouter"));
        assertEquals(Optional.of("3"), p.last("http-processes"));
        assertTrue(p.flag("help"));
        assertEquals("http", p.values("http").get(0).option());
    }

    @Test
    void flags() throws Exception {
        ParsedOptions p = parse("--http-cheap", "--version");
        assertTrue(p.flag("http-cheap"));
        assertTrue(p.flag("version"));
        assertFalse(p.flag("help"));
        assertFalse(p.has("help"));
        assertEquals("--http-cheap: takes no value", error("--http-cheap=1"));
    }

    @Test
    void requiredValueTakesTheNextArgumentWhateverItIs() throws Exception {
        // getopt semantics: the next argument is the value even if it starts with a dash
        assertEquals(Optional.of("--x"), parse("--http-var", "--x").last("http-var"));
        assertEquals(Optional.of(""), parse("--http-var=").last("http-var"));
    }

    @Test
    void optionalArityTakesAValueOnlyAfterEquals() throws Exception {
        ParsedOptions bare = parse("--http-keepalive");
        assertTrue(bare.has("http-keepalive"));
        assertEquals(Optional.of(""), bare.last("http-keepalive"));
        assertEquals(Optional.of("5"), parse("--http-keepalive=5").last("http-keepalive"));
        // followed by another option: nothing consumed
        ParsedOptions next = parse("--http-keepalive", "--http", ":1");
        assertEquals(Optional.of(""), next.last("http-keepalive"));
        assertEquals(List.of(":1"), next.all("http"));
    }

    @Test
    void separatedValueOfAnOptionalOptionIsAPositionalError() {
        assertEquals("unexpected argument 5 (did you mean --http-keepalive=5? "
                + "a separate value is not read for --http-keepalive)", error("--http-keepalive", "5"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--foo           | unknown option --foo (see --help)",
        "--foo=bar       | unknown option --foo (see --help)",
        "-x              | unknown option -x (see --help)",
        "-help           | unknown option -help (see --help)",
        "--h             | unknown option --h (see --help)",
        "--http_timeout  | unknown option --http_timeout (see --help)",
        "--http-time     | unknown option --http-time (see --help)",
    })
    void unknownOptionsNameThemselves(String arg, String message) {
        assertEquals(message, error(arg));
    }

    @Test
    void missingRequiredValue() {
        assertEquals("--http-timeout: missing value", error("--http", ":1", "--http-timeout"));
        assertEquals("--httprouter: missing value", error("--httprouter"));
    }

    @Test
    void positionalArgumentsOtherThanIniFilesAreErrors() {
        assertEquals("unexpected argument app.py (options start with --, config files end in .ini)", error("app.py"));
        assertEquals("unexpected argument - (options start with --, config files end in .ini)", error("-"));
        assertEquals("unexpected argument --http (options start with --, config files end in .ini)",
                error("--", "--http"));
    }

    @Test
    void positionalIniIsAppliedWhereItStands() throws Exception {
        Path ini = Files.writeString(dir.resolve("app.ini"), "[uwsgi]\nhttp = :2\nhttp-timeout = 9\n");
        ParsedOptions p = parse("--http", ":1", ini.toString(), "--http", ":3");
        assertEquals(List.of(":1", ":2", ":3"), p.all("http"));
        assertEquals(List.of(ini.toString()), p.all("ini"));
        assertEquals(new ParsedOptions.Source(ini.toString(), 2), p.values("http").get(1).source());
        assertEquals(ini + ":3", p.lastValue("http-timeout").orElseThrow().source().toString());
    }

    @Test
    void commandLineAfterIniOverridesIt() throws Exception {
        Path ini = Files.writeString(dir.resolve("app.ini"), "[uwsgi]\nhttp-timeout = 9\n");
        assertEquals(Optional.of("4"), parse("--ini", ini.toString(), "--http-timeout", "4").last("http-timeout"));
        assertEquals(Optional.of("9"), parse("--http-timeout", "4", "--ini", ini.toString()).last("http-timeout"));
    }

    @Test
    void iniWithSectionAndAfterDoubleDash() throws Exception {
        Path ini = Files.writeString(dir.resolve("app.ini"), "[uwsgi]\nhttp = :1\n[prod]\nhttp = :2\n");
        assertEquals(List.of(":2"), parse("--ini", ini + ":prod").all("http"));
        assertEquals(List.of(":2"), parse(ini + ":prod").all("http"));
        assertEquals(List.of(":1"), parse("--", ini.toString()).all("http"));
    }

    @Test
    void iniWarningsReachTheResult() throws Exception {
        Path ini = Files.writeString(dir.resolve("app.ini"), "[uwsgi]\nmaster = true\n");
        assertEquals(List.of(ini + ":2: ignoring 'master' (not a corerouter option)"), parse(ini.toString()).warnings());
    }

    @Test
    void missingIniFileIsAnError() {
        String message = error(dir.resolve("nope.ini").toString());
        assertTrue(message.startsWith("ini: cannot read " + dir.resolve("nope.ini")), message);
    }

    @Test
    void valuesInOrderAcrossOptions() throws Exception {
        ParsedOptions p = parse("--http", ":1", "--http-to", ":2", "--http", ":3");
        assertEquals(List.of("http", "http-to", "http"), p.inOrder().stream().map(ParsedOptions.Value::option).toList());
    }

    @Test
    void flagFollowsUwsgiTruthForValues() throws Exception {
        for (String off : List.of("false", "OFF", "No", "0")) {
            assertFalse(parse("--http-quiet", off).flag("http-quiet"), off);
        }
        for (String on : List.of("1", "true", "yes", "on", "whatever", "")) {
            assertTrue(parse("--http-quiet", on).flag("http-quiet"), on);
        }
    }
}
