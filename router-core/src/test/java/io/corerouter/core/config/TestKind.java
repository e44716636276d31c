package io.corerouter.core.config;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A stand-in router kind for core's own tests, since core knows no real one: the {@code http}
 * prefix with the common options and a few of the HTTP router's own (an optional-value one, a
 * repeatable one, a boolean word), so the parsing machinery is tested on the shapes it meets.
 * Its config is just the common options.
 */
final class TestKind implements ConfigSection<RouterOptions> {
    static final TestKind HTTP = new TestKind();
    /** The sections of core's tests. */
    static final List<ConfigSection<?>> SECTIONS = List.of(HTTP);
    static final String GROUP = "HTTP router";
    static final RouterOptionNames NAMES = new RouterOptionNames("http");

    private TestKind() {
    }

    /** Global options, this kind's, then the stats options. */
    static OptionTable table() {
        return RouterConfig.optionTable(SECTIONS);
    }

    @Override
    public String name() {
        return NAMES.kind();
    }

    @Override
    public void registerOptions(OptionTable table) {
        NAMES.registerCommon(table, GROUP, "httprouter");
        table.register(OptionSpec.required(GROUP, NAMES.headersTimeout(), "N", NAMES.timeout(),
                "seconds to wait for a complete request head"));
        table.register(OptionSpec.required(GROUP, NAMES.connectTimeout(), "N", NAMES.timeout(),
                "seconds to wait for a node connection"));
        table.register(OptionSpec.optional(GROUP, "http-keepalive", "N", "off", "HTTP/1.1 keep-alive"));
        table.register(OptionSpec.required(GROUP, "http-var", "KEY=VALUE", "", "add KEY=VALUE").asRepeatable());
        table.register(OptionSpec.required(GROUP, "http-modifier1", "N", "0", "modifier1"));
        table.register(OptionSpec.required(GROUP, "http-modifier2", "N", "0", "modifier2"));
        table.register(OptionSpec.required(GROUP, "http-server-name-as-http-host", "VALUE", "off",
                "send the Host header as SERVER_NAME"));
        NAMES.registerSubscriptions(table, GROUP, true);
        NAMES.registerStats(table, GROUP);
    }

    @Override
    public Optional<RouterOptions> configure(ParsedOptions options, Consumer<String> warnings) throws ConfigException {
        if (options.has(NAMES.listener()) || options.has(NAMES.zerg())) {
            return Optional.of(RouterOptions.from(options, NAMES.kind()));
        }
        return Optional.empty();
    }
}
