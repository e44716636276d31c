package io.corerouter.core.config;

import java.util.Objects;
import java.util.Optional;

/**
 * The services around one router kind, the same for every kind: its subscription servers (spec §2,
 * {@code --R-subscription-server} and friends) and its stats server (spec §3.11, {@code --R-stats}).
 *
 * @param subscriptions the router's subscription servers ({@link RouterSubscriptionOptions#NONE} without)
 * @param stats         where the router's stats server listens, if anywhere
 */
public record RouterServices(RouterSubscriptionOptions subscriptions, Optional<Endpoint> stats) {
    public static final RouterServices NONE = new RouterServices(RouterSubscriptionOptions.NONE, Optional.empty());

    public RouterServices {
        Objects.requireNonNull(subscriptions, "subscriptions");
        Objects.requireNonNull(stats, "stats");
    }

    /**
     * Registers the options of router kind {@code names} in help section {@code group}.
     *
     * @param federation whether the kind has {@code -subscription-fallback-key} and {@code -resubscribe}
     *                   (uWSGI: http and fastrouter only)
     */
    public static void registerOptions(OptionTable table, RouterOptionNames names, String group, boolean federation) {
        names.registerSubscriptions(table, group, federation);
        names.registerStats(table, group);
    }

    /** Reads the options of router kind {@code names}. */
    public static RouterServices from(ParsedOptions options, RouterOptionNames names) throws ConfigException {
        return new RouterServices(RouterSubscriptionOptions.from(options, names.kind()), names.statsEndpoint(options));
    }
}
