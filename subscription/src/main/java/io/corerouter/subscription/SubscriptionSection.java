package io.corerouter.subscription;

import io.corerouter.core.config.ConfigException;
import io.corerouter.core.config.ConfigSection;
import io.corerouter.core.config.OptionTable;
import io.corerouter.core.config.ParsedOptions;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * How every subscription server of the process treats announced nodes ({@link SubscriptionOptions},
 * the global {@code --subscription-*} options) as a {@link ConfigSection}; always present. Where each
 * router's servers listen is that router's {@code --R-subscription-server}.
 */
public final class SubscriptionSection implements ConfigSection<SubscriptionOptions> {
    public static final SubscriptionSection INSTANCE = new SubscriptionSection();

    private SubscriptionSection() {
    }

    @Override
    public String name() {
        return "subscription";
    }

    @Override
    public void registerOptions(OptionTable table) {
        SubscriptionOptions.registerOptions(table);
    }

    @Override
    public Optional<SubscriptionOptions> configure(ParsedOptions options, Consumer<String> warnings)
            throws ConfigException {
        return Optional.of(SubscriptionOptions.from(options, warnings));
    }
}
