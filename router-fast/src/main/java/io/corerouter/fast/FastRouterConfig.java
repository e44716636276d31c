package io.corerouter.fast;

import io.corerouter.core.config.ConfigException;
import io.corerouter.core.config.OptionSpec;
import io.corerouter.core.config.OptionTable;
import io.corerouter.core.config.OptionValues;
import io.corerouter.core.config.ParsedOptions;
import io.corerouter.core.config.RouterOptionNames;
import io.corerouter.core.config.RouterOptions;
import io.corerouter.core.config.RouterServices;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The fastrouter's configuration (spec §3.12, §3.10, §8.1): uwsgi packets in, the same packet with
 * the node's modifiers out, the rest relayed. The common router options plus what only the
 * fastrouter has, and its subscription and stats servers.
 *
 * @param common           {@code --fastrouter}, {@code --fastrouter-to}, {@code --fastrouter-timeout}... ({@link RouterOptions})
 * @param fallbackOnNoKey  {@code --fastrouter-fallback-on-no-key}: no node for the key goes straight to the fallbacks
 * @param postBuffering    {@code --fastrouter-post-buffering N} (0 = off): bodies up to N bytes are read into memory,
 *                         larger ones into a temporary file, before the node is connected (spec §3.10)
 * @param postBufferingDir {@code --fastrouter-post-buffering-dir}: where the temporary files go (default: java.io.tmpdir)
 * @param services         {@code --fastrouter-subscription-server}, {@code --fastrouter-stats} and friends
 */
public record FastRouterConfig(RouterOptions common, boolean fallbackOnNoKey, long postBuffering,
                               Optional<Path> postBufferingDir, RouterServices services) {
    /** The router kind and option prefix. */
    public static final String KIND = "fastrouter";
    /** The names of the common options for {@link #KIND}. */
    public static final RouterOptionNames NAMES = new RouterOptionNames(KIND);
    public static final String FALLBACK_ON_NO_KEY = "fastrouter-fallback-on-no-key";
    public static final String POST_BUFFERING = "fastrouter-post-buffering";
    public static final String POST_BUFFERING_DIR = "fastrouter-post-buffering-dir";
    /** Help section of the fastrouter options. */
    public static final String GROUP = "fastrouter";

    public FastRouterConfig {
        Objects.requireNonNull(common, "common");
        if (postBuffering < 0) {
            throw new IllegalArgumentException(POST_BUFFERING + ": " + postBuffering + " (expected: >= 0)");
        }
        Objects.requireNonNull(postBufferingDir, "postBufferingDir");
        Objects.requireNonNull(services, "services");
    }

    /** Registers {@code --fastrouter} and every other fastrouter option, its services' last. */
    public static void registerOptions(OptionTable table) {
        NAMES.registerCommon(table, GROUP);
        NAMES.registerPools(table, GROUP);
        NAMES.registerHealthRequests(table, GROUP);
        table.register(OptionSpec.flag(GROUP, FALLBACK_ON_NO_KEY,
                "when no node is found for the key, go straight to the --fastrouter-fallback nodes"));
        table.register(OptionSpec.required(GROUP, POST_BUFFERING, "N", "0",
                "read request bodies before connecting the node: up to N bytes in memory, larger ones in a temp file (0 = off)"));
        table.register(OptionSpec.required(GROUP, POST_BUFFERING_DIR, "DIR", "java.io.tmpdir",
                "directory of the post-buffering temp files (unlinked as soon as they are created)"));
        RouterServices.registerOptions(table, NAMES, GROUP, true);
    }

    /**
     * Reads the fastrouter options; call it when {@code --fastrouter} or {@code --fastrouter-zerg} was given.
     *
     * @throws ConfigException naming the first bad option
     */
    public static FastRouterConfig from(ParsedOptions options) throws ConfigException {
        RouterOptions common = RouterOptions.from(options, KIND);
        return new FastRouterConfig(common, options.flag(FALLBACK_ON_NO_KEY),
                OptionValues.integer(options, POST_BUFFERING, 0, 0, Integer.MAX_VALUE),
                options.last(POST_BUFFERING_DIR).filter(d -> !d.isEmpty()).map(Path::of),
                RouterServices.from(options, NAMES));
    }
}
