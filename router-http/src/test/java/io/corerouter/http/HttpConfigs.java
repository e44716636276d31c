package io.corerouter.http;

import io.corerouter.core.config.ConfigException;
import io.corerouter.core.config.ConfigSection;
import io.corerouter.core.config.RouterConfig;
import io.corerouter.ssl.TlsSection;
import java.util.List;

/** Options read as the launcher reads them, with the sections this module's tests know: the HTTP router and TLS. */
final class HttpConfigs {
    static final List<ConfigSection<?>> SECTIONS = List.of(HttpRouterKind.INSTANCE, TlsSection.INSTANCE);

    private HttpConfigs() {
    }

    static RouterConfig parse(String... args) throws ConfigException {
        return RouterConfig.parse(SECTIONS, args);
    }

    /** The HTTP router's config in {@code config}; fails when there is none. */
    static HttpRouterKind.Config kind(RouterConfig config) {
        return config.get(HttpRouterKind.INSTANCE).orElseThrow();
    }

    /** The plain side of the HTTP router configured by {@code args}. */
    static HttpRouterConfig http(String... args) throws ConfigException {
        return kind(parse(args)).router();
    }
}
