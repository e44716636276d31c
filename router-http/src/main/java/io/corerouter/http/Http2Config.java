package io.corerouter.http;

import io.corerouter.core.config.ConfigException;
import io.corerouter.core.config.OptionSpec;
import io.corerouter.core.config.OptionTable;
import io.corerouter.core.config.OptionValues;
import io.corerouter.core.config.ParsedOptions;
import java.time.Duration;
import java.util.Optional;

/**
 * HTTP/2 to clients (issue 11, docs/http2.md): whether it is on ({@code --http2}) and the limits every
 * HTTP/2 connection gets, each a named option with the default of the front proxies operators know.
 *
 * @param enabled              {@code --http2}: h2 by ALPN on https listeners, h2c (prior knowledge and
 *                             {@code Upgrade: h2c}) on http listeners
 * @param maxConcurrentStreams {@code --http2-max-concurrent-streams} (100): more are refused with
 *                             RST_STREAM REFUSED_STREAM
 * @param maxHeaderListSize    {@code --http2-max-header-list-size} (16384): a larger request head is answered
 *                             431; one over 1.25 times it closes the connection
 * @param headerTableSize      {@code --http2-header-table-size} (4096): the HPACK table the client may use
 * @param initialWindowSize    {@code --http2-initial-window-size} (65535): request body bytes a stream may
 *                             send ahead of what its node took
 * @param maxResets            {@code --http2-max-resets N[/SECONDS]} (200/30): RST_STREAM frames a client
 *                             may send in the window before GOAWAY ENHANCE_YOUR_CALM (Rapid Reset,
 *                             CVE-2023-44487); the same bound holds for the resets the router sends
 * @param resetWindowSeconds   the window of {@code maxResets}
 * @param maxControlFrames     {@code --http2-max-control-frames} (10000): SETTINGS/PING acks and resets
 *                             queued for a client that does not read them before the connection closes
 * @param maxEmptyData         {@code --http2-max-empty-data} (2): consecutive empty DATA frames allowed
 * @param maxContinuations     {@code --http2-max-continuations} (16): small CONTINUATION frames allowed
 *                             in one header block (CVE-2024-27316)
 * @param streamTimeout        {@code --http2-stream-timeout} (empty: {@code --http-timeout}): a stream with
 *                             no traffic either way for this long is answered 408/504 or reset
 */
