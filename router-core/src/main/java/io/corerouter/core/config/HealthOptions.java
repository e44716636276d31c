package io.corerouter.core.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Node health for one router (docs/health.md): active checks, HAProxy's idea, which uWSGI lacks, and
 * passive health from the router's own requests.
 *
 * <p>Active checks ({@code --R-check-interval N}, off by default): every interval each static and
 * fallback node gets a check on its own connection, a connect, or with {@code --R-check-path} a GET of
 * that path expecting 2xx/3xx. The interval is also the check's timeout (connect, write and status
 * line together, as HAProxy without {@code timeout check}). {@code rise} passed checks in a row bring a
 * down node back, {@code fall} failed ones take an up node out of rotation.
 *
 * <p>Passive health ({@code --R-error-limit N}, off by default): N failed requests in a row (a node that
 * closed or reset before a complete response head, an invalid head, no response within the idle
 * timeout) mark the node failed for the gracetime, as a failed connect always does (spec §3.4 item 7).
 *
 * @param interval   {@code --R-check-interval}: seconds between checks, {@link Duration#ZERO} = no active checks
 * @param path       {@code --R-check-path}: the path (and query) a check asks for, empty = connect checks
 * @param rise       {@code --R-check-rise}: passed checks in a row before a down node is up again
 * @param fall       {@code --R-check-fall}: failed checks in a row before an up node is down
 * @param errorLimit {@code --R-error-limit}: failed requests in a row that mark a node failed, 0 = off
 */
public record HealthOptions(Duration interval, Optional<String> path, int rise, int fall, int errorLimit) {
    /** Default of {@code --R-check-rise}, as HAProxy's. */
    public static final int DEFAULT_RISE = 2;
    /** Default of {@code --R-check-fall}, as HAProxy's. */
    public static final int DEFAULT_FALL = 3;
    /** Largest rise, fall and error limit. */
    public static final int MAX_COUNT = 1000;
    /** Longest check path. */
    public static final int MAX_PATH = 1024;
    /** No active checks, no passive limit: uWSGI's behaviour. */
    public static final HealthOptions OFF = new HealthOptions(Duration.ZERO, Optional.empty(), DEFAULT_RISE,
            DEFAULT_FALL, 0);

    public HealthOptions {
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(path, "path");
        if (interval.isNegative()) {
            throw new IllegalArgumentException("check-interval: " + interval + " (expected: >= 0)");
        }
        if (rise < 1 || rise > MAX_COUNT || fall < 1 || fall > MAX_COUNT) {
            throw new IllegalArgumentException("check-rise / check-fall: " + rise + " / " + fall
                    + " (expected: " + OptionValues.range(1, MAX_COUNT) + ")");
        }
        if (errorLimit < 0 || errorLimit > MAX_COUNT) {
            throw new IllegalArgumentException("error-limit: " + errorLimit + " (expected: "
                    + OptionValues.range(0, MAX_COUNT) + ")");
        }
        path.ifPresent(p -> {
            String problem = pathProblem(p);
            if (problem != null) {
                throw new IllegalArgumentException("check-path: " + p + " (expected: " + problem + ")");
            }
        });
    }

    /** Whether nodes get active checks. */
    public boolean checks() {
        return !interval.isZero();
    }

    /**
     * Reads the health options of router {@code kind}; those the kind does not register keep their
     * defaults.
     *
     * @throws ConfigException naming the first bad option
     */
    public static HealthOptions from(ParsedOptions options, String kind) throws ConfigException {
        RouterOptionNames names = new RouterOptionNames(kind);
        Optional<String> path = Optional.empty();
        Optional<ParsedOptions.Value> pathValue = options.lastValue(names.checkPath());
        if (pathValue.isPresent()) {
            String problem = pathProblem(pathValue.get().text());
            if (problem != null) {
                throw ConfigException.invalid(names.checkPath(), pathValue.get().text(), problem,
                        pathValue.get().source());
            }
            path = Optional.of(pathValue.get().text());
        }
        Duration interval = OptionValues.seconds(options, names.checkInterval(), Duration.ZERO, 0);
        if (path.isPresent() && interval.isZero()) {
            throw ConfigException.of(names.checkPath(), "needs --" + names.checkInterval() + " N (checks are off)",
                    pathValue.get().source());
        }
        return new HealthOptions(interval, path,
                OptionValues.integer(options, names.checkRise(), DEFAULT_RISE, 1, MAX_COUNT),
                OptionValues.integer(options, names.checkFall(), DEFAULT_FALL, 1, MAX_COUNT),
                OptionValues.integer(options, names.errorLimit(), 0, 0, MAX_COUNT));
    }

    /** What is wrong with a check path, or null: it goes into a request line as it is. */
    private static String pathProblem(String path) {
        if (path.isEmpty() || path.charAt(0) != '/') {
            return "a path starting with /";
        }
        if (path.length() > MAX_PATH) {
            return "at most " + MAX_PATH + " characters";
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                return "visible ASCII characters only (percent-encode the others)";
            }
        }
        return null;
    }
}
