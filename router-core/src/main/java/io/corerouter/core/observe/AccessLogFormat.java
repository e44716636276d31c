package io.corerouter.core.observe;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An access log line format with uWSGI's {@code %(name)} variables (uWSGI's logformat), compiled once
 * into a list of parts. Variables:
 *
 * <pre>
 * addr     client address            method  request method       uri    request URI
 * proto    protocol (HTTP/1.1)       status  response status      size   response body bytes (wire bytes
 * msecs    duration in ms            micros  duration in us               for byte routers)
 * time     UNIX time of the end      ltime   local time, nginx style (02/Dec/2026:15:40:51 +0000)
 * referer  Referer header            uagent  User-Agent header    host   Host header
 * node     node that served it       key     routing key          var.X  request header / uwsgi var X
 * </pre>
 *
 * {@code %(var.HTTP_X_REQUEST_ID)} reads request header {@code X-Request-Id} on the HTTP router (uWSGI's
 * CGI naming) and var {@code HTTP_X_REQUEST_ID} of the fastrouter's packet. A value that is missing
 * prints as {@code -}.
 */
public final class AccessLogFormat {
    /** nginx's "combined" line, then the node and the duration. */
    public static final String DEFAULT = "%(addr) - - [%(ltime)] \"%(method) %(uri) %(proto)\" %(status) %(size) "
            + "\"%(referer)\" \"%(uagent)\" node=%(node) msecs=%(msecs)";

