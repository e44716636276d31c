package io.corerouter.ssl;

import io.corerouter.core.config.ConfigException;
import io.corerouter.core.config.ConfigSection;
import io.corerouter.core.config.OptionTable;
import io.corerouter.core.config.ParsedOptions;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The process-wide TLS options ({@link TlsConfig}: SNI, sessions, ticket keys) as a
 * {@link ConfigSection}; always present, {@link TlsConfig#DEFAULTS} when none was given.
 */
public final class TlsSection implements ConfigSection<TlsConfig> {
    public static final TlsSection INSTANCE = new TlsSection();

    private TlsSection() {
    }

    @Override
    public String name() {
        return "tls";
    }

    @Override
    public void registerOptions(OptionTable table) {
        TlsConfig.registerOptions(table);
    }

    @Override
    public Optional<TlsConfig> configure(ParsedOptions options, Consumer<String> warnings) throws ConfigException {
        return Optional.of(TlsConfig.from(options, warnings));
    }
}
