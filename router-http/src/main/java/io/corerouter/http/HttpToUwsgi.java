package io.corerouter.http;

import io.corerouter.core.codec.uwsgi.TooLongUwsgiPacketException;
import io.corerouter.core.codec.uwsgi.UwsgiVars;
import io.corerouter.ssl.TlsConnection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * Translates a decoded HTTP request head into the uwsgi packet uWSGI's HTTP router would send for it:
 * the same vars, with the same values, in the same order (spec §4.2), so a backend cannot tell the
 * two routers apart.
 *
 * <pre>
 *  REQUEST_METHOD
 *  PATH_INFO, REQUEST_URI, QUERY_STRING      when the target has a '?'
 *  REQUEST_URI, PATH_INFO, QUERY_STRING=""   when it has none
 *  SERVER_PROTOCOL, SCRIPT_NAME=""
 *  SERVER_NAME                               the host name, unless serverNameAsHttpHost
 *  SERVER_PORT, UWSGI_ROUTER=http
 *  HTTPS=on                                  on an https listener
 *  HTTPS_CLIENT_CERTIFICATE, HTTPS_DN, HTTPS_CC  with a client certificate (§5.2)
 *  REMOTE_ADDR, REMOTE_PORT
 *  header vars                               (§4.1; with serverNameAsHttpHost, SERVER_NAME=&lt;Host&gt;
 *                                            right before HTTP_HOST)
 *  --http-var entries
 * </pre>
 *
 * <p>{@code REQUEST_URI} and {@code QUERY_STRING} are the raw target text, {@code PATH_INFO} is
 * decoded by {@link PathInfoDecoder}, {@code SERVER_PROTOCOL} is the version text as the client sent
 * it. {@code REMOTE_PORT} is in host order; uWSGI sends it byte-swapped (deviations.md, "Correct
 * values"). On TLS connections the client-certificate vars of §4.2 row 9 follow {@code HTTPS=on}
 * (written from the connection's {@link TlsConnection}).
 *
 * <p>One instance is built per listener and shared by all its channels: it holds only immutable
 * configuration, with the vars that never change pre-encoded. Writing allocates nothing but the
 * header iterator and the decimal text of the port (and a map for requests of more than 64 headers,
 * see {@code HeaderVars}).
 */
public final class HttpToUwsgi {
    private static final AsciiString REQUEST_METHOD = AsciiString.cached("REQUEST_METHOD");
    private static final AsciiString PATH_INFO = AsciiString.cached("PATH_INFO");
    private static final AsciiString REQUEST_URI = AsciiString.cached("REQUEST_URI");
    private static final AsciiString QUERY_STRING = AsciiString.cached("QUERY_STRING");
    private static final AsciiString SERVER_PROTOCOL = AsciiString.cached("SERVER_PROTOCOL");
    private static final AsciiString REMOTE_ADDR = AsciiString.cached("REMOTE_ADDR");
    private static final AsciiString REMOTE_PORT = AsciiString.cached("REMOTE_PORT");

    private final boolean serverNameAsHttpHost;
    /** An https listener (or stud in front): {@code X-Forwarded-Proto: https} for HTTP nodes. */
    private final boolean https;
    /** {@code --https-export-cert}: HTTPS_CC with the client certificate's PEM. */
    private final boolean exportCert;
    /** SCRIPT_NAME to HTTPS (§4.2 rows 4-8): the same for every request on the listener. */
    private final byte[] listenerVars;
    /** The --http-var entries (§4.2 row 12). */
    private final byte[] extraVars;

    /**
     * @param serverPort           {@code SERVER_PORT}: the text after the last ':' of the listening
     *                             socket name, {@code ""} for a UNIX socket
     * @param serverName           {@code SERVER_NAME}: the system host name
     * @param serverNameAsHttpHost {@code --http-server-name-as-http-host}: no {@code SERVER_NAME} in
     *                             the listener vars, {@code SERVER_NAME=<Host value>} before
     *                             {@code HTTP_HOST} instead (none without a Host header)
     * @param extraVars            {@code --http-var} entries, in option order
     * @param https                whether the listener is an https one ({@code HTTPS=on})
     * @throws TooLongUwsgiPacketException if one of the strings is longer than 65535 bytes
     */
    public HttpToUwsgi(String serverPort, String serverName, boolean serverNameAsHttpHost,
                       List<UwsgiVar> extraVars, boolean https) {
        this(serverPort, serverName, serverNameAsHttpHost, extraVars, https, false);
    }

    /**
     * As above, for an https listener that may also export client certificates.
     *
     * @param exportCert {@code --https-export-cert}: send the client certificate's PEM as {@code HTTPS_CC}
     */
    public HttpToUwsgi(String serverPort, String serverName, boolean serverNameAsHttpHost,
                       List<UwsgiVar> extraVars, boolean https, boolean exportCert) {
        this.https = https;
        Objects.requireNonNull(serverPort, "serverPort");
        this.exportCert = exportCert;
        Objects.requireNonNull(serverName, "serverName");
        this.serverNameAsHttpHost = serverNameAsHttpHost;
        ByteBuf buf = Unpooled.buffer();
        try {
            UwsgiVars.add(buf, "SCRIPT_NAME", "");
            if (!serverNameAsHttpHost) {
                UwsgiVars.add(buf, "SERVER_NAME", serverName);
            }
            UwsgiVars.add(buf, "SERVER_PORT", serverPort);
            UwsgiVars.add(buf, "UWSGI_ROUTER", "http");
            if (https) {
                UwsgiVars.add(buf, "HTTPS", "on");
            }
            listenerVars = ByteBufUtil.getBytes(buf);
            buf.clear();
            for (UwsgiVar var : extraVars) {
                // configured text goes out as UTF-8, the bytes uWSGI sends for a UTF-8 config file
                UwsgiVars.add(buf, utf8(var.key()), utf8(var.value()));
            }
            this.extraVars = ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    /** The UTF-8 bytes of {@code text} as one char per byte, the form {@link UwsgiVars#add} writes. */
    private static String utf8(String text) {
        return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    /**
     * Appends the uwsgi packet (header and vars, no body) for {@code request} to {@code out}.
     *
     * @param request    the decoded head; its {@link HttpRequest#uri()} is used raw
     * @param remoteAddr {@code REMOTE_ADDR}: the client address text
     * @param remotePort {@code REMOTE_PORT}: the client port, or -1 to leave the var out (a PROXY
     *                   line without a source port)
     * @param out        the buffer to append to, at its writer index
     * @param modifier1  uwsgi header modifier1 (spec §1.5)
     * @param modifier2  uwsgi header modifier2
     * @return the number of bytes appended, header included
     * @throws TooLongUwsgiPacketException if the vars block would exceed 65535 bytes (the caller
     *         answers 431); {@code out} is then left as it was
     */
    /** Whether the listener's requests came over TLS (an https listener, or stud in front). */
    public boolean https() {
        return https;
    }

    public int write(HttpRequest request, String remoteAddr, int remotePort, ByteBuf out,
                     int modifier1, int modifier2) {
        return write(request, remoteAddr, remotePort, null, out, modifier1, modifier2);
    }

    /**
     * As above, on a TLS connection: the client-certificate vars of §4.2 row 9
     * ({@code HTTPS_CLIENT_CERTIFICATE}, {@code HTTPS_DN}, {@code HTTPS_CC}, spec §5.2) follow {@code HTTPS=on}.
     *
     * @param tls the connection's handshake facts, or null on a plain connection
     */
    public int write(HttpRequest request, String remoteAddr, int remotePort, TlsConnection tls, ByteBuf out,
                     int modifier1, int modifier2) {
        final int start = out.writerIndex();
        try {
            int header = UwsgiVars.beginPacket(out);
            UwsgiVars.add(out, REQUEST_METHOD, request.method().asciiName());
            String uri = request.uri();
            int pathEnd = PathInfoDecoder.pathEnd(uri);
            if (pathEnd < uri.length()) {
                writePathInfo(out, uri, pathEnd);
                UwsgiVars.add(out, REQUEST_URI, uri);
                writeRange(out, QUERY_STRING, uri, pathEnd + 1, uri.length());
            } else {
                UwsgiVars.add(out, REQUEST_URI, uri);
                writePathInfo(out, uri, pathEnd);
                UwsgiVars.add(out, QUERY_STRING, "");
            }
            UwsgiVars.add(out, SERVER_PROTOCOL, request.protocolVersion().text());
            out.writeBytes(listenerVars);
            if (tls != null) {
                out.writeBytes(tls.httpsVars(exportCert));
            }
            UwsgiVars.add(out, REMOTE_ADDR, remoteAddr);
            if (remotePort >= 0) {
                UwsgiVars.addNumber(out, REMOTE_PORT, remotePort);
            }
            HeaderVars.write(request.headers(), out, serverNameAsHttpHost);
            out.writeBytes(extraVars);
            UwsgiVars.finishPacket(out, header, modifier1, modifier2);
            return out.writerIndex() - start;
        } catch (RuntimeException e) {
            out.writerIndex(start);
            throw e;
        }
    }

    private static void writePathInfo(ByteBuf out, String uri, int pathEnd) {
        UwsgiVars.writeField(out, PATH_INFO);
        int lengthIndex = out.writerIndex();
        out.writeShortLE(0);
        PathInfoDecoder.decode(uri, pathEnd, out);
        int length = out.writerIndex() - lengthIndex - 2;
        if (length > UwsgiVars.MAX_FIELD_LENGTH) {
            throw new TooLongUwsgiPacketException(length, UwsgiVars.MAX_FIELD_LENGTH);
        }
        out.setShortLE(lengthIndex, length);
    }

    /** Writes a var whose value is {@code text[from, to)}, without a substring. */
    private static void writeRange(ByteBuf out, AsciiString key, String text, int from, int to) {
        int length = to - from;
        if (length > UwsgiVars.MAX_FIELD_LENGTH) {
            throw new TooLongUwsgiPacketException(length, UwsgiVars.MAX_FIELD_LENGTH);
        }
        UwsgiVars.writeField(out, key);
        out.ensureWritable(2 + length);
        out.writeShortLE(length);
        for (int i = from; i < to; i++) {
            out.writeByte(AsciiString.c2b(text.charAt(i)));
        }
    }
}
