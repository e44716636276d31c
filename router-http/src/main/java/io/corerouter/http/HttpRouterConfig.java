package io.corerouter.http;

import io.corerouter.core.config.ConfigException;
import io.corerouter.core.config.Endpoint;
import io.corerouter.core.config.Limits;
import io.corerouter.core.config.OptionSpec;
import io.corerouter.core.config.OptionTable;
import io.corerouter.core.config.OptionValues;
import io.corerouter.core.config.ParsedOptions;
import io.corerouter.core.config.RouterOptionNames;
import io.corerouter.core.config.RouterOptions;
import io.corerouter.core.config.RouterSubscriptionOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The HTTP router's configuration (spec §4, options §4.13): the common router options plus what only
 * the HTTP router has.
 *
 * @param common               {@code --http}, {@code --http-to}, {@code --http-timeout}... ({@link RouterOptions})
 * @param keepAlive            {@code --http-keepalive[=N]}
 * @param vars                 {@code --http-var KEY=VALUE}, in option order
 * @param modifier1            {@code --http-modifier1} (0): modifier1 of the packets sent to nodes
 * @param modifier2            {@code --http-modifier2} (0)
 * @param serverNameAsHttpHost {@code --http-server-name-as-http-host}: SERVER_NAME is the Host header
 * @param limits               request head limits, derived from {@code --http-buffer-size}
 * @param subscriptions        {@code --http-subscription-server} and friends (spec §2)
 * @param stats                {@code --http-stats ADDR}: the router's stats server (spec §3.11)
 * @param features             raw modes, response rewriting, Expect, PROXY, body and connection limits
 *                             (spec §4.5-4.11, {@link HttpFeatures})
 * @param http2                {@code --http2} and its limits ({@link Http2Config}, issue 11)
 */
