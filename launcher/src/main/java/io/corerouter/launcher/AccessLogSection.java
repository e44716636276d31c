package io.corerouter.launcher;

import io.corerouter.core.config.ConfigException;
import io.corerouter.core.config.ConfigSection;
import io.corerouter.core.config.OptionSpec;
import io.corerouter.core.config.OptionTable;
import io.corerouter.core.config.OptionValues;
import io.corerouter.core.config.ParsedOptions;
import io.corerouter.core.observe.AccessLog;
import io.corerouter.core.observe.AccessLogFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The access logs of the router kinds (issue 12): {@code --R-access-log PATH} ({@code -} for standard
 * output) and {@code --R-access-log-format FORMAT} for each kind, and the process-wide
 * {@code --access-log-queue N}. One section for every kind, so no router's config grows for it.
 */
final class AccessLogSection implements ConfigSection<AccessLogSection.Config> {
    static final AccessLogSection INSTANCE = new AccessLogSection();
    static final String QUEUE = "access-log-queue";
    private static final String GROUP = "Access log";
    /** The router kinds that log; the HTTP router's https listeners log with {@code http}. */
    static final List<String> KINDS = List.of("http", "fastrouter", "rawrouter", "sslrouter");

    /**
     * One kind's access log.
     *
     * @param path   the file, or {@code -} for standard output
     * @param format the compiled line format
     */
    record Log(String path, AccessLogFormat format) {
        Log {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(format, "format");
        }
    }

    /**
     * @param logs  by router kind, only the kinds that log
     * @param queue lines each log's queue holds before it drops
     */
    record Config(Map<String, Log> logs, int queue) {
        Config {
            logs = Map.copyOf(logs);
        }
    }

    private AccessLogSection() {
    }

    @Override
    public String name() {
        return "access-log";
    }

    @Override
    public void registerOptions(OptionTable table) {
        for (String kind : KINDS) {
            table.register(OptionSpec.required(GROUP, kind + "-access-log", "PATH", "off",
                    "write one line per " + (kind.equals("rawrouter") || kind.equals("sslrouter") ? "connection" : "request")
                            + " of the " + kind + " to PATH (- for standard output); SIGUSR1 reopens it"));
            table.register(OptionSpec.required(GROUP, kind + "-access-log-format", "FORMAT", "combined + node, msecs",
                    "line format with uWSGI's %(var) names: addr method uri proto status size msecs micros time "
                            + "ltime referer uagent host node key var.NAME (docs/observability.md)"));
        }
        table.register(OptionSpec.required(GROUP, QUEUE, "N", Integer.toString(AccessLog.DEFAULT_QUEUE),
                "lines an access log holds for its writer thread; beyond, lines are dropped and counted"));
    }

    @Override
    public Optional<Config> configure(ParsedOptions options, Consumer<String> warnings) throws ConfigException {
        Map<String, Log> logs = new LinkedHashMap<>();
        for (String kind : KINDS) {
            Optional<ParsedOptions.Value> path = options.lastValue(kind + "-access-log");
            Optional<ParsedOptions.Value> format = options.lastValue(kind + "-access-log-format");
            if (path.isEmpty()) {
                format.ifPresent(f -> warnings.accept(kind + "-access-log-format given without --" + kind
                        + "-access-log: ignored"));
                continue;
            }
            if (path.get().text().isEmpty()) {
                throw ConfigException.invalid(kind + "-access-log", "", "a file path or -", path.get().source());
            }
            AccessLogFormat compiled;
            try {
                compiled = AccessLogFormat.parse(format.map(ParsedOptions.Value::text).orElse(AccessLogFormat.DEFAULT));
            } catch (IllegalArgumentException e) {
                throw ConfigException.of(kind + "-access-log-format", e.getMessage(), format.get().source());
            }
            logs.put(kind, new Log(path.get().text(), compiled));
        }
        int queue = OptionValues.integer(options, QUEUE, AccessLog.DEFAULT_QUEUE, 16, 1 << 24);
        return Optional.of(new Config(logs, queue));
    }
}