public record Http2Config(boolean enabled, int maxConcurrentStreams, int maxHeaderListSize, int headerTableSize,
                          int initialWindowSize, int maxResets, int resetWindowSeconds, int maxControlFrames,
                          int maxEmptyData, int maxContinuations, Optional<Duration> streamTimeout) {
    public static final String HTTP2 = "http2";
    public static final String MAX_CONCURRENT_STREAMS = "http2-max-concurrent-streams";
    public static final String MAX_HEADER_LIST_SIZE = "http2-max-header-list-size";
    public static final String HEADER_TABLE_SIZE = "http2-header-table-size";
    public static final String INITIAL_WINDOW_SIZE = "http2-initial-window-size";
    public static final String MAX_RESETS = "http2-max-resets";
    public static final String MAX_CONTROL_FRAMES = "http2-max-control-frames";
    public static final String MAX_EMPTY_DATA = "http2-max-empty-data";
    public static final String MAX_CONTINUATIONS = "http2-max-continuations";
    public static final String STREAM_TIMEOUT = "http2-stream-timeout";

    /** HTTP/2 off, the defaults for the limits. */
    public static final Http2Config OFF = new Http2Config(false, 100, 16384, 4096, 65535, 200, 30, 10000, 2, 16,
            Optional.empty());

    public Http2Config {
        check(MAX_CONCURRENT_STREAMS, maxConcurrentStreams, 1);
        check(MAX_HEADER_LIST_SIZE, maxHeaderListSize, 1024);
        check(HEADER_TABLE_SIZE, headerTableSize, 0);
        check(INITIAL_WINDOW_SIZE, initialWindowSize, 1024);
        check(MAX_RESETS, maxResets, 1);
        check(MAX_RESETS, resetWindowSeconds, 1);
        check(MAX_CONTROL_FRAMES, maxControlFrames, 1);
        check(MAX_EMPTY_DATA, maxEmptyData, 1);
        check(MAX_CONTINUATIONS, maxContinuations, 1);
        java.util.Objects.requireNonNull(streamTimeout, "streamTimeout");
    }

    private static void check(String option, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(option + ": " + value + " (expected: >= " + min + ")");
        }
    }

    static void registerOptions(OptionTable table, String group) {
        table.register(OptionSpec.flag(group, HTTP2,
                "offer HTTP/2: h2 by ALPN on https listeners, h2c (prior knowledge, Upgrade: h2c) on http listeners"));
        table.register(OptionSpec.required(group, MAX_CONCURRENT_STREAMS, "N", "100",
                "HTTP/2 streams open at once per connection; more are refused (RST_STREAM REFUSED_STREAM)"));
        table.register(OptionSpec.required(group, MAX_HEADER_LIST_SIZE, "N", "16384",
                "largest HTTP/2 request head in bytes (431 over it, connection closed over 1.25 times it)"));
        table.register(OptionSpec.required(group, HEADER_TABLE_SIZE, "N", "4096",
                "HPACK dynamic table size the client may use"));
        table.register(OptionSpec.required(group, INITIAL_WINDOW_SIZE, "N", "65535",
                "HTTP/2 stream window: request body bytes a stream may send ahead of its node"));
        table.register(OptionSpec.required(group, MAX_RESETS, "N[/S]", "200/30",
                "RST_STREAM frames per S seconds per connection before GOAWAY ENHANCE_YOUR_CALM (rapid reset)"));
        table.register(OptionSpec.required(group, MAX_CONTROL_FRAMES, "N", "10000",
                "control frames (SETTINGS/PING acks, resets) queued for a client that does not read, before close"));
        table.register(OptionSpec.required(group, MAX_EMPTY_DATA, "N", "2",
                "consecutive empty DATA frames allowed before GOAWAY"));
        table.register(OptionSpec.required(group, MAX_CONTINUATIONS, "N", "16",
                "small CONTINUATION frames allowed in one header block before GOAWAY"));
        table.register(OptionSpec.required(group, STREAM_TIMEOUT, "N", "http-timeout",
                "seconds an HTTP/2 stream may go without traffic either way (408 or 504, else reset)"));
    }

    static Http2Config from(ParsedOptions options) throws ConfigException {
        int maxResets = OFF.maxResets();
        int window = OFF.resetWindowSeconds();
        Optional<ParsedOptions.Value> resets = options.lastValue(MAX_RESETS);
        if (resets.isPresent()) {
            ParsedOptions.Value value = resets.get();
            String text = value.text();
            int slash = text.indexOf('/');
            try {
                maxResets = Integer.parseInt(slash < 0 ? text : text.substring(0, slash));
                window = slash < 0 ? window : Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw ConfigException.invalid(MAX_RESETS, text, "N or N/SECONDS", value.source());
            }
            if (maxResets < 1 || window < 1) {
                throw ConfigException.invalid(MAX_RESETS, text, "N >= 1, SECONDS >= 1", value.source());
            }
        }
        Optional<Duration> streamTimeout = options.has(STREAM_TIMEOUT)
                ? Optional.of(OptionValues.seconds(options, STREAM_TIMEOUT, Duration.ZERO, 1))
                : Optional.empty();
        return new Http2Config(options.flag(HTTP2),
                OptionValues.integer(options, MAX_CONCURRENT_STREAMS, OFF.maxConcurrentStreams(), 1, Integer.MAX_VALUE),
                OptionValues.integer(options, MAX_HEADER_LIST_SIZE, OFF.maxHeaderListSize(), 1024, Integer.MAX_VALUE),
                OptionValues.integer(options, HEADER_TABLE_SIZE, OFF.headerTableSize(), 0, Integer.MAX_VALUE),
                OptionValues.integer(options, INITIAL_WINDOW_SIZE, OFF.initialWindowSize(), 1024, Integer.MAX_VALUE),
                maxResets, window,
                OptionValues.integer(options, MAX_CONTROL_FRAMES, OFF.maxControlFrames(), 1, Integer.MAX_VALUE),
                OptionValues.integer(options, MAX_EMPTY_DATA, OFF.maxEmptyData(), 1, Integer.MAX_VALUE),
                OptionValues.integer(options, MAX_CONTINUATIONS, OFF.maxContinuations(), 1, Integer.MAX_VALUE),
                streamTimeout);
    }
}