public record HttpRouterConfig(RouterOptions common, KeepAlive keepAlive, List<UwsgiVar> vars, int modifier1,
                               int modifier2, boolean serverNameAsHttpHost, Limits limits,
                               RouterSubscriptionOptions subscriptions, Optional<Endpoint> stats,
                               HttpFeatures features, Http2Config http2) {
    /** The router kind and option prefix. */
    public static final String KIND = "http";
    /** The names of the common options for {@link #KIND}. */
    public static final RouterOptionNames NAMES = new RouterOptionNames(KIND);
    public static final String KEEPALIVE = "http-keepalive";
    public static final String VAR = "http-var";
    public static final String MODIFIER1 = "http-modifier1";
    public static final String MODIFIER2 = "http-modifier2";
    public static final String SERVER_NAME_AS_HTTP_HOST = "http-server-name-as-http-host";
    /** Help section of the HTTP router options. */
    public static final String GROUP = "HTTP router";

    public HttpRouterConfig {
        Objects.requireNonNull(common, "common");
        Objects.requireNonNull(keepAlive, "keepAlive");
        vars = List.copyOf(vars);
        checkModifier(MODIFIER1, modifier1);
        checkModifier(MODIFIER2, modifier2);
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(subscriptions, "subscriptions");
        Objects.requireNonNull(stats, "stats");
        Objects.requireNonNull(features, "features");
        Objects.requireNonNull(http2, "http2");
    }

    /** A configuration without subscription and stats servers, every {@link HttpFeatures} option off. */
    public HttpRouterConfig(RouterOptions common, KeepAlive keepAlive, List<UwsgiVar> vars, int modifier1,
                            int modifier2, boolean serverNameAsHttpHost, Limits limits) {
        this(common, keepAlive, vars, modifier1, modifier2, serverNameAsHttpHost, limits,
                RouterSubscriptionOptions.NONE, Optional.empty(), HttpFeatures.DEFAULTS, Http2Config.OFF);
    }

    /** Registers {@code --http}, {@code --httprouter} and every other HTTP router option. */
    public static void registerOptions(OptionTable table) {
        NAMES.registerCommon(table, GROUP, "httprouter");
        table.register(OptionSpec.required(GROUP, NAMES.headersTimeout(), "N", NAMES.timeout(),
                "seconds to wait for a complete request head"));
        table.register(OptionSpec.required(GROUP, NAMES.connectTimeout(), "N", NAMES.timeout(),
                "seconds to wait for a node connection"));
        table.register(OptionSpec.optional(GROUP, KEEPALIVE, "N", "off",
                "HTTP/1.1 keep-alive; =N (N > 1) waits N s for the next request instead of http-timeout, =0 is off"));
        table.register(OptionSpec.required(GROUP, VAR, "KEY=VALUE", "",
                "add KEY=VALUE to every uwsgi packet sent to nodes").asRepeatable());
        table.register(OptionSpec.required(GROUP, MODIFIER1, "N", "0",
                "uwsgi modifier1 of the packets sent to nodes (0-255)"));
        table.register(OptionSpec.required(GROUP, MODIFIER2, "N", "0",
                "uwsgi modifier2 of the packets sent to nodes (0-255)"));
        table.register(OptionSpec.required(GROUP, SERVER_NAME_AS_HTTP_HOST, "VALUE", "off",
                "send the Host header as SERVER_NAME instead of the host name (any value except false/off/no/0 turns it on)"));
        NAMES.registerPools(table, GROUP);
        NAMES.registerHealthRequests(table, GROUP);
        NAMES.registerSubscriptions(table, GROUP, true);
        NAMES.registerStats(table, GROUP);
        HttpFeatures.registerOptions(table, GROUP);
        Http2Config.registerOptions(table, GROUP);
    }

    /**
     * Reads the HTTP router options; call it when at least one {@code --http} was given.
     *
     * @param warnings receives one line per ignored value ({@code --http-var} without {@code =})
     * @throws ConfigException naming the first bad option
     */
    public static HttpRouterConfig from(ParsedOptions options, Consumer<String> warnings) throws ConfigException {
        RouterOptions common = RouterOptions.from(options, KIND);
        KeepAlive keepAlive = KeepAlive.from(options.lastValue(KEEPALIVE).orElse(null), common.timeouts().idle());
        List<UwsgiVar> vars = new ArrayList<>();
        for (ParsedOptions.Value value : options.values(VAR)) {
            String text = value.text();
            int eq = text.indexOf('=');
            if (eq <= 0) {
                // uWSGI skips an entry without '=' silently (spec §4.2); say so at least
                warnings.accept(VAR + ": ignoring '" + text + "' (expected: KEY=VALUE)"
                        + ConfigException.suffix(value.source()));
                continue;
            }
            try {
                vars.add(new UwsgiVar(text.substring(0, eq), text.substring(eq + 1)));
            } catch (IllegalArgumentException e) {
                throw ConfigException.of(VAR, e.getMessage(), value.source());
            }
        }
        RouterSubscriptionOptions subscriptions = RouterSubscriptionOptions.from(options, KIND);
        if (common.cheap() && !subscriptions.enabled()) {
            warnings.accept(NAMES.cheap() + ": has no effect without " + NAMES.subscriptionServer());
        }
        if (!subscriptions.enabled() && (subscriptions.fallbackKey().isPresent() || !subscriptions.resubscribe().isEmpty())) {
            warnings.accept(NAMES.subscriptionFallbackKey() + " and " + NAMES.resubscribe() + ": ignored without "
                    + NAMES.subscriptionServer());
        }
        return new HttpRouterConfig(common, keepAlive, vars,
                OptionValues.integer(options, MODIFIER1, 0, 0, 255),
                OptionValues.integer(options, MODIFIER2, 0, 0, 255),
                options.flag(SERVER_NAME_AS_HTTP_HOST),
                Limits.forBufferSize(common.bufferSize()),
                subscriptions,
                NAMES.statsEndpoint(options),
                HttpFeatures.from(options),
                Http2Config.from(options));
    }

    private static void checkModifier(String option, int modifier) {
        if (modifier < 0 || modifier > 255) {
            throw new IllegalArgumentException(option + ": " + modifier + " (expected: 0-255)");
        }
    }
}
