package io.corerouter.core.server;

import io.corerouter.core.config.ConfigSection;
import io.corerouter.core.config.ParsedOptions;
import io.corerouter.core.config.RouterOptionNames;
import io.corerouter.core.config.RouterOptions;
import io.corerouter.core.config.RouterServices;
import java.util.function.Consumer;

/**
 * What a router kind (http, fastrouter, rawrouter, sslrouter) tells the launcher about itself: its
 * name, its options ({@link #registerOptions}), how it builds its immutable config from the parsed
 * options ({@link #configure}), and how a router is made from that config ({@link #create}). Each
 * router module owns one, next to its options; core knows none of them, and the launcher assembles
 * them from a list.
 *
 * <p>The launcher gives every kind the same services from {@link #common} and {@link #services}:
 * a subscription table as its mapper with {@code --R-subscription-server}, cheap mode, a stats
 * server with {@code --R-stats} (spec §2, §3.9, §3.11).
 *
 * <p>Reloading (SIGHUP, issue 13) will build a new config per kind with {@link #configure} and hand
 * it to {@link #reconfigure}; until a kind implements that, a reload must leave it as it is.
 *
 * @param <C> the kind's immutable config
 * @param <R> the router it makes
 */
public interface RouterKind<C, R extends Router> extends ConfigSection<C> {

    /** The router kind and option prefix: {@code http}, {@code fastrouter}... */
    @Override
    String name();

    /** The common {@code --R-} options in {@code config} (listeners, nodes, cheap mode...). */
    RouterOptions common(C config);

    /** The kind's subscription and stats servers in {@code config}. */
    RouterServices services(C config);

    /**
     * Whether the router terminates TLS: the launcher then starts the process's TLS service (SNI,
     * session cache, ticket keys) for it, and lets its subscribed nodes push SNI contexts (spec §5.4).
     */
    default boolean servesTls(C config) {
        return false;
    }

    /**
     * Makes the router; the launcher starts it ({@link Router#start()}) and closes it.
     *
     * @param context what the process shares with its routers, and the router's mapper
     */
    R create(C config, RouterContext context) throws Exception;

    /**
     * Applies {@code next} to a router running with {@code current}, without closing client
     * connections: the place for SIGHUP reload (issue 13), which no kind implements yet.
     *
     * @throws UnsupportedOperationException until the kind supports it
     */
    default void reconfigure(R router, C current, C next) throws Exception {
        throw new UnsupportedOperationException(name() + ": a running router cannot be reconfigured yet");
    }

    /**
     * The usual test of whether kind {@code names} runs: it has a listener or a zerg server
     * (deviations.md: a zerg server alone starts the router). Other options of that kind without
     * either are reported to {@code warnings}.
     */
    static boolean wanted(ParsedOptions options, RouterOptionNames names, Consumer<String> warnings) {
        if (options.has(names.listener()) || options.has(names.zerg())) {
            return true;
        }
        if (options.names().stream().anyMatch(n -> n.startsWith(names.kind() + "-"))) {
            warnings.accept(names.kind() + "-* options given without --" + names.kind() + ": no " + names.kind()
                    + " is started");
        }
        return false;
    }
}
