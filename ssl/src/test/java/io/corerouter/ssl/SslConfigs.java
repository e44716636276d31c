package io.corerouter.ssl;

import io.corerouter.core.config.ConfigException;
import io.corerouter.core.config.ConfigSection;
import io.corerouter.core.config.RouterConfig;
import io.corerouter.ssl.router.SslRouterKind;
import java.util.List;

/** Options read as the launcher reads them, with the sections of this module: the sslrouter and TLS. */
public final class SslConfigs {
    public static final List<ConfigSection<?>> SECTIONS = List.of(SslRouterKind.INSTANCE, TlsSection.INSTANCE);

    private SslConfigs() {
    }

    public static RouterConfig parse(String... args) throws ConfigException {
        return RouterConfig.parse(SECTIONS, args);
    }

    /** The TLS settings configured by {@code args}. */
    public static TlsConfig tls(String... args) throws ConfigException {
        return parse(args).get(TlsSection.INSTANCE).orElseThrow();
    }
}
