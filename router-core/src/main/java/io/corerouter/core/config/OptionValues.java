package io.corerouter.core.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Typed reads of {@link ParsedOptions} values, with the uniform {@code option: value (expected: ...)} errors;
 * every module that owns options reads them with these.
 */
public final class OptionValues {
    public static final String A_NUMBER = "a number";

    private OptionValues() {
    }

    /** The last value of an integer option, or {@code def} if it was not given. */
    public static int integer(ParsedOptions options, String name, int def, int min, int max) throws ConfigException {
        Optional<ParsedOptions.Value> value = options.lastValue(name);
        return value.isEmpty() ? def : integer(value.get(), min, max);
    }

    public static int integer(ParsedOptions.Value value, int min, int max) throws ConfigException {
        String text = value.text();
        boolean negative = text.startsWith("-");
        String digits = negative ? text.substring(1) : text;
        if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw ConfigException.invalid(value.option(), text, A_NUMBER, value.source());
        }
        // more digits than any int has: out of range whatever the bounds
        long n = digits.length() > 10 ? Long.MAX_VALUE : Long.parseLong(digits);
        n = negative ? -n : n;
        if (n < min || n > max) {
            throw ConfigException.invalid(value.option(), text, range(min, max), value.source());
        }
        return (int) n;
    }

    /** The last value of a seconds option, or {@code def} if it was not given. */
    public static Duration seconds(ParsedOptions options, String name, Duration def, int min) throws ConfigException {
        Optional<ParsedOptions.Value> value = options.lastValue(name);
        return value.isEmpty() ? def : Duration.ofSeconds(integer(value.get(), min, Integer.MAX_VALUE));
    }

    /** Every value of an address option, parsed. */
    public static List<Endpoint> endpoints(ParsedOptions options, String name, Function<String, Endpoint> parser)
            throws ConfigException {
        List<Endpoint> endpoints = new ArrayList<>();
        for (ParsedOptions.Value value : options.values(name)) {
            try {
                endpoints.add(parser.apply(value.text()));
            } catch (IllegalArgumentException e) {
                throw ConfigException.of(value.option(), e.getMessage(), value.source());
            }
        }
        return endpoints;
    }

    /** {@code > 0}, {@code >= 0}, or {@code min-max}. */
    public static String range(int min, int max) {
        if (max == Integer.MAX_VALUE) {
            return min == 1 ? "> 0" : ">= " + min;
        }
        return min + "-" + max;
    }
}
