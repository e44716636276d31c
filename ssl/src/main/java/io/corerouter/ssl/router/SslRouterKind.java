package io.corerouter.ssl.router;

import io.corerouter.core.config.ConfigException;
import io.corerouter.core.config.OptionTable;
import io.corerouter.core.config.ParsedOptions;
import io.corerouter.core.config.RouterOptions;
import io.corerouter.core.config.RouterServices;
import io.corerouter.core.server.ReloadReport;
import io.corerouter.core.server.RouterContext;
import io.corerouter.core.server.RouterKind;
import io.corerouter.ssl.TlsService;
import java.util.Optional;
import java.util.function.Consumer;

/** The sslrouter as a {@link RouterKind}: {@code --sslrouter}, {@code --sslrouter2} and every {@code --sslrouter-*} option. */
public final class SslRouterKind implements RouterKind<SslRouterConfig, SslRouter> {
    public static final SslRouterKind INSTANCE = new SslRouterKind();

    private SslRouterKind() {
    }

    @Override
    public String name() {
        return SslRouterConfig.KIND;
    }

    @Override
    public void registerOptions(OptionTable table) {
        SslRouterConfig.registerOptions(table);
    }

    /** Present when {@code --sslrouter} or {@code --sslrouter2} was given. */
    @Override
    public Optional<SslRouterConfig> configure(ParsedOptions options, Consumer<String> warnings)
            throws ConfigException {
        if (SslRouterConfig.given(options)) {
            return Optional.of(SslRouterConfig.from(options));
        }
        if (options.names().stream().anyMatch(n -> n.startsWith(SslRouterConfig.KIND + "-"))) {
            warnings.accept("sslrouter-* options given without --sslrouter: no SSL router is started");
        }
        return Optional.empty();
    }

    @Override
    public RouterOptions common(SslRouterConfig config) {
        return config.common();
    }

    @Override
    public RouterServices services(SslRouterConfig config) {
        return config.services();
    }

    @Override
    public boolean servesTls(SslRouterConfig config) {
        return true;
    }

    @Override
    public SslRouter create(SslRouterConfig config, RouterContext context) {
        TlsService tls = context.service(TlsService.class)
                .orElseThrow(() -> new IllegalStateException("the sslrouter needs the TLS service"));
        return new SslRouter(config, context.transport(), tls, context.mapper());
    }

    /** SIGHUP: {@link SslRouter#reconfigure}. */
    @Override
    public ReloadReport reconfigure(SslRouter router, SslRouterConfig current, SslRouterConfig next) throws Exception {
        return router.reconfigure(next);
    }
}
