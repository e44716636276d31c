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
 * <p>Reloading (SIGHUP) builds a new config per kind with {@link #configure} and hands it to
 * {@link #reconfigure}; a kind that does not implement it keeps running as it is.
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
     * Applies {@code next} to a router running with {@code current} (SIGHUP), without closing a
     * client connection: what can be checked or built (names, certificates, new listeners) is done
     * first, and when that fails the router is left as it was. Requests in flight finish on the
     * config they started with. Blocking: the reload thread, never an event loop.
     *
     * @return what changed, and which changes need a restart (those are left as they were)
     * @throws UnsupportedOperationException when the kind cannot be reconfigured
     * @throws Exception saying why {@code next} cannot be applied; the router is unchanged
     */
    default ReloadReport reconfigure(R router, C current, C next) throws Exception {
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
