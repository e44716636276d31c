package io.corerouter.fast;

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

/** The fastrouter as a {@link RouterKind}: {@code --fastrouter} and every {@code --fastrouter-*} option. */
public final class FastRouterKind implements RouterKind<FastRouterConfig, FastRouter> {
    public static final FastRouterKind INSTANCE = new FastRouterKind();

    private FastRouterKind() {
    }

    @Override
    public String name() {
        return FastRouterConfig.KIND;
    }

    @Override
    public void registerOptions(OptionTable table) {
        FastRouterConfig.registerOptions(table);
    }

    /** Present when {@code --fastrouter} or {@code --fastrouter-zerg} was given. */
    @Override
    public Optional<FastRouterConfig> configure(ParsedOptions options, Consumer<String> warnings)
            throws ConfigException {
        return RouterKind.wanted(options, FastRouterConfig.NAMES, warnings)
                ? Optional.of(FastRouterConfig.from(options)) : Optional.empty();
    }

    @Override
    public RouterOptions common(FastRouterConfig config) {
        return config.common();
    }

    @Override
    public RouterServices services(FastRouterConfig config) {
        return config.services();
    }

    @Override
    public FastRouter create(FastRouterConfig config, RouterContext context) {
        return new FastRouter(config, context.transport(), context.mapper(), context.offload());
    }

    /** SIGHUP: {@link FastRouter#reconfigure}. */
    @Override
    public ReloadReport reconfigure(FastRouter router, FastRouterConfig current, FastRouterConfig next) throws Exception {
        return router.reconfigure(next);
    }
}
