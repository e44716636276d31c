package io.corerouter.core.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The options corerouter understands, in registration order: that order is the order of
 * {@link #renderHelp()} and of the README table ({@link #renderMarkdown()}), so register options the
 * way a reader should meet them, a group at a time.
 *
 * <p>Feature code adds its options with {@link #register}; per-router common options are added in
 * one call with {@link RouterOptionNames#registerCommon}. {@link RouterConfig#optionTable()} builds the
 * complete table. A table is filled once at startup and read afterwards; it is not thread-safe while
 * being filled.
 */
public final class OptionTable implements Iterable<OptionSpec> {
    /** Help text column: option synopses longer than this push their help to the next line. */
    private static final int HELP_COLUMN = 36;

    private final List<OptionSpec> specs = new ArrayList<>();
    private final Map<String, OptionSpec> byName = new HashMap<>();

    /**
     * Adds an option.
     *
     * @throws IllegalArgumentException if its name or an alias is already taken (a programming error)
     */
    public OptionTable register(OptionSpec spec) {
        List<String> names = new ArrayList<>();
        names.add(spec.name());
        names.addAll(spec.aliases());
        for (String n : names) {
            if (byName.containsKey(n) || names.indexOf(n) != names.lastIndexOf(n)) {
                throw new IllegalArgumentException("option name registered twice: " + n);
            }
        }
        specs.add(spec);
        names.forEach(n -> byName.put(n, spec));
        return this;
    }

    /** The option with this name or alias (no dashes: {@code http-timeout}, {@code h}). */
    public Optional<OptionSpec> lookup(String nameOrAlias) {
        return Optional.ofNullable(byName.get(nameOrAlias));
    }

    /** The canonical name for a name or alias; unknown names are returned unchanged. */
    String canonical(String nameOrAlias) {
        OptionSpec spec = byName.get(nameOrAlias);
        return spec == null ? nameOrAlias : spec.name();
    }

    /** All options in registration order (an unmodifiable view). */
    public List<OptionSpec> specs() {
        return Collections.unmodifiableList(specs);
    }

    @Override
    public Iterator<OptionSpec> iterator() {
        return specs().iterator();
    }

    /**
     * A Markdown table of every option ({@code | option | default | description |}), one section row
     * per group, for the README.
     */
    public String renderMarkdown() {
        StringBuilder out = new StringBuilder("| option | default | description |\n|---|---|---|\n");
        String group = null;
        for (OptionSpec spec : specs) {
            if (!spec.group().equals(group)) {
                group = spec.group();
                out.append("| **").append(cell(group)).append("** | | |\n");
            }
            out.append("| `").append(cell(spec.synopsis()).replace(", ", "`, `")).append("` | ")
               .append(spec.defaultText().isEmpty() ? "" : cell(spec.defaultText())).append(" | ")
               .append(cell(describe(spec))).append(" |\n");
        }
        return out.toString();
    }

    /**
     * The option list printed by {@code --help}: a heading per group, then one line per option with
     * its synopsis, help and default. The caller prints the usage line above it.
     */
    public String renderHelp() {
        StringBuilder out = new StringBuilder();
        String group = null;
        for (OptionSpec spec : specs) {
            if (!spec.group().equals(group)) {
                if (group != null) {
                    out.append('\n');
                }
                group = spec.group();
                out.append(group).append(":\n");
            }
            String synopsis = "  " + spec.synopsis();
            out.append(synopsis);
            if (synopsis.length() + 2 > HELP_COLUMN) {
                out.append('\n').append(" ".repeat(HELP_COLUMN));
            } else {
                out.append(" ".repeat(HELP_COLUMN - synopsis.length()));
            }
            out.append(describe(spec));
            if (!spec.defaultText().isEmpty()) {
                out.append(" (default: ").append(spec.defaultText()).append(')');
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static String describe(OptionSpec spec) {
        return spec.repeatable() ? spec.help() + " (repeatable)" : spec.help();
    }

    private static String cell(String text) {
        return text.replace("|", "\\|");
    }
}
