package io.corerouter.core.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The whole, validated configuration of a corerouter process: which routers run and with what
 * options. Start here: {@link #optionTable()} lists every option, {@link CommandLine#parse} reads the
 * command line (and the ini files it names) against it, and {@link #from} checks and types the result.
 *
 * <pre>{@code
 * ParsedOptions parsed = CommandLine.parse(args, RouterConfig.optionTable());
 * RouterConfig config = RouterConfig.from(parsed);
 * config.warnings().forEach(log::warn);
 * }</pre>
 *
 * @param http           the HTTP router, present when at least one {@code --http} was given
 * @param offloadThreads {@code --offload-threads} (2): threads for blocking work kept off the event loops
 * @param warnings       what was ignored while reading and checking, one line each, for the caller to log
 * @param subscriptions  how subscription servers treat announced nodes (global {@code --subscription-*})
 * @param subscriber     nodes this process announces ({@code --subscribe2}, {@code --subscribe-to})
 * @param stats          how stats servers write their document ({@code --stats-http}, {@code --stats-minified})
 */
public record RouterConfig(Optional<HttpRouterConfig> http, int offloadThreads, List<String> warnings,
                           SubscriptionOptions subscriptions, SubscriberOptions subscriber, StatsOptions stats) {
    public static final String INI = CommandLine.INI_OPTION;
    public static final String HELP = "help";
    public static final String VERSION = "version";
    public static final String OFFLOAD_THREADS = "offload-threads";
    public static final int DEFAULT_OFFLOAD_THREADS = 2;
    /** Help section of the global options. */
    public static final String GROUP = "Global";

    public RouterConfig {
        Objects.requireNonNull(http, "http");
        if (offloadThreads < 1) {
            throw new IllegalArgumentException(OFFLOAD_THREADS + ": " + offloadThreads + " (expected: > 0)");
        }
        warnings = List.copyOf(warnings);
        Objects.requireNonNull(subscriptions, "subscriptions");
        Objects.requireNonNull(subscriber, "subscriber");
        Objects.requireNonNull(stats, "stats");
    }

    /** A configuration with the default subscription and stats settings and nothing to announce. */
    public RouterConfig(Optional<HttpRouterConfig> http, int offloadThreads, List<String> warnings) {
        this(http, offloadThreads, warnings, SubscriptionOptions.DEFAULTS, SubscriberOptions.NONE,
                StatsOptions.DEFAULTS);
    }

    /** A new table with every option corerouter knows, global ones first. */
    public static OptionTable optionTable() {
        OptionTable table = new OptionTable();
        table.register(OptionSpec.required(GROUP, INI, "FILE", "",
                "read options from the [uwsgi] section of FILE (FILE:section for another one); "
                        + "a plain argument ending in .ini does the same").asRepeatable());
        table.register(OptionSpec.flag(GROUP, HELP, "print this help and exit").withAliases("h"));
        table.register(OptionSpec.flag(GROUP, VERSION, "print the version and exit"));
        table.register(OptionSpec.required(GROUP, OFFLOAD_THREADS, "N", Integer.toString(DEFAULT_OFFLOAD_THREADS),
                "threads for blocking work kept off the event loops (name resolution, files, certificates)"));
        HttpRouterConfig.registerOptions(table);
        SubscriptionOptions.registerOptions(table);
        SubscriberOptions.registerOptions(table);
        StatsOptions.registerOptions(table);
        return table;
    }

    /**
     * Checks and types parsed options.
     *
     * @throws ConfigException naming the first bad option, e.g. {@code http-timeout: -1 (expected: > 0)}
     */
    public static RouterConfig from(ParsedOptions options) throws ConfigException {
        List<String> warnings = new ArrayList<>(options.warnings());
        int offloadThreads = OptionValues.integer(options, OFFLOAD_THREADS, DEFAULT_OFFLOAD_THREADS, 1, Integer.MAX_VALUE);
        Optional<HttpRouterConfig> http = Optional.empty();
        if (options.has(HttpRouterConfig.KIND)) {
            http = Optional.of(HttpRouterConfig.from(options, warnings::add));
        } else if (options.names().stream().anyMatch(n -> n.startsWith(HttpRouterConfig.KIND + "-"))) {
            warnings.add("http-* options given without --http: no HTTP router is started");
        }
        SubscriptionOptions subscriptions = SubscriptionOptions.from(options, warnings::add);
        SubscriberOptions subscriber = SubscriberOptions.from(options, warnings::add);
        return new RouterConfig(http, offloadThreads, warnings, subscriptions, subscriber, StatsOptions.from(options));
    }

    /** {@link CommandLine#parse} against {@link #optionTable()}, then {@link #from}: handy for tests and tools. */
    public static RouterConfig parse(String... args) throws ConfigException {
        return from(CommandLine.parse(args, optionTable()));
    }
}
