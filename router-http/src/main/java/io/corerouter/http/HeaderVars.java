package io.corerouter.http;

import io.corerouter.core.codec.uwsgi.TooLongUwsgiPacketException;
import io.corerouter.core.codec.uwsgi.UwsgiVars;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.netty.util.CharsetUtil;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes the request headers as uwsgi vars the way uWSGI's HTTP router does (spec §4.1, §4.2 row 11).
 *
 * <ul>
 *   <li>The name is upper-cased (ASCII letters only) and every {@code '-'} becomes {@code '_'}; nothing
 *       else is mapped. {@code CONTENT_LENGTH} and {@code CONTENT_TYPE} are written as is, every other
 *       name gets the {@code HTTP_} prefix.</li>
 *   <li>Headers whose mangled names are equal ({@code X-Foo}, {@code x-foo}, {@code X_Foo}) become one
 *       var at the position of the first one, values joined with {@code ", "}.</li>
 *   <li>Values are written as Netty's decoder left them: it strips leading and trailing whitespace,
 *       where uWSGI strips leading spaces only and keeps trailing whitespace. We do not copy that
 *       quirk.</li>
 * </ul>
 *
 * <p>Nothing is allocated for requests of up to {@value #MAX_INDEXED_HEADERS} headers: each header is
 * looked up among the vars already written (the vars block is its own index), and a repeated header
 * is merged by opening a gap in the buffer after the first one's value. That is quadratic in the
 * number of headers, cheaper than any map for real requests. A head can hold thousands of tiny
 * headers, though, so longer lists go through a map instead, to keep one request from stalling the
 * event loop.
 */
final class HeaderVars {
    private static final AsciiString HTTP_PREFIX = AsciiString.cached("HTTP_");
    private static final AsciiString SERVER_NAME = AsciiString.cached("SERVER_NAME");
    private static final String CONTENT_LENGTH = "CONTENT_LENGTH";
    private static final String CONTENT_TYPE = "CONTENT_TYPE";
    private static final String HOST = "HOST";
    private static final String HTTP_HOST = "HTTP_HOST";
    /** Longest header list merged in place; past it a map bounds the cost. */
    static final int MAX_INDEXED_HEADERS = 64;

    private HeaderVars() {
    }

    /**
     * Appends one var per distinct mangled header name, in first-appearance order.
     *
     * @param serverNameAsHttpHost put {@code SERVER_NAME=<Host value>} immediately before
     *        {@code HTTP_HOST} ({@code --http-server-name-as-http-host})
     * @throws TooLongUwsgiPacketException if a name or a (merged) value is longer than 65535 bytes
     */
    static void write(HttpHeaders headers, ByteBuf out, boolean serverNameAsHttpHost) {
        write(headers, out, serverNameAsHttpHost, MAX_INDEXED_HEADERS);
    }

    /** {@link #write(HttpHeaders, ByteBuf, boolean)} with the in-place limit as a parameter, for tests. */
    static void write(HttpHeaders headers, ByteBuf out, boolean serverNameAsHttpHost, int maxIndexed) {
        if (headers.size() > maxIndexed) {
            writeMapped(headers, out, serverNameAsHttpHost);
            return;
        }
        final int first = out.writerIndex();
        Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
        while (it.hasNext()) {
            Map.Entry<CharSequence, CharSequence> header = it.next();
            CharSequence name = header.getKey();
            CharSequence value = header.getValue();
            boolean prefixed = !mangledEquals(name, CONTENT_LENGTH) && !mangledEquals(name, CONTENT_TYPE);
            boolean host = serverNameAsHttpHost && mangledEquals(name, HOST);
            int var = find(out, first, name, prefixed);
            if (var < 0) {
                if (host) {
                    UwsgiVars.add(out, SERVER_NAME, value);
                }
                writeName(out, name, prefixed);
                UwsgiVars.writeField(out, value);
            } else {
                appendValue(out, var, value);
                if (host) {
                    // after HTTP_HOST: growing SERVER_NAME first would move HTTP_HOST
                    appendValue(out, findServerName(out, first), value);
                }
            }
        }
    }

    /** Same output as the in-place merge, for long header lists: allocates, but linear. */
    private static void writeMapped(HttpHeaders headers, ByteBuf out, boolean serverNameAsHttpHost) {
        Map<String, StringBuilder> vars = new LinkedHashMap<>();
        Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
        while (it.hasNext()) {
            Map.Entry<CharSequence, CharSequence> header = it.next();
            String name = varName(header.getKey());
            StringBuilder value = vars.get(name);
            if (value == null) {
                vars.put(name, new StringBuilder(header.getValue()));
            } else {
                value.append(", ").append(header.getValue());
            }
        }
        for (Map.Entry<String, StringBuilder> var : vars.entrySet()) {
            if (serverNameAsHttpHost && var.getKey().equals(HTTP_HOST)) {
                UwsgiVars.add(out, SERVER_NAME, var.getValue());
            }
            UwsgiVars.add(out, var.getKey(), var.getValue());
        }
    }

    private static String varName(CharSequence name) {
        boolean prefixed = !mangledEquals(name, CONTENT_LENGTH) && !mangledEquals(name, CONTENT_TYPE);
        StringBuilder var = new StringBuilder(HTTP_PREFIX.length() + name.length());
        if (prefixed) {
            var.append(HTTP_PREFIX);
        }
        for (int i = 0; i < name.length(); i++) {
            var.append(mangle(name.charAt(i)));
        }
        return var.toString();
    }

    /** Whether {@code name} mangles to {@code mangled}, which is upper-case with '_' for '-'. */
    static boolean mangledEquals(CharSequence name, String mangled) {
        int length = name.length();
        if (length != mangled.length()) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (mangle(name.charAt(i)) != mangled.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** uWSGI's {@code toupper()} in the C locale, plus '-' to '_'. */
    private static char mangle(char c) {
        if (c >= 'a' && c <= 'z') {
            return (char) (c - ('a' - 'A'));
        }
        return c == '-' ? '_' : c;
    }

    private static void writeName(ByteBuf out, CharSequence name, boolean prefixed) {
        int length = name.length();
        int keyLength = prefixed ? HTTP_PREFIX.length() + length : length;
        if (keyLength > UwsgiVars.MAX_FIELD_LENGTH) {
            throw new TooLongUwsgiPacketException(keyLength, UwsgiVars.MAX_FIELD_LENGTH);
        }
        out.ensureWritable(2 + keyLength);
        out.writeShortLE(keyLength);
        if (prefixed) {
            out.writeBytes(HTTP_PREFIX.array(), HTTP_PREFIX.arrayOffset(), HTTP_PREFIX.length());
        }
        for (int i = 0; i < length; i++) {
            out.writeByte(AsciiString.c2b(mangle(name.charAt(i))));
        }
    }

    /** Index of the var named like header {@code name} among the vars from {@code first}, or -1. */
    private static int find(ByteBuf out, int first, CharSequence name, boolean prefixed) {
        int length = name.length();
        int prefixLength = prefixed ? HTTP_PREFIX.length() : 0;
        int end = out.writerIndex();
        for (int var = first; var < end; var = next(out, var)) {
            if (out.getUnsignedShortLE(var) != prefixLength + length) {
                continue;
            }
            int key = var + 2;
            if (prefixed && !bytesEqual(out, key, HTTP_PREFIX)) {
                continue;
            }
            key += prefixLength;
            int i = 0;
            while (i < length && out.getByte(key + i) == AsciiString.c2b(mangle(name.charAt(i)))) {
                i++;
            }
            if (i == length) {
                return var;
            }
        }
        return -1;
    }

    private static int findServerName(ByteBuf out, int first) {
        int end = out.writerIndex();
        for (int var = first; var < end; var = next(out, var)) {
            if (keyEquals(out, var, SERVER_NAME)) {
                return var;
            }
        }
        throw new IllegalStateException("SERVER_NAME var missing before HTTP_HOST");
    }

    private static boolean keyEquals(ByteBuf out, int var, AsciiString key) {
        return out.getUnsignedShortLE(var) == key.length() && bytesEqual(out, var + 2, key);
    }

    private static boolean bytesEqual(ByteBuf out, int index, AsciiString bytes) {
        int length = bytes.length();
        for (int i = 0; i < length; i++) {
            if (out.getByte(index + i) != bytes.byteAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Index of the var after the one at {@code var}. */
    private static int next(ByteBuf out, int var) {
        int valueLengthIndex = var + 2 + out.getUnsignedShortLE(var);
        return valueLengthIndex + 2 + out.getUnsignedShortLE(valueLengthIndex);
    }

    /** Appends {@code ", " + value} to the value of the var at {@code var}, moving the vars after it. */
    private static void appendValue(ByteBuf out, int var, CharSequence value) {
        int valueLengthIndex = var + 2 + out.getUnsignedShortLE(var);
        int oldLength = out.getUnsignedShortLE(valueLengthIndex);
        int added = 2 + value.length();
        int newLength = oldLength + added;
        if (newLength > UwsgiVars.MAX_FIELD_LENGTH) {
            throw new TooLongUwsgiPacketException(newLength, UwsgiVars.MAX_FIELD_LENGTH);
        }
        int gap = valueLengthIndex + 2 + oldLength;
        openGap(out, gap, added);
        out.setByte(gap, ',');
        out.setByte(gap + 1, ' ');
        out.setCharSequence(gap + 2, value, CharsetUtil.ISO_8859_1);
        out.setShortLE(valueLengthIndex, newLength);
    }

    /**
     * Moves the bytes from {@code index} to the writer index {@code size} bytes up. The ranges
     * overlap, which {@link ByteBuf#setBytes(int, ByteBuf, int, int)} does not promise to handle for
     * every buffer type, so this copies backwards, each long read before it is written.
     */
    private static void openGap(ByteBuf out, int index, int size) {
        int end = out.writerIndex();
        out.ensureWritable(size);
        out.writerIndex(end + size);
        int i = end;
        for (; i - Long.BYTES >= index; i -= Long.BYTES) {
            out.setLong(i - Long.BYTES + size, out.getLong(i - Long.BYTES));
        }
        for (i--; i >= index; i--) {
            out.setByte(i + size, out.getByte(i));
        }
    }
}
