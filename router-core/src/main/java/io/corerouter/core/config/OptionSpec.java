package io.corerouter.core.config;

import java.util.List;
import java.util.Objects;

/**
 * One uWSGI-style option: its name, aliases, whether it takes a value, and the text that documents it
 * in {@code --help} and in the README (spec §3.12, §4.13).
 *
 * <p>Specs are plain values; an {@link OptionTable} holds them. Use the factories ({@link #flag},
 * {@link #required}, {@link #optional}) and the withers ({@link #withAliases}, {@link #asRepeatable})
 * rather than the canonical constructor.
 *
 * @param name         canonical name without dashes ({@code http-timeout}); values are stored under it
 * @param aliases      other names ({@code httprouter}); a one-letter alias is written {@code -h}
 * @param arity        whether and how a value is given
 * @param valueName    the placeholder shown in help ({@code N}, {@code ADDR}); empty for flags
 * @param repeatable   every occurrence adds a value (list options); otherwise the last one wins
 * @param defaultText  the default as documented (may name another option: {@code http-timeout}); empty if none
 * @param help         one line of help
 * @param group        the section heading this option is listed under ({@code HTTP router})
 */
public record OptionSpec(String name, List<String> aliases, Arity arity, String valueName, boolean repeatable,
                         String defaultText, String help, String group) {

    /** How an option takes its value, with getopt's meaning (uWSGI parses its command line with getopt_long). */
    public enum Arity {
        /** A flag: {@code --opt}. In an ini file the value is a boolean word, and an empty value means true. */
        NONE,
        /** {@code --opt value} or {@code --opt=value}; the next argument is always consumed, whatever it is. */
        REQUIRED,
        /**
         * uWSGI's {@code optional_argument}: on the command line only {@code --opt=value} gives a value; a
         * separate next argument is <em>not</em> consumed (spec §3.12). In an ini file an empty value means
         * "no value".
         */
        OPTIONAL
    }

    public OptionSpec {
        checkName(name);
        aliases = List.copyOf(aliases);
        aliases.forEach(OptionSpec::checkName);
        Objects.requireNonNull(arity, "arity");
        Objects.requireNonNull(valueName, "valueName");
        if ((arity == Arity.NONE) != valueName.isEmpty()) {
            throw new IllegalArgumentException(name + ": a flag has no value name, other options need one");
        }
        Objects.requireNonNull(defaultText, "defaultText");
        if (help == null || help.isBlank() || help.indexOf('\n') >= 0) {
            throw new IllegalArgumentException(name + ": help must be one non-empty line");
        }
        if (group == null || group.isBlank()) {
            throw new IllegalArgumentException(name + ": group must not be empty");
        }
    }

    /** A flag ({@link Arity#NONE}), off by default. */
    public static OptionSpec flag(String group, String name, String help) {
        return new OptionSpec(name, List.of(), Arity.NONE, "", false, "off", help, group);
    }

    /** An option that always takes a value ({@link Arity#REQUIRED}). */
    public static OptionSpec required(String group, String name, String valueName, String defaultText, String help) {
        return new OptionSpec(name, List.of(), Arity.REQUIRED, valueName, false, defaultText, help, group);
    }

    /** An option whose value is optional ({@link Arity#OPTIONAL}, {@code --opt[=value]}). */
    public static OptionSpec optional(String group, String name, String valueName, String defaultText, String help) {
        return new OptionSpec(name, List.of(), Arity.OPTIONAL, valueName, false, defaultText, help, group);
    }

    /** This spec with these aliases (replacing any it had). */
    public OptionSpec withAliases(String... newAliases) {
        return new OptionSpec(name, List.of(newAliases), arity, valueName, repeatable, defaultText, help, group);
    }

    /** This spec as a list option: each occurrence adds a value. */
    public OptionSpec asRepeatable() {
        return new OptionSpec(name, aliases, arity, valueName, true, defaultText, help, group);
    }

    /** How the option is written on the command line, aliases included: {@code --http ADDR, --httprouter ADDR}. */
    public String synopsis() {
        StringBuilder out = new StringBuilder(usage(name));
        for (String alias : aliases) {
            out.append(", ").append(usage(alias));
        }
        return out.toString();
    }

    private String usage(String n) {
        String dashed = (n.length() == 1 ? "-" : "--") + n;
        switch (arity) {
            case REQUIRED:
                return dashed + ' ' + valueName;
            case OPTIONAL:
                return dashed + "[=" + valueName + ']';
            default:
                return dashed;
        }
    }

    private static void checkName(String n) {
        Objects.requireNonNull(n, "name");
        if (n.isEmpty() || n.startsWith("-") || n.chars().anyMatch(c -> c == '=' || c == '_' || Character.isWhitespace(c))) {
            throw new IllegalArgumentException("bad option name: '" + n + "'");
        }
    }
}
