package io.corerouter.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.AsciiString;
import java.util.Iterator;
import java.util.Map;

/**
 * Writes the HTTP/1.1 request head an {@code http://} node gets (issue 10: persistent HTTP nodes,
 * such as uWSGI's {@code --http11-socket}), with the conventions nginx users expect of a reverse proxy:
 *
 * <ul>
 *   <li>the request line as the client sent it, with {@code HTTP/1.1} (the node connection is persistent
 *       whatever the client speaks);</li>
 *   <li>the client's headers, except the hop-by-hop ones (RFC 9110 §7.6.1: {@code Connection},
 *       {@code Keep-Alive}, {@code Proxy-Connection}, {@code TE}, {@code Trailer},
 *       {@code Transfer-Encoding}, {@code Upgrade}, and every header the {@code Connection} header
 *       names), and except the three forwarding headers below, which the router writes itself;</li>
 *   <li>{@code Host}: the client's, or the routing key when the client sent none (HTTP/1.0);</li>
 *   <li>{@code X-Forwarded-For}: the client's list, if any, then the client address;
 *       {@code X-Forwarded-Proto}: {@code http} or {@code https} (a client cannot choose it);
 *       {@code X-Forwarded-Host}: the client's {@code Host};</li>
 *   <li>the body framing: {@code Content-Length} as the client's (a chunked body was de-chunked to a
 *       length before), or {@code Transfer-Encoding: chunked} with {@code --http-chunked-input};</li>
 *   <li>a websocket handshake keeps {@code Connection: Upgrade} and its {@code Upgrade} header.</li>
 * </ul>
 * Header bytes are copied as received (Netty decodes heads as ISO-8859-1, written back the same way).
 * Stateless; writing allocates nothing but the header iterator.
 */
final class HttpToHttp {
    private static final byte[] HTTP11_CRLF = " HTTP/1.1\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    private static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    private static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");
    private static final AsciiString[] HOP_BY_HOP = {
        HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE, PROXY_CONNECTION, HttpHeaderNames.TE,
        HttpHeaderNames.TRAILER, HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE,
        X_FORWARDED_FOR, X_FORWARDED_PROTO, X_FORWARDED_HOST,
    };

    private HttpToHttp() {
    }

    /**
     * @param key        the routing key, the {@code Host} for a client that sent none
     * @param https      whether the client came over TLS
     * @param chunked    the body goes on chunked ({@code --http-chunked-input})
     * @param upgrade    a websocket handshake: {@code Connection: Upgrade} and {@code Upgrade} stay
     */
    static void write(HttpRequest request, String remoteAddr, String key, boolean https, boolean chunked,
            boolean upgrade, ByteBuf out) {
        ByteBufUtil.writeAscii(out, request.method().asciiName());
        out.writeByte(' ');
        ByteBufUtil.writeAscii(out, request.uri());
        out.writeBytes(HTTP11_CRLF);
        HttpHeaders headers = request.headers();
        String connection = headers.get(HttpHeaderNames.CONNECTION);
        String host = headers.get(HttpHeaderNames.HOST);
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> header = it.next();
            CharSequence name = header.getKey();
            if (isHopByHop(name) || connection != null && namedBy(connection, name)) {
                continue;
            }
            header(out, name, header.getValue());
        }
        if (host == null) {
            header(out, "Host", key);
        }
        if (chunked) {
            header(out, "Transfer-Encoding", "chunked");
        }
        if (upgrade) {
            header(out, "Connection", "Upgrade");
            String value = headers.get(HttpHeaderNames.UPGRADE);
            if (value != null) {
                header(out, "Upgrade", value);
            }
        }
        ByteBufUtil.writeAscii(out, "X-Forwarded-For: ");
        String forwardedFor = headers.get(X_FORWARDED_FOR);
        if (forwardedFor != null && !forwardedFor.isEmpty()) {
            ByteBufUtil.writeAscii(out, forwardedFor);
            out.writeByte(',').writeByte(' ');
        }
        ByteBufUtil.writeAscii(out, remoteAddr);
        out.writeByte('\r').writeByte('\n');
        header(out, "X-Forwarded-Proto", https ? "https" : "http");
        if (host != null) {
            header(out, "X-Forwarded-Host", host);
        }
        out.writeByte('\r').writeByte('\n');
    }

    private static void header(ByteBuf out, CharSequence name, CharSequence value) {
        ByteBufUtil.writeAscii(out, name);
        out.writeByte(':').writeByte(' ');
        ByteBufUtil.writeAscii(out, value);
        out.writeByte('\r').writeByte('\n');
    }

    private static boolean isHopByHop(CharSequence name) {
        for (AsciiString hop : HOP_BY_HOP) {
            if (hop.contentEqualsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the comma-separated {@code Connection} value names {@code header} (RFC 9110 §7.6.1). */
    static boolean namedBy(String connection, CharSequence header) {
        int n = connection.length();
        int start = 0;
        while (start < n) {
            int comma = connection.indexOf(',', start);
            int end = comma < 0 ? n : comma;
            int a = start;
            int b = end;
            while (a < b && connection.charAt(a) <= ' ') {
                a++;
            }
            while (b > a && connection.charAt(b - 1) <= ' ') {
                b--;
            }
            if (b - a == header.length() && AsciiString.regionMatches(connection, true, a, header, 0, b - a)) {
                return true;
            }
            start = end + 1;
        }
        return false;
    }
}
