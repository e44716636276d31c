package io.corerouter.http;

import io.corerouter.core.config.ConfigException;
import io.corerouter.core.config.OptionSpec;
import io.corerouter.core.config.OptionTable;
import io.corerouter.core.config.OptionValues;
import io.corerouter.core.config.ParsedOptions;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The HTTP router's optional behaviours and request limits (spec §4.5-4.11): raw modes, response
 * rewriting, {@code Expect}, PROXY protocol, stud prefix and the limits an operator on the internet
 * needs. Every field is off (or unlimited) by default, so a router without these options behaves as
 * the plain HTTP router of spec §4.1-4.6.
 *
 * @param websockets     {@code --http-websockets}: a WebSocket handshake is forwarded, and once the node
 *                       answers {@code 101} the connection becomes a byte relay (spec §4.8)
 * @param rawBody        {@code --http-raw-body}: every request becomes a byte relay after its head (§4.8)
 * @param chunkedInput   {@code --http-chunked-input}: a chunked request body reaches the node still
 *                       chunked, without {@code CONTENT_LENGTH} (§4.8); otherwise it is de-chunked
 * @param autoChunked    {@code --http-auto-chunked}: responses without framing are chunked (§4.6)
 * @param autoGzip       {@code --http-auto-gzip}: responses marked {@code uWSGI-Encoding: gzip} are
 *                       gzipped for clients that accept it (§4.7)
 * @param manageExpect   {@code --http-manage-expect[=N]}: the router answers {@code 100 Continue} (§4.9)
 * @param expectLimit    the N of {@code --http-manage-expect=N}: a larger Content-Length gets 413; 0 = none
 * @param proxyProtocol  {@code --http-enable-proxy-protocol}: connections may start with a PROXY v1 or v2
 *                       header whose source becomes REMOTE_ADDR/REMOTE_PORT (§4.10)
 * @param manageSource   {@code --http-manage-source}: method {@code SOURCE} (icecast) becomes a byte relay
 * @param manageRtsp     {@code --http-manage-rtsp}: protocol {@code RTSP/1.0} becomes a byte relay
 * @param studPrefixes   {@code --http-stud-prefix ADDR}: peers whose connections start with stud's
 *                       5-byte IPv4 prefix (§4.11)
 * @param maxConnections {@code --http-max-connections N} (new): concurrent client connections per router;
 *                       over it a connection is answered 503 and closed; 0 = unlimited
 * @param limitPost      {@code --limit-post N}: largest request body in bytes (413 over it); 0 = unlimited
 * @param chunkedMemory  {@code --http-chunked-buffer N} (new): bytes of a de-chunked body kept in memory
 *                       before the rest goes to a temporary file
 */
