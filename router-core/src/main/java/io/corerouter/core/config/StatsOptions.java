package io.corerouter.core.config;

/**
 * How every stats server of the process writes its document (spec §3.11); where each router's stats
 * server listens is {@code --R-stats} ({@link RouterOptionNames#stats()}).
 *
 * @param http     {@code --stats-http}: read the client's request first, answer with an HTTP/1.0 head; the
 *                 launcher then also serves {@code /metrics} and {@code /status} (issue 12)
 * @param minified {@code --stats-minified} / {@code --stats-min}: one line instead of tab-indented lines
 */
public record StatsOptions(boolean http, boolean minified) {
    public static final String HTTP = "stats-http";
    public static final String MINIFIED = "stats-minified";
    /** Help section of the stats options. */
    public static final String GROUP = "Stats";
    public static final StatsOptions DEFAULTS = new StatsOptions(false, false);

    /** Registers the global stats options. */
    public static void registerOptions(OptionTable table) {
        table.register(OptionSpec.flag(GROUP, HTTP,
                "stats servers answer an HTTP request with an HTTP/1.0 response (for browsers and curl), "
                        + "and also serve /metrics (Prometheus) and /status (status page)"));
        table.register(OptionSpec.flag(GROUP, MINIFIED, "stats servers write the JSON on one line")
                .withAliases("stats-min"));
    }

    /** Reads the global stats options. */
    public static StatsOptions from(ParsedOptions options) {
        return new StatsOptions(options.flag(HTTP), options.flag(MINIFIED));
    }
}
