package io.corerouter.core.config;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Reads a uWSGI-style command line into {@link ParsedOptions} (spec §3.12).
 *
 * <ul>
 *   <li>{@code --name value} and {@code --name=value}; a one-letter alias is written {@code -h}
 *       (and only so).
 *       A {@link OptionSpec.Arity#REQUIRED REQUIRED} option consumes the next argument whatever it
 *       looks like, as getopt does.</li>
 *   <li>An {@link OptionSpec.Arity#OPTIONAL OPTIONAL} option takes a value only as
 *       {@code --name=value}: in {@code --http-keepalive 5} the {@code 5} is a positional argument,
 *       and an error, exactly the trap uWSGI sets (it would read {@code 5} as a config file).</li>
 *   <li>Repeated options accumulate in order. {@code --ini FILE} and a positional argument ending in
 *       {@code .ini} (or {@code .ini:section}) read that file at that point, as if its entries were
 *       written there ({@link IniReader}).</li>
 *   <li>{@code --} ends the options; what follows must be ini files.</li>
 * </ul>
 * Unlike getopt, long options cannot be abbreviated.
 */
public final class CommandLine {
    /** The option that loads an ini file; the table should register it. */
    public static final String INI_OPTION = "ini";

    private static final Pattern INI_FILE = Pattern.compile(".*\\.ini(:[^/]*)?");

    private CommandLine() {
    }

    /**
     * Parses {@code args} against {@code table}.
     *
     * @throws ConfigException on an unknown option ({@code unknown option --foo (see --help)}), a missing
     *                         value ({@code --http-timeout: missing value}), a value given to a flag, a
     *                         positional argument that is not an ini file, or an unreadable ini file
     */
    public static ParsedOptions parse(String[] args, OptionTable table) throws ConfigException {
        Objects.requireNonNull(table, "table");
        ParsedOptions.Builder builder = new ParsedOptions.Builder(table);
        boolean optionsEnded = false;
        // the OPTIONAL option just before, to explain "--http-keepalive 5"
        String previousOptional = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (optionsEnded || !arg.startsWith("-") || arg.equals("-")) {
                positional(arg, previousOptional, builder);
                previousOptional = null;
                continue;
            }
            previousOptional = null;
            if (arg.equals("--")) {
                optionsEnded = true;
                continue;
            }
            String typed;
            String inline;
            if (arg.startsWith("--")) {
                int eq = arg.indexOf('=');
                typed = eq < 0 ? arg : arg.substring(0, eq);
                inline = eq < 0 ? null : arg.substring(eq + 1);
            } else {
                typed = arg;
                inline = null;
            }
            String name = typed.startsWith("--") ? typed.substring(2) : typed.substring(1);
            boolean shortForm = !typed.startsWith("--");
            OptionSpec spec = table.lookup(name)
                    .filter(s -> shortForm == (name.length() == 1))
                    .orElseThrow(() -> new ConfigException("unknown option " + typed + " (see --help)"));
            String value;
            switch (spec.arity()) {
                case NONE:
                    if (inline != null) {
                        throw new ConfigException(typed + ": takes no value");
                    }
                    value = "true";
                    break;
                case REQUIRED:
                    if (inline != null) {
                        value = inline;
                    } else if (i + 1 < args.length) {
                        value = args[++i];
                    } else {
                        throw new ConfigException(typed + ": missing value");
                    }
                    break;
                default:
                    value = inline != null ? inline : "";
                    if (inline == null) {
                        previousOptional = typed;
                    }
                    break;
            }
            builder.add(spec, value, ParsedOptions.Source.COMMAND_LINE);
            if (spec.name().equals(INI_OPTION)) {
                IniReader.load(value, builder, 1);
            }
        }
        return builder.build();
    }

    private static void positional(String arg, String previousOptional, ParsedOptions.Builder builder)
            throws ConfigException {
        if (INI_FILE.matcher(arg).matches()) {
            builder.table.lookup(INI_OPTION)
                   .ifPresent(spec -> builder.add(spec, arg, ParsedOptions.Source.COMMAND_LINE));
            IniReader.load(arg, builder, 1);
            return;
        }
        String hint = previousOptional != null
                ? "did you mean " + previousOptional + '=' + arg + "? a separate value is not read for " + previousOptional
                : "options start with --, config files end in .ini";
        throw new ConfigException("unexpected argument " + arg + " (" + hint + ")");
    }
}
