package io.corerouter.core.config;

import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * Which {@link ConfigSection}s make up a corerouter build, in the order their options are registered.
 * The launcher module provides the one assembly ({@code META-INF/services}); code that runs without it,
 * like a module's own tests, passes its list of sections to {@link RouterConfig} directly.
 */
public interface ConfigAssembly {

    /** The sections, in the order {@code --help} and the README list their options. */
    List<ConfigSection<?>> sections();

    /**
     * The sections of the assembly on the class path.
     *
     * @throws IllegalStateException if there is none, or more than one
     */
    static List<ConfigSection<?>> installed() {
        List<ConfigAssembly> found = ServiceLoader.load(ConfigAssembly.class).stream()
                .map(ServiceLoader.Provider::get).toList();
        if (found.size() != 1) {
            throw new IllegalStateException("expected one " + ConfigAssembly.class.getName() + " on the class path "
                    + "(the launcher module provides it), found " + found.size() + ": "
                    + found.stream().map(a -> a.getClass().getName()).collect(Collectors.joining(", ")));
        }
        return found.get(0).sections();
    }
}