    private static final DateTimeFormatter LTIME = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT);

    enum Var { ADDR, METHOD, URI, PROTO, STATUS, SIZE, MSECS, MICROS, TIME, LTIME, REFERER, UAGENT, HOST, NODE, KEY, VAR }

    private static final Map<String, Var> NAMES = Map.ofEntries(
            Map.entry("addr", Var.ADDR), Map.entry("method", Var.METHOD), Map.entry("uri", Var.URI),
            Map.entry("proto", Var.PROTO), Map.entry("status", Var.STATUS), Map.entry("size", Var.SIZE),
            Map.entry("msecs", Var.MSECS), Map.entry("micros", Var.MICROS), Map.entry("time", Var.TIME),
            Map.entry("ltime", Var.LTIME), Map.entry("referer", Var.REFERER), Map.entry("uagent", Var.UAGENT),
            Map.entry("host", Var.HOST), Map.entry("node", Var.NODE), Map.entry("key", Var.KEY));

    private final String text;
    private final String[] literals;
    private final Var[] vars;
    private final int[] varIndex;
    private final String[] varNames;
    private final String[] headerNames;
    private final ZoneId zone;
    /** The last second formatted for {@code ltime}, with its text: one formatting per second. */
    private volatile CachedTime cachedTime = new CachedTime(-1, "");

    private record CachedTime(long second, String text) {
    }

    private AccessLogFormat(String text, List<String> literals, List<Var> vars, List<Integer> varIndex,
            List<String> varNames, ZoneId zone) {
        this.text = text;
        this.literals = literals.toArray(String[]::new);
        this.vars = vars.toArray(Var[]::new);
        this.varIndex = varIndex.stream().mapToInt(Integer::intValue).toArray();
        this.varNames = varNames.toArray(String[]::new);
        this.headerNames = new String[this.varNames.length];
        for (int i = 0; i < this.varNames.length; i++) {
            headerNames[i] = headerName(this.varNames[i]);
        }
        this.zone = zone;
    }

    /**
     * Compiles {@code format}.
     *
     * @throws IllegalArgumentException naming the unknown variable or the unclosed {@code %(}
     */
    public static AccessLogFormat parse(String format) {
        return parse(format, ZoneId.systemDefault());
    }

    static AccessLogFormat parse(String format, ZoneId zone) {
        List<String> literals = new ArrayList<>();
        List<Var> vars = new ArrayList<>();
        List<Integer> index = new ArrayList<>();
        List<String> varNames = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < format.length()) {
            int open = format.indexOf("%(", i);
            if (open < 0) {
                literal.append(format, i, format.length());
                break;
            }
            int close = format.indexOf(')', open);
            if (close < 0) {
                throw new IllegalArgumentException("unclosed %( at offset " + open + " in \"" + format + "\"");
            }
            literal.append(format, i, open);
            String name = format.substring(open + 2, close);
            Var var;
            if (name.startsWith("var.") && name.length() > 4) {
                var = Var.VAR;
                index.add(varNames.size());
                varNames.add(name.substring(4));
            } else {
                var = NAMES.get(name);
                if (var == null) {
                    throw new IllegalArgumentException("unknown variable %(" + name + ") (expected one of "
                            + String.join(", ", new java.util.TreeSet<>(NAMES.keySet())) + ", var.NAME)");
                }
                index.add(-1);
            }
            literals.add(literal.toString());
            literal.setLength(0);
            vars.add(var);
            i = close + 1;
        }
        literals.add(literal.toString());
        return new AccessLogFormat(format, literals, vars, index, varNames, zone);
    }

    /** uWSGI's CGI name of a header ({@code HTTP_X_REQUEST_ID}) as the header's name; null for other vars. */
    private static String headerName(String var) {
        if (var.startsWith("HTTP_") && var.length() > 5) {
            return var.substring(5).replace('_', '-');
        }
        return switch (var) {
            case "CONTENT_TYPE" -> "Content-Type";
            case "CONTENT_LENGTH" -> "Content-Length";
            default -> null;
        };
    }

    /** The names after {@code var.} in order (fastrouter: the uwsgi vars read). */
    String[] varNames() {
        return varNames;
    }

    /** The request header each {@code var.} name stands for on the HTTP router (null: none). */
    String[] headerNames() {
        return headerNames;
    }

    /** The format as given. */
    public String text() {
        return text;
    }

    /** Equal formats have the same text (and zone): a reload with the same options changes nothing. */
    @Override
    public boolean equals(Object o) {
        return o instanceof AccessLogFormat other && text.equals(other.text) && zone.equals(other.zone);
    }

    @Override
    public int hashCode() {
        return text.hashCode() * 31 + zone.hashCode();
    }

    /** Appends the line of {@code e}, without the newline. */
    void format(Exchange e, long durationNanos, long epochMillis, StringBuilder out) {
        for (int i = 0; i < vars.length; i++) {
            out.append(literals[i]);
            switch (vars[i]) {
                case ADDR -> out.append(addr(e.remote));
                case METHOD -> text(out, e.method);
                case URI -> text(out, e.uri);
                case PROTO -> text(out, e.proto);
                case STATUS -> {
                    if (e.status > 0) {
                        out.append(e.status);
                    } else {
                        out.append('-');
                    }
                }
                case SIZE -> out.append(e.size);
                case MSECS -> out.append(durationNanos / 1_000_000);
                case MICROS -> out.append(durationNanos / 1_000);
                case TIME -> out.append(epochMillis / 1000);
                case LTIME -> out.append(ltime(epochMillis / 1000));
                case REFERER -> text(out, e.referer);
                case UAGENT -> text(out, e.uagent);
                case HOST -> text(out, e.host);
                case NODE -> text(out, e.node);
                case KEY -> text(out, e.key);
                case VAR -> text(out, e.vars == null ? null : e.vars[varIndex[i]]);
            }
        }
        out.append(literals[vars.length]);
    }

    private String ltime(long second) {
        CachedTime cached = cachedTime;
        if (cached.second() != second) {
            cached = new CachedTime(second, LTIME.format(ZonedDateTime.ofInstant(Instant.ofEpochSecond(second), zone)));
            cachedTime = cached;
        }
        return cached.text();
    }

    private static String addr(SocketAddress remote) {
        if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress();
        }
        return remote == null ? "-" : "unix";
    }

    /** Appends {@code value}, {@code -} when missing or empty; quotes and control characters escaped as nginx does. */
    private static void text(StringBuilder out, String value) {
        if (value == null || value.isEmpty()) {
            out.append('-');
            return;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\' || c < 0x20 || c == 0x7f) {
                out.append("\\x").append(Character.forDigit(c >> 4 & 0xf, 16)).append(Character.forDigit(c & 0xf, 16));
            } else {
                out.append(c);
            }
        }
    }
}
