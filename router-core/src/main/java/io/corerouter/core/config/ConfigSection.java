package io.corerouter.core.config;

import java.util.Optional;
import java.util.function.Consumer;

/**
 * A part of corerouter's configuration that one module owns: the options it registers and the
 * immutable record it builds from them. Router kinds are sections
 * ({@link io.corerouter.core.server.RouterKind}); so are process-wide settings that live in a
 * feature module (TLS in {@code ssl}, subscription servers and the subscriber in {@code subscription}).
 *
 * <p>Core knows no section by name: the launcher lists them ({@link ConfigAssembly}) and
 * {@link RouterConfig} registers and reads them in that order, which is also the order of
 * {@code --help} and of the README's option table.
 *
 * <p>Implementations are stateless singletons: a section is also the key under which
 * {@link RouterConfig#get} returns its config.
 *
 * @param <C> the immutable config record this section builds
 */
public interface ConfigSection<C> {

    /** A short name for logs and messages: a router kind's option prefix ({@code http}), or {@code tls}... */
    String name();

    /** Registers this section's options, in the order {@code --help} and the README list them. */
    void registerOptions(OptionTable table);

    /**
     * Checks and types this section's options.
     *
     * @param warnings receives one line per value that was ignored, for the caller to log
     * @return the config, or empty when the section is not in use (a router kind without a listener)
     * @throws ConfigException naming the first bad option, e.g. {@code http-timeout: -1 (expected: > 0)}
     */
    Optional<C> configure(ParsedOptions options, Consumer<String> warnings) throws ConfigException;
}
