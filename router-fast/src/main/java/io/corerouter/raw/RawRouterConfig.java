package io.corerouter.raw;

import io.corerouter.core.config.ConfigException;
import io.corerouter.core.config.OptionSpec;
import io.corerouter.core.config.OptionTable;
import io.corerouter.core.config.OptionValues;
import io.corerouter.core.config.ParsedOptions;
import io.corerouter.core.config.RouterOptionNames;
import io.corerouter.core.config.RouterOptions;
import io.corerouter.core.config.RouterServices;
import java.util.Objects;

/**
 * The rawrouter's configuration (spec §6): a TCP relay whose routing key is the name of the listener
 * that accepted the connection. The common router options plus what only the rawrouter has, and its
 * subscription and stats servers.
 *
 * @param common     {@code --rawrouter}, {@code --rawrouter-to}, {@code --rawrouter-timeout}... ({@link RouterOptions})
 * @param maxRetries {@code --rawrouter-max-retries} (3): connect attempts after the first (spec §3.6)
 * @param xclient    {@code --rawrouter-xclient}: swallow the node's banner and send {@code XCLIENT ADDR=<client ip>}
 * @param splice     {@code --rawrouter-splice}: relay with splice(2) between the sockets (epoll only)
 * @param services   {@code --rawrouter-subscription-server}, {@code --rawrouter-stats} and friends
 */
public record RawRouterConfig(RouterOptions common, int maxRetries, boolean xclient, boolean splice,
                              RouterServices services) {
    /** The router kind and option prefix. */
    public static final String KIND = "rawrouter";
    /** The names of the common options for {@link #KIND}. */
    public static final RouterOptionNames NAMES = new RouterOptionNames(KIND);
    public static final String MAX_RETRIES = "rawrouter-max-retries";
    public static final String XCLIENT = "rawrouter-xclient";
    public static final String SPLICE = "rawrouter-splice";
    /** uWSGI's default of {@code --rawrouter-max-retries}. */
    public static final int DEFAULT_MAX_RETRIES = 3;
    /** Help section of the rawrouter options. */
    public static final String GROUP = "rawrouter";

    public RawRouterConfig {
        Objects.requireNonNull(common, "common");
        if (maxRetries < 0) {
            throw new IllegalArgumentException(MAX_RETRIES + ": " + maxRetries + " (expected: >= 0)");
        }
        Objects.requireNonNull(services, "services");
    }

    /** Registers {@code --rawrouter} and every other rawrouter option, its services' last. */
    public static void registerOptions(OptionTable table) {
        NAMES.registerCommon(table, GROUP);
        table.register(OptionSpec.required(GROUP, MAX_RETRIES, "N", Integer.toString(DEFAULT_MAX_RETRIES),
                "connect attempts after the first when a node refuses"));
        table.register(OptionSpec.flag(GROUP, XCLIENT,
                "Postfix XCLIENT: swallow the node's first line and send XCLIENT ADDR=<client ip> (IPv4/IPv6 clients)"));
        table.register(OptionSpec.flag(GROUP, SPLICE,
                "relay with zero-copy splice(2) between the two sockets (epoll transport; else the buffer relay)"));
        RouterServices.registerOptions(table, NAMES, GROUP, false);
    }

    /**
     * Reads the rawrouter options; call it when {@code --rawrouter} or {@code --rawrouter-zerg} was given.
     *
     * @throws ConfigException naming the first bad option
     */
    public static RawRouterConfig from(ParsedOptions options) throws ConfigException {
        return new RawRouterConfig(RouterOptions.from(options, KIND),
                OptionValues.integer(options, MAX_RETRIES, DEFAULT_MAX_RETRIES, 0, 1000),
                options.flag(XCLIENT), options.flag(SPLICE), RouterServices.from(options, NAMES));
    }
}
