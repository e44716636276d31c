package io.corerouter.core.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The raw result of reading the command line and the ini files it names: for each option (by canonical
 * name, aliases resolved), its values as text in the order they were given, each with where it came
 * from. Nothing is interpreted yet; {@link RouterConfig#from} turns this into typed, validated records.
 *
 * <p>Queries accept aliases too. Flags are stored as {@code true}/{@code false}; an
 * {@link OptionSpec.Arity#OPTIONAL OPTIONAL} option given without a value is stored as {@code ""}.
 * Immutable.
 */
public final class ParsedOptions {

    /**
     * Where a value came from.
     *
     * @param file the ini file as named by the user, or {@code ""} for the command line
     * @param line 1-based line in that file, 0 for the command line
     */
    public record Source(String file, int line) {
        /** The command line. */
        public static final Source COMMAND_LINE = new Source("", 0);

        public Source {
            Objects.requireNonNull(file, "file");
        }

        public boolean isCommandLine() {
            return file.isEmpty();
        }

        /** {@code command line} or {@code app.ini:3}. */
        @Override
        public String toString() {
            return isCommandLine() ? "command line" : file + ':' + line;
        }
    }

    /**
     * One occurrence of an option.
     *
     * @param option the canonical option name
     * @param text   the value as given (after ini placeholder expansion)
     * @param source where it was given
     */
    public record Value(String option, String text, Source source) {
        public Value {
            Objects.requireNonNull(option, "option");
            Objects.requireNonNull(text, "text");
            Objects.requireNonNull(source, "source");
        }
    }

    private final OptionTable table;
    private final Map<String, List<Value>> byName;
    private final List<Value> inOrder;
    private final List<String> warnings;

    private ParsedOptions(Builder builder) {
        this.table = builder.table;
        Map<String, List<Value>> copy = new LinkedHashMap<>();
        builder.byName.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        this.byName = Collections.unmodifiableMap(copy);
        this.inOrder = List.copyOf(builder.inOrder);
        this.warnings = List.copyOf(builder.warnings);
    }

    /** The table the options were read against. */
    public OptionTable table() {
        return table;
    }

    /** Every value given for the option, in order; empty if it was not given. */
    public List<String> all(String name) {
        List<Value> values = values(name);
        List<String> texts = new ArrayList<>(values.size());
        values.forEach(v -> texts.add(v.text()));
        return texts;
    }

    /** Every occurrence of the option, in order, with its source. */
    public List<Value> values(String name) {
        return byName.getOrDefault(table.canonical(name), List.of());
    }

    /** The value given last (the one that counts for a single-valued option). */
    public Optional<String> last(String name) {
        return lastValue(name).map(Value::text);
    }

    /** The occurrence given last, with its source. */
    public Optional<Value> lastValue(String name) {
        List<Value> values = values(name);
        return values.isEmpty() ? Optional.empty() : Optional.of(values.get(values.size() - 1));
    }

    /** Whether the option was given at all. */
    public boolean has(String name) {
        return !values(name).isEmpty();
    }

    /**
     * Whether a boolean option is on: it was given, and its last value is not {@code false}, {@code off},
     * {@code no} or {@code 0} (uWSGI's {@code uwsgi_opt_true}). Works for flags and for options like
     * {@code --http-quiet VALUE} that take a boolean word.
     */
    public boolean flag(String name) {
        return lastValue(name).map(v -> isTrue(v.text())).orElse(false);
    }

    /** Every value in the order it was given, across options. */
    public List<Value> inOrder() {
        return inOrder;
    }

    /** The canonical names of the options that were given, in first-given order. */
    public Set<String> names() {
        return byName.keySet();
    }

    /** Things that were ignored (unknown ini keys, a missing ini section...), one line each, for the caller to log. */
    public List<String> warnings() {
        return warnings;
    }

    /** uWSGI's truth rule: anything except {@code false}, {@code off}, {@code no} and {@code 0} (any case) is true. */
    static boolean isTrue(String text) {
        switch (text.toLowerCase(Locale.ROOT)) {
            case "false":
            case "off":
            case "no":
            case "0":
                return false;
            default:
                return true;
        }
    }

    /** Collects values while the command line and ini files are read. */
    static final class Builder {
        final OptionTable table;
        private final Map<String, List<Value>> byName = new LinkedHashMap<>();
        private final List<Value> inOrder = new ArrayList<>();
        private final List<String> warnings = new ArrayList<>();
        /** Every key set so far (ini keys unknown to the table included), for {@code %(key)} placeholders. */
        private final Map<String, String> placeholders = new HashMap<>();
        private final Set<String> warnedKeys = new HashSet<>();

        Builder(OptionTable table) {
            this.table = table;
        }

        void add(OptionSpec spec, String text, Source source) {
            Value value = new Value(spec.name(), text, source);
            byName.computeIfAbsent(spec.name(), k -> new ArrayList<>()).add(value);
            inOrder.add(value);
            placeholders.put(spec.name(), text);
        }

        void setPlaceholder(String key, String text) {
            placeholders.put(key, text);
        }

        Optional<String> placeholder(String key) {
            return Optional.ofNullable(placeholders.get(key));
        }

        void warn(String line) {
            warnings.add(line);
        }

        /** Warns about an ignored key the first time it is seen. */
        void warnOnce(String key, String line) {
            if (warnedKeys.add(key)) {
                warnings.add(line);
            }
        }

        ParsedOptions build() {
            return new ParsedOptions(this);
        }
    }
}
