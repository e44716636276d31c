package io.corerouter.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.AsciiString;
import io.netty.util.CharsetUtil;

/**
 * Builds {@code PATH_INFO} from the raw request target exactly as uWSGI's HTTP router does
 * ({@code http_url_decode} in {@code core/utils.c}, spec §4.3), so applications behind corerouter see
 * the same paths as behind uWSGI.
 *
 * <p>One pass over the target up to the first {@code '?'}:
 * <ul>
 *   <li>it stops at {@code '#'};</li>
 *   <li>{@code %XY} is hex-decoded (either digit invalid gives byte {@code 0x00}), {@code %%} gives
 *       {@code %}, a truncated {@code %} or {@code %X} at the end is dropped, {@code '+'} is kept;</li>
 *   <li>{@code .} and {@code ..} segments are removed ({@code ..} drops the previous segment and never
 *       climbs above the start). This runs on the raw text, so encoded dots survive:
 *       {@code /%2e%2e/x} gives {@code /../x};</li>
 *   <li>repeated slashes are kept, and a target without a leading {@code '/'} keeps that form
 *       ({@code foo/bar/..} gives {@code foo/}), so absolute-form targets are not parsed.</li>
 * </ul>
 *
 * <p>The request target is ISO-8859-1 text (one char per byte on the wire, as Netty's HTTP decoder
 * produces it), and the output is the decoded bytes.
 */
public final class PathInfoDecoder {
    /**
     * What the bytes seen since the last output decide. {@code SLASH}, {@code DOT} and {@code DOTDOT}
     * hold back a {@code '/'} followed by zero, one or two dots until the segment turns out to be, or
     * not to be, a dot segment.
     */
    private enum State {
        TEXT, PERCENT1, PERCENT2, SLASH, DOT, DOTDOT
    }

    private PathInfoDecoder() {
    }

    /** Decodes the path of {@code uri} (the part before the first {@code '?'}). */
    public static String decode(CharSequence uri) {
        ByteBuf out = Unpooled.buffer(uri.length());
        try {
            decode(uri, out);
            return out.toString(CharsetUtil.ISO_8859_1);
        } finally {
            out.release();
        }
    }

    /**
     * Appends the decoded path of {@code uri} (the part before the first {@code '?'}) to {@code out}.
     * Allocates nothing; the bytes before the writer index are never read or changed.
     */
    public static void decode(CharSequence uri, ByteBuf out) {
        decode(uri, pathEnd(uri), out);
    }

    /**
     * Appends the decoded form of {@code uri[0, end)} to {@code out}, for callers that already know
     * where the path ends ({@link #pathEnd}).
     */
    public static void decode(CharSequence uri, int end, ByteBuf out) {
        final int start = out.writerIndex();
        // A relative path starts in SLASH with a slash that is never written, so that a leading
        // "./" or "../" is removed like any other dot segment but "foo" stays "foo".
        boolean virtualSlash = end > 0 && uri.charAt(0) != '/';
        State state = virtualSlash ? State.SLASH : State.TEXT;
        int high = 0;
        for (int i = 0; i < end; i++) {
            char c = uri.charAt(i);
            if (c == '#') {
                break;
            }
            switch (state) {
                case TEXT -> state = text(c, out);
                case PERCENT1 -> {
                    if (c == '%') {
                        out.writeByte('%');
                        state = State.TEXT;
                    } else {
                        high = hexValue(c);
                        state = State.PERCENT2;
                    }
                }
                case PERCENT2 -> {
                    int low = hexValue(c);
                    out.writeByte(high < 0 || low < 0 ? 0 : high << 4 | low);
                    state = State.TEXT;
                }
                case SLASH -> {
                    if (c == '.') {
                        state = State.DOT;
                    } else {
                        writeHeldSlash(out, virtualSlash);
                        state = text(c, out);
                    }
                }
                case DOT -> {
                    if (c == '.') {
                        state = State.DOTDOT;
                    } else if (c == '/') {
                        // "/./": drop the segment, the held slash stays held
                        state = State.SLASH;
                    } else {
                        writeHeldSlash(out, virtualSlash);
                        out.writeByte('.');
                        state = text(c, out);
                    }
                }
                case DOTDOT -> {
                    if (c == '/') {
                        // "/../": drop the previous segment with the slash before it
                        int slash = lastSlash(out, start);
                        out.writerIndex(slash < 0 ? start : slash);
                        state = State.SLASH;
                    } else {
                        writeHeldSlash(out, virtualSlash);
                        out.writeByte('.').writeByte('.');
                        state = text(c, out);
                    }
                }
                default -> throw new AssertionError(state);
            }
            if (c == '/') {
                // the slash held from now on is a real one
                virtualSlash = false;
            }
        }
        switch (state) {
            case SLASH, DOT -> writeHeldSlash(out, false);
            case DOTDOT -> {
                // a trailing ".." drops the previous segment but keeps the slash before it
                int slash = lastSlash(out, start);
                out.writerIndex(slash < 0 ? start : slash + 1);
            }
            default -> {
                // TEXT: done; PERCENT1/PERCENT2: a truncated escape is dropped
            }
        }
    }

    /** Index of the first {@code '?'} in {@code uri}, or its length: where the path ends. */
    public static int pathEnd(CharSequence uri) {
        int length = uri.length();
        for (int i = 0; i < length; i++) {
            if (uri.charAt(i) == '?') {
                return i;
            }
        }
        return length;
    }

    /** Handles a char that is not part of a held slash or dot segment. */
    private static State text(char c, ByteBuf out) {
        if (c == '%') {
            return State.PERCENT1;
        }
        if (c == '/') {
            return State.SLASH;
        }
        out.writeByte(AsciiString.c2b(c));
        return State.TEXT;
    }

    private static void writeHeldSlash(ByteBuf out, boolean virtualSlash) {
        if (!virtualSlash) {
            out.writeByte('/');
        }
    }

    /** Index of the last {@code '/'} written since {@code start}, or -1 if there is none. */
    private static int lastSlash(ByteBuf out, int start) {
        for (int i = out.writerIndex() - 1; i >= start; i--) {
            if (out.getByte(i) == '/') {
                return i;
            }
        }
        return -1;
    }

    /** ASCII hex digit value, -1 for anything else (not {@link Character#digit}: no full-width digits). */
    private static int hexValue(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
