package io.corerouter.core.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The whole, validated configuration of a corerouter process: the global options, and the config of
 * every {@link ConfigSection} (router kinds, TLS, subscriptions...) that is in use. Start here:
 * {@link #optionTable} lists every option, {@link CommandLine#parse} reads the command line (and the
 * ini files it names) against it, and {@link #from} checks and types the result, section by section.
 *
 * <pre>{@code
 * List<ConfigSection<?>> sections = ...;  // the launcher's list
 * ParsedOptions parsed = CommandLine.parse(args, RouterConfig.optionTable(sections));
 * RouterConfig config = RouterConfig.from(parsed, sections);
 * config.warnings().forEach(log::warn);
 * config.get(someKind).ifPresent(...);
 * }</pre>
 *
 * <p>Core owns the options around the sections: the global ones first ({@code --ini}, {@code --help},
 * {@code --version}, {@code --offload-threads}, {@code --reload-mercy}) and the stats server format last ({@link StatsOptions}).
 *
 * @param sections       every section of the build, in registration order, in use or not
 * @param configs        the config of each section in use, keyed by its section
 * @param offloadThreads {@code --offload-threads} (2): threads for blocking work kept off the event loops
 * @param drain          {@code --reload-mercy} (10 s): how long a graceful stop (SIGTERM, SIGINT) lets the
 *                       requests in flight finish before it closes them
 * @param warnings       what was ignored while reading and checking, one line each, for the caller to log
 * @param stats          how stats servers write their document ({@code --stats-http}, {@code --stats-minified})
 */
public record RouterConfig(List<ConfigSection<?>> sections, Map<ConfigSection<?>, Object> configs,
                           int offloadThreads, Duration drain, List<String> warnings, StatsOptions stats) {
    public static final String INI = CommandLine.INI_OPTION;
    public static final String HELP = "help";
    public static final String VERSION = "version";
    public static final String OFFLOAD_THREADS = "offload-threads";
    public static final int DEFAULT_OFFLOAD_THREADS = 2;
    /** uWSGI's name for how long a stop waits for its workers; here, for the requests in flight. */
    public static final String RELOAD_MERCY = "reload-mercy";
    /** Default of {@code --reload-mercy}: what corerouter always waited (uWSGI waits 60 s for its workers). */
    public static final Duration DEFAULT_DRAIN = Duration.ofSeconds(10);
    /** Help section of the global options. */
    public static final String GROUP = "Global";

    public RouterConfig {
        sections = List.copyOf(sections);
        configs = Map.copyOf(configs);
        if (!sections.containsAll(configs.keySet())) {
            throw new IllegalArgumentException("configs of sections not in " + sections);
        }
        if (offloadThreads < 1) {
            throw new IllegalArgumentException(OFFLOAD_THREADS + ": " + offloadThreads + " (expected: > 0)");
        }
        Objects.requireNonNull(drain, "drain");
        if (drain.isNegative()) {
            throw new IllegalArgumentException(RELOAD_MERCY + ": " + drain + " (expected: >= 0)");
        }
        warnings = List.copyOf(warnings);
        Objects.requireNonNull(stats, "stats");
    }

    /** The config {@code section} built, or empty when that section is not in use (or not in this build). */
    public <C> Optional<C> get(ConfigSection<C> section) {
        @SuppressWarnings("unchecked") // configure() of this very section built it
        C config = (C) configs.get(section);
        return Optional.ofNullable(config);
    }

    /** A new table with the options of the installed assembly ({@link ConfigAssembly#installed()}). */
    public static OptionTable optionTable() {
        return optionTable(ConfigAssembly.installed());
    }

    /** A new table with the global options, then those of every section in order, then the stats options. */
    public static OptionTable optionTable(List<? extends ConfigSection<?>> sections) {
        OptionTable table = new OptionTable();
        table.register(OptionSpec.required(GROUP, INI, "FILE", "",
                "read options from the [uwsgi] section of FILE (FILE:section for another one); "
                        + "a plain argument ending in .ini does the same").asRepeatable());
        table.register(OptionSpec.flag(GROUP, HELP, "print this help and exit").withAliases("h"));
        table.register(OptionSpec.flag(GROUP, VERSION, "print the version and exit"));
        table.register(OptionSpec.required(GROUP, OFFLOAD_THREADS, "N", Integer.toString(DEFAULT_OFFLOAD_THREADS),
                "threads for blocking work kept off the event loops (name resolution, files, certificates)"));
        table.register(OptionSpec.required(GROUP, RELOAD_MERCY, "N", Long.toString(DEFAULT_DRAIN.toSeconds()),
                "seconds SIGTERM/SIGINT let the requests in flight finish after the listeners closed "
                        + "(a second signal stops at once)"));
        for (ConfigSection<?> section : sections) {
            section.registerOptions(table);
        }
        StatsOptions.registerOptions(table);
        return table;
    }

    /** {@link #from(ParsedOptions, List)} with the sections of the installed assembly. */
    public static RouterConfig from(ParsedOptions options) throws ConfigException {
        return from(options, ConfigAssembly.installed());
    }

    /**
     * Checks and types parsed options: the global ones, then each section's, in order.
     *
     * @param sections the sections whose options the table had ({@link #optionTable(List)})
     * @throws ConfigException naming the first bad option, e.g. {@code http-timeout: -1 (expected: > 0)}
     */
    public static RouterConfig from(ParsedOptions options, List<? extends ConfigSection<?>> sections)
            throws ConfigException {
        List<String> warnings = new ArrayList<>(options.warnings());
        int offloadThreads = OptionValues.integer(options, OFFLOAD_THREADS, DEFAULT_OFFLOAD_THREADS, 1, Integer.MAX_VALUE);
        Duration drain = OptionValues.seconds(options, RELOAD_MERCY, DEFAULT_DRAIN, 0);
        Map<ConfigSection<?>, Object> configs = new HashMap<>();
        for (ConfigSection<?> section : sections) {
            Optional<?> config = section.configure(options, warnings::add);
            config.ifPresent(c -> configs.put(section, c));
        }
        return new RouterConfig(List.copyOf(sections), configs, offloadThreads, drain, warnings,
                StatsOptions.from(options));
    }

    /** {@link CommandLine#parse} against {@link #optionTable()}, then {@link #from}: handy for tests and tools. */
    public static RouterConfig parse(String... args) throws ConfigException {
        return parse(ConfigAssembly.installed(), args);
    }

    /** {@link CommandLine#parse} against the table of {@code sections}, then {@link #from}. */
    public static RouterConfig parse(List<? extends ConfigSection<?>> sections, String... args) throws ConfigException {
        return from(CommandLine.parse(args, optionTable(sections)), sections);
    }
}
