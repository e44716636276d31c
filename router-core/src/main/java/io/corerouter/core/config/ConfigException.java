package io.corerouter.core.config;

/**
 * A configuration that cannot be used: an unknown command-line option, a missing or malformed value,
 * an unreadable ini file.
 *
 * <p>The message is meant for the operator, as is: it names the option first
 * ({@code http-timeout: -1 (expected: > 0)}), and when the value came from an ini file it ends with
 * the file and line ({@code [app.ini:3]}). The only messages that cannot start with an option name are
 * those about text that is not an option at all ({@code unknown option --foo (see --help)}).
 * Checked, because every caller (the launcher) must turn it into an exit status, not a stack trace.
 */
public final class ConfigException extends Exception {

    public ConfigException(String message) {
        super(message);
    }

    /**
     * {@code option: value (expected: what)}, followed by {@code [file:line]} when the value was read
     * from an ini file.
     */
    public static ConfigException invalid(String option, String value, String expected, ParsedOptions.Source source) {
        return new ConfigException(option + ": " + quoted(value) + " (expected: " + expected + ")" + suffix(source));
    }

    /** {@code option: detail}, followed by {@code [file:line]} when the value was read from an ini file. */
    public static ConfigException of(String option, String detail, ParsedOptions.Source source) {
        return new ConfigException(option + ": " + detail + suffix(source));
    }

    /** {@code " [file:line]"} for a value read from an ini file, {@code ""} for the command line. */
    public static String suffix(ParsedOptions.Source source) {
        return source.isCommandLine() ? "" : " [" + source + "]";
    }

    private static String quoted(String value) {
        return value.isEmpty() ? "''" : value;
    }
}