public record HttpFeatures(boolean websockets, boolean rawBody, boolean chunkedInput, boolean autoChunked,
                           boolean autoGzip, boolean manageExpect, long expectLimit, boolean proxyProtocol,
                           boolean manageSource, boolean manageRtsp, List<InetAddress> studPrefixes,
                           int maxConnections, long limitPost, int chunkedMemory) {
    public static final String WEBSOCKETS = "http-websockets";
    public static final String RAW_BODY = "http-raw-body";
    public static final String CHUNKED_INPUT = "http-chunked-input";
    public static final String AUTO_CHUNKED = "http-auto-chunked";
    public static final String AUTO_GZIP = "http-auto-gzip";
    public static final String MANAGE_EXPECT = "http-manage-expect";
    public static final String PROXY_PROTOCOL = "http-enable-proxy-protocol";
    public static final String MANAGE_SOURCE = "http-manage-source";
    public static final String MANAGE_RTSP = "http-manage-rtsp";
    public static final String STUD_PREFIX = "http-stud-prefix";
    public static final String MAX_CONNECTIONS = "http-max-connections";
    public static final String LIMIT_POST = "limit-post";
    public static final String CHUNKED_BUFFER = "http-chunked-buffer";
    /** Default of {@code --http-chunked-buffer}: 1 MiB. */
    public static final int DEFAULT_CHUNKED_MEMORY = 1 << 20;

    /** Everything off, as without any of these options. */
    public static final HttpFeatures DEFAULTS = new HttpFeatures(false, false, false, false, false, false, 0,
            false, false, false, List.of(), 0, 0, DEFAULT_CHUNKED_MEMORY);

    public HttpFeatures {
        if (expectLimit < 0) {
            throw new IllegalArgumentException(MANAGE_EXPECT + ": " + expectLimit + " (expected: >= 0)");
        }
        studPrefixes = List.copyOf(studPrefixes);
        for (InetAddress address : studPrefixes) {
            if (!(address instanceof Inet4Address)) {
                throw new IllegalArgumentException(STUD_PREFIX + ": " + address + " (expected: an IPv4 address)");
            }
        }
        if (maxConnections < 0) {
            throw new IllegalArgumentException(MAX_CONNECTIONS + ": " + maxConnections + " (expected: >= 0)");
        }
        if (limitPost < 0) {
            throw new IllegalArgumentException(LIMIT_POST + ": " + limitPost + " (expected: >= 0)");
        }
        if (chunkedMemory < 0) {
            throw new IllegalArgumentException(CHUNKED_BUFFER + ": " + chunkedMemory + " (expected: >= 0)");
        }
    }

    /** Whether {@code n} request body bytes are over {@code --limit-post}. */
    public boolean overPostLimit(long n) {
        return limitPost > 0 && n > limitPost;
    }

    static void registerOptions(OptionTable table, String group) {
        table.register(OptionSpec.flag(group, WEBSOCKETS,
                "forward WebSocket handshakes and relay the connection once the node answers 101"));
        table.register(OptionSpec.flag(group, RAW_BODY,
                "relay every request's bytes after the head untouched, both ways, until EOF (no keep-alive)"));
        table.register(OptionSpec.flag(group, CHUNKED_INPUT,
                "pass chunked request bodies to the node still chunked (default: de-chunk and send CONTENT_LENGTH)"));
        table.register(OptionSpec.flag(group, AUTO_CHUNKED,
                "chunk responses that have neither Content-Length nor Transfer-Encoding, keeping the connection"));
        table.register(OptionSpec.flag(group, AUTO_GZIP,
                "gzip responses that carry 'uWSGI-Encoding: gzip' for clients sending Accept-Encoding: gzip"));
        table.register(OptionSpec.optional(group, MANAGE_EXPECT, "N", "off",
                "answer 'Expect: 100-continue' in the router; =N answers 413 to a Content-Length over N"));
        table.register(OptionSpec.flag(group, PROXY_PROTOCOL,
                "accept a PROXY protocol v1/v2 header before the request; its source becomes REMOTE_ADDR"));
        table.register(OptionSpec.flag(group, MANAGE_SOURCE,
                "relay icecast SOURCE requests as raw bytes after the head"));
        table.register(OptionSpec.flag(group, MANAGE_RTSP,
                "relay RTSP/1.0 requests as raw bytes after the head (key from rtsp://host/ targets)"));
        table.register(OptionSpec.required(group, STUD_PREFIX, "ADDR", "",
                "connections from this IPv4 peer start with stud's 5-byte address prefix (HTTPS=on)").asRepeatable());
        table.register(OptionSpec.required(group, MAX_CONNECTIONS, "N", "0",
                "concurrent client connections per router; more are answered 503 and closed (0 = unlimited)"));
        table.register(OptionSpec.required(group, LIMIT_POST, "N", "0",
                "largest request body in bytes; a larger one is answered 413 (0 = unlimited)"));
        table.register(OptionSpec.required(group, CHUNKED_BUFFER, "N", Integer.toString(DEFAULT_CHUNKED_MEMORY),
                "bytes of a de-chunked request body kept in memory before it spills to a temporary file"));
    }

    static HttpFeatures from(ParsedOptions options) throws ConfigException {
        boolean manageExpect = options.has(MANAGE_EXPECT);
        long expectLimit = 0;
        if (manageExpect) {
            ParsedOptions.Value value = options.lastValue(MANAGE_EXPECT).orElseThrow();
            if (!value.text().isEmpty()) {
                // uWSGI: =0 and =1 mean "on, no limit"; N > 1 is the limit
                int n = OptionValues.integer(value, 0, Integer.MAX_VALUE);
                expectLimit = n > 1 ? n : 0;
            }
        }
        List<InetAddress> stud = new ArrayList<>();
        for (ParsedOptions.Value value : options.values(STUD_PREFIX)) {
            stud.add(ipv4(value));
        }
        return new HttpFeatures(options.flag(WEBSOCKETS), options.flag(RAW_BODY), options.flag(CHUNKED_INPUT),
                options.flag(AUTO_CHUNKED), options.flag(AUTO_GZIP), manageExpect, expectLimit,
                options.flag(PROXY_PROTOCOL), options.flag(MANAGE_SOURCE), options.flag(MANAGE_RTSP), stud,
                OptionValues.integer(options, MAX_CONNECTIONS, 0, 0, Integer.MAX_VALUE),
                OptionValues.integer(options, LIMIT_POST, 0, 0, Integer.MAX_VALUE),
                OptionValues.integer(options, CHUNKED_BUFFER, DEFAULT_CHUNKED_MEMORY, 0, Integer.MAX_VALUE));
    }

    /** An IPv4 literal, never a name to resolve (start-up must not block on DNS for this). */
    private static InetAddress ipv4(ParsedOptions.Value value) throws ConfigException {
        String text = value.text();
        String[] parts = text.split("\\.", -1);
        byte[] bytes = new byte[4];
        boolean ok = parts.length == 4;
        for (int i = 0; ok && i < 4; i++) {
            ok = !parts[i].isEmpty() && parts[i].length() <= 3 && parts[i].chars().allMatch(c -> c >= '0' && c <= '9');
            int n = ok ? Integer.parseInt(parts[i]) : -1;
            ok = ok && n <= 255;
            bytes[i] = (byte) n;
        }
        if (!ok) {
            throw ConfigException.invalid(value.option(), text, "an IPv4 address", value.source());
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException impossible) {
            throw new AssertionError(impossible);
        }
    }
}
