package io.corerouter.raw;

import io.corerouter.core.config.ConfigException;
import io.corerouter.core.config.OptionTable;
import io.corerouter.core.config.ParsedOptions;
import io.corerouter.core.config.RouterOptions;
import io.corerouter.core.config.RouterServices;
import io.corerouter.core.server.ReloadReport;
import io.corerouter.core.server.RouterContext;
import io.corerouter.core.server.RouterKind;
import java.util.Optional;
import java.util.function.Consumer;

/** The rawrouter as a {@link RouterKind}: {@code --rawrouter} and every {@code --rawrouter-*} option. */
public final class RawRouterKind implements RouterKind<RawRouterConfig, RawRouter> {
    public static final RawRouterKind INSTANCE = new RawRouterKind();

    private RawRouterKind() {
    }

    @Override
    public String name() {
        return RawRouterConfig.KIND;
    }

    @Override
    public void registerOptions(OptionTable table) {
        RawRouterConfig.registerOptions(table);
    }

    /** Present when {@code --rawrouter} or {@code --rawrouter-zerg} was given. */
    @Override
    public Optional<RawRouterConfig> configure(ParsedOptions options, Consumer<String> warnings)
            throws ConfigException {
        return RouterKind.wanted(options, RawRouterConfig.NAMES, warnings)
                ? Optional.of(RawRouterConfig.from(options)) : Optional.empty();
    }

    @Override
    public RouterOptions common(RawRouterConfig config) {
        return config.common();
    }

    @Override
    public RouterServices services(RawRouterConfig config) {
        return config.services();
    }

    @Override
    public RawRouter create(RawRouterConfig config, RouterContext context) {
        return new RawRouter(config, context.transport(), context.mapper());
    }

    /** SIGHUP: {@link RawRouter#reconfigure}. */
    @Override
    public ReloadReport reconfigure(RawRouter router, RawRouterConfig current, RawRouterConfig next) throws Exception {
        return router.reconfigure(next);
    }
}
