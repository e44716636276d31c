package io.corerouter.http;

import io.corerouter.core.config.ConfigException;
import io.corerouter.core.config.OptionTable;
import io.corerouter.core.config.ParsedOptions;
import io.corerouter.core.config.RouterOptions;
import io.corerouter.core.config.RouterServices;
import io.corerouter.core.server.ReloadReport;
import io.corerouter.core.server.RouterContext;
import io.corerouter.core.server.RouterKind;
import io.corerouter.ssl.TlsService;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The HTTP router as a {@link RouterKind}: {@code --http}, {@code --https} and {@code --http-to-https}
 * listeners and every {@code --http-*} option ({@link HttpRouterConfig}, {@link HttpsConfig}).
 */
public final class HttpRouterKind implements RouterKind<HttpRouterKind.Config, HttpRouter> {
    public static final HttpRouterKind INSTANCE = new HttpRouterKind();

    /**
     * The HTTP router's whole config.
     *
     * @param router the plain side: listeners, nodes, HTTP features, services
     * @param https  the TLS and redirect listeners ({@link HttpsConfig#NONE} without)
     */
    public record Config(HttpRouterConfig router, HttpsConfig https) {
        public Config {
            Objects.requireNonNull(router, "router");
            Objects.requireNonNull(https, "https");
        }
    }

    private HttpRouterKind() {
    }

    @Override
    public String name() {
        return HttpRouterConfig.KIND;
    }

    /** The HTTP router options, then the HTTPS ones. */
    @Override
    public void registerOptions(OptionTable table) {
        HttpRouterConfig.registerOptions(table);
        HttpsConfig.registerOptions(table);
    }

    /** Present when at least one {@code --http}, {@code --http-zerg}, {@code --https} or {@code --http-to-https} was given. */
    @Override
    public Optional<Config> configure(ParsedOptions options, Consumer<String> warnings) throws ConfigException {
        if (options.has(HttpRouterConfig.KIND) || options.has(HttpRouterConfig.NAMES.zerg())
                || HttpsConfig.given(options)) {
            return Optional.of(new Config(HttpRouterConfig.from(options, warnings), HttpsConfig.from(options)));
        }
        if (options.names().stream().anyMatch(n -> n.startsWith(HttpRouterConfig.KIND + "-"))) {
            warnings.accept("http-* options given without --http: no HTTP router is started");
        }
        return Optional.empty();
    }

    @Override
    public RouterOptions common(Config config) {
        return config.router().common();
    }

    @Override
    public RouterServices services(Config config) {
        return new RouterServices(config.router().subscriptions(), config.router().stats());
    }

    @Override
    public boolean servesTls(Config config) {
        return !config.https().listeners().isEmpty();
    }

    @Override
    public HttpRouter create(Config config, RouterContext context) {
        return new HttpRouter(config.router(), config.https(), context.service(TlsService.class).orElse(null),
                context.transport(), context.mapper(), context.hostname(), context.offload());
    }

    /** SIGHUP: {@link HttpRouter#reconfigure}. */
    @Override
    public ReloadReport reconfigure(HttpRouter router, Config current, Config next) throws Exception {
        return router.reconfigure(next.router(), next.https());
    }
}
