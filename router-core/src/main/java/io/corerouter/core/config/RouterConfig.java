package io.corerouter.core.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * @param http           the HTTP router, present when at least one {@code --http}, {@code --https},
 *                       {@code --http-to-https} or {@code --http-zerg} was given
 * @param https          the HTTP router's TLS and redirect listeners ({@link HttpsConfig#NONE} without)
 * @param sslrouter      the sslrouter, present when at least one {@code --sslrouter} was given
 * @param tls            TLS settings shared by every TLS listener (SNI, sessions, ticket keys)
 * @param fastrouter     the fastrouter, present when {@code --fastrouter} or {@code --fastrouter-zerg} was given
 * @param rawrouter      the rawrouter, present when {@code --rawrouter} or {@code --rawrouter-zerg} was given
 * @param services       subscription and stats servers of the fastrouter, rawrouter and sslrouter, by kind
 *                       (the HTTP router carries its own in {@link HttpRouterConfig})
 * @param offloadThreads {@code --offload-threads} (2): threads for blocking work kept off the event loops
 * @param warnings       what was ignored while reading and checking, one line each, for the caller to log
 * @param subscriptions  how subscription servers treat announced nodes (global {@code --subscription-*})
 * @param subscriber     nodes this process announces ({@code --subscribe2}, {@code --subscribe-to})
 * @param stats          how stats servers write their document ({@code --stats-http}, {@code --stats-minified})
 */
public record RouterConfig(Optional<HttpRouterConfig> http, HttpsConfig https, Optional<SslRouterConfig> sslrouter,
                           TlsConfig tls, Optional<FastRouterConfig> fastrouter, Optional<RawRouterConfig> rawrouter,
                           Map<String, RouterServices> services, int offloadThreads, List<String> warnings,
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
        Objects.requireNonNull(https, "https");
        Objects.requireNonNull(sslrouter, "sslrouter");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(fastrouter, "fastrouter");
        Objects.requireNonNull(rawrouter, "rawrouter");
        services = Map.copyOf(services);
        if (offloadThreads < 1) {
            throw new IllegalArgumentException(OFFLOAD_THREADS + ": " + offloadThreads + " (expected: > 0)");
        }
        warnings = List.copyOf(warnings);
        Objects.requireNonNull(subscriptions, "subscriptions");
        Objects.requireNonNull(subscriber, "subscriber");
        Objects.requireNonNull(stats, "stats");
    }

    /** Only the HTTP router, without TLS listeners, default subscription and stats settings. */
    public RouterConfig(Optional<HttpRouterConfig> http, int offloadThreads, List<String> warnings) {
        this(http, HttpsConfig.NONE, Optional.empty(), TlsConfig.DEFAULTS, Optional.empty(), Optional.empty(),
                Map.of(), offloadThreads, warnings, SubscriptionOptions.DEFAULTS, SubscriberOptions.NONE,
                StatsOptions.DEFAULTS);
    }

    /** The subscription and stats servers of router kind {@code kind}. */
    public RouterServices services(String kind) {
        if (HttpRouterConfig.KIND.equals(kind)) {
            return http.map(h -> new RouterServices(h.subscriptions(), h.stats())).orElse(RouterServices.NONE);
        }
        return services.getOrDefault(kind, RouterServices.NONE);
    }

    /** True when some router has a TLS listener. */
    public boolean usesTls() {
        return !https.listeners().isEmpty() || sslrouter.isPresent();
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
        HttpsConfig.registerOptions(table);
        FastRouterConfig.registerOptions(table);
        RouterServices.registerOptions(table, FastRouterConfig.NAMES, FastRouterConfig.GROUP, true);
        RawRouterConfig.registerOptions(table);
        RouterServices.registerOptions(table, RawRouterConfig.NAMES, RawRouterConfig.GROUP, false);
        SslRouterConfig.registerOptions(table);
        RouterServices.registerOptions(table, SslRouterConfig.NAMES, SslRouterConfig.GROUP, false);
        TlsConfig.registerOptions(table);
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
        HttpsConfig https = HttpsConfig.NONE;
        if (options.has(HttpRouterConfig.KIND) || options.has(HttpRouterConfig.NAMES.zerg())
                || HttpsConfig.given(options)) {
            http = Optional.of(HttpRouterConfig.from(options, warnings::add));
            https = HttpsConfig.from(options);
        } else if (options.names().stream().anyMatch(n -> n.startsWith(HttpRouterConfig.KIND + "-"))) {
            warnings.add("http-* options given without --http: no HTTP router is started");
        }
        Optional<SslRouterConfig> sslrouter = Optional.empty();
        if (SslRouterConfig.given(options)) {
            sslrouter = Optional.of(SslRouterConfig.from(options));
        } else if (options.names().stream().anyMatch(n -> n.startsWith(SslRouterConfig.KIND + "-"))) {
            warnings.add("sslrouter-* options given without --sslrouter: no SSL router is started");
        }
        Optional<FastRouterConfig> fastrouter = Optional.empty();
        if (wanted(options, FastRouterConfig.NAMES, warnings)) {
            fastrouter = Optional.of(FastRouterConfig.from(options));
        }
        Optional<RawRouterConfig> rawrouter = Optional.empty();
        if (wanted(options, RawRouterConfig.NAMES, warnings)) {
            rawrouter = Optional.of(RawRouterConfig.from(options));
        }
        Map<String, RouterServices> services = new HashMap<>();
        for (RouterOptionNames names : List.of(FastRouterConfig.NAMES, RawRouterConfig.NAMES, SslRouterConfig.NAMES)) {
            services.put(names.kind(), RouterServices.from(options, names));
        }
        SubscriptionOptions subscriptions = SubscriptionOptions.from(options, warnings::add);
        SubscriberOptions subscriber = SubscriberOptions.from(options, warnings::add);
        return new RouterConfig(http, https, sslrouter, TlsConfig.from(options, warnings::add), fastrouter, rawrouter, services,
                offloadThreads, warnings, subscriptions, subscriber, StatsOptions.from(options));
    }

    /**
     * Whether router kind {@code names} runs: it has a listener or a zerg server (deviations.md: a zerg
     * server alone starts the router). Other options of that kind without either are a warning.
     */
    private static boolean wanted(ParsedOptions options, RouterOptionNames names, List<String> warnings) {
        if (options.has(names.listener()) || options.has(names.zerg())) {
            return true;
        }
        if (options.names().stream().anyMatch(n -> n.startsWith(names.kind() + "-"))) {
            warnings.add(names.kind() + "-* options given without --" + names.kind() + ": no " + names.kind()
                    + " is started");
        }
        return false;
    }

    /** {@link CommandLine#parse} against {@link #optionTable()}, then {@link #from}: handy for tests and tools. */
    public static RouterConfig parse(String... args) throws ConfigException {
        return from(CommandLine.parse(args, optionTable()));
    }
}
