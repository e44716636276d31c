package io.corerouter.ssl.router;

import io.corerouter.core.config.ConfigException;
import io.corerouter.core.config.Endpoint;
import io.corerouter.core.config.OptionSpec;
import io.corerouter.core.config.OptionTable;
import io.corerouter.core.config.OptionValues;
import io.corerouter.core.config.ParsedOptions;
import io.corerouter.core.config.RouterOptionNames;
import io.corerouter.core.config.RouterOptions;
import io.corerouter.core.config.RouterServices;
import io.corerouter.ssl.TlsConfig;
import io.corerouter.ssl.TlsListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The sslrouter (spec §5.5, §5.6): TLS terminated, plaintext relayed to a node chosen by the
 * listener's socket name, or by the SNI name with {@code --sslrouter-sni}.
 *
 * @param common         the common router options; {@code listeners()} are the TLS listeners' endpoints
 * @param listeners      {@code --sslrouter} and {@code --sslrouter2}, in option order
 * @param sni            {@code --sslrouter-sni}: route by the SNI name when the client sent one
 * @param maxRetries     {@code --sslrouter-max-retries} (3): connect attempts after the first
 * @param sessionContext {@code --sslrouter-session-context}: TLS session id context (default
 *                       {@code sslrouter-<socket name>})
 * @param services       {@code --sslrouter-subscription-server}, {@code --sslrouter-stats} and friends
 */
public record SslRouterConfig(RouterOptions common, List<TlsListener> listeners, boolean sni, int maxRetries,
                              Optional<String> sessionContext, RouterServices services) {
    public static final String KIND = "sslrouter";
    public static final RouterOptionNames NAMES = new RouterOptionNames(KIND);
    public static final String SSLROUTER2 = "sslrouter2";
    public static final String SNI = "sslrouter-sni";
    public static final String MAX_RETRIES = "sslrouter-max-retries";
    public static final String SESSION_CONTEXT = "sslrouter-session-context";
    public static final int DEFAULT_MAX_RETRIES = 3;
    public static final String GROUP = "SSL router";

    public SslRouterConfig {
        Objects.requireNonNull(common, "common");
        listeners = List.copyOf(listeners);
        if (maxRetries < 0) {
            throw new IllegalArgumentException(MAX_RETRIES + ": " + maxRetries + " (expected: >= 0)");
        }
        Objects.requireNonNull(sessionContext, "sessionContext");
        Objects.requireNonNull(services, "services");
    }

    public static void registerOptions(OptionTable table) {
        table.register(OptionSpec.required(GROUP, KIND, "ADDR,CRT,KEY[,CIPHERS[,CLIENTCA]]", "",
                "TLS listener whose plaintext is relayed to a node (!CLIENTCA: client certificate mandatory)").asRepeatable());
        table.register(OptionSpec.required(GROUP, SSLROUTER2, "addr=ADDR,cert=CRT,key=KEY[,ciphers=C][,clientca=CA]", "",
                "sslrouter listener, key=value form").asRepeatable());
        NAMES.registerCommonWithoutListener(table, GROUP);
        table.register(OptionSpec.flag(GROUP, SNI,
                "route by the TLS server name (SNI) instead of the listener's socket name"));
        table.register(OptionSpec.required(GROUP, MAX_RETRIES, "N", Integer.toString(DEFAULT_MAX_RETRIES),
                "connect attempts after the first failed one"));
        table.register(OptionSpec.required(GROUP, SESSION_CONTEXT, "NAME", "sslrouter-<socket name>",
                "TLS session id context; give routers that share sessions or ticket keys the same one"));
        RouterServices.registerOptions(table, NAMES, GROUP, false);
    }

    /** True when a listener option was given. */
    public static boolean given(ParsedOptions options) {
        return options.has(KIND) || options.has(SSLROUTER2);
    }

    public static SslRouterConfig from(ParsedOptions options) throws ConfigException {
        List<TlsListener> listeners = new ArrayList<>(TlsConfig.listeners(options, KIND, TlsListener::parseCsv));
        listeners.addAll(TlsConfig.listeners(options, SSLROUTER2, TlsListener::parseKeyValue));
        List<Endpoint> endpoints = listeners.stream().map(TlsListener::endpoint).toList();
        return new SslRouterConfig(RouterOptions.from(options, KIND, endpoints), listeners, options.flag(SNI),
                OptionValues.integer(options, MAX_RETRIES, DEFAULT_MAX_RETRIES, 0, Integer.MAX_VALUE),
                options.last(SESSION_CONTEXT).filter(s -> !s.isEmpty()), RouterServices.from(options, NAMES));
    }
}
