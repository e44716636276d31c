package io.corerouter.subscription;

import io.corerouter.core.config.ConfigException;
import io.corerouter.core.config.ConfigSection;
import io.corerouter.core.config.OptionTable;
import io.corerouter.core.config.ParsedOptions;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The subscription client ({@link SubscriberOptions}: {@code --subscribe2}, {@code --subscribe-to})
 * as a {@link ConfigSection}; always present, {@link SubscriberOptions#enabled()} when something is announced.
 */
public final class SubscriberSection implements ConfigSection<SubscriberOptions> {
    public static final SubscriberSection INSTANCE = new SubscriberSection();

    private SubscriberSection() {
    }

    @Override
    public String name() {
        return "subscriber";
    }

    @Override
    public void registerOptions(OptionTable table) {
        SubscriberOptions.registerOptions(table);
    }

    @Override
    public Optional<SubscriberOptions> configure(ParsedOptions options, Consumer<String> warnings)
            throws ConfigException {
        return Optional.of(SubscriberOptions.from(options, warnings));
    }
}
