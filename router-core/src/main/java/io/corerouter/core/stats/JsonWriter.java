package io.corerouter.core.stats;

/**
 * A small streaming JSON writer for stats documents (spec §3.11): members come out in the order they
 * are written, strings are always escaped (deviations.md: uWSGI writes them raw), and the layout is
 * uWSGI's: tab-indented lines, or one line when minified.
 *
 * <p>Output is pure ASCII: control characters, quotes, backslashes and everything above 0x7E are
 * escaped, so the document is valid whatever bytes a node announced. Not thread-safe; one per document.
 */
public final class JsonWriter {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final StringBuilder out = new StringBuilder(1024);
    private final boolean pretty;
    /** Per open container: whether it has a member yet. Depth is small (a stats document has 5 levels). */
    private boolean[] hasMember = new boolean[8];
    private int depth;
    private boolean afterName;

    /** @param minified one line instead of uWSGI's tab-indented layout */
    public JsonWriter(boolean minified) {
        this.pretty = !minified;
    }

    public JsonWriter beginObject() {
        return open('{');
    }

    public JsonWriter endObject() {
        return close('}');
    }

    public JsonWriter beginArray() {
        return open('[');
    }

    public JsonWriter endArray() {
        return close(']');
    }

    /** Writes a member name; the next value (or container) is its value. */
    public JsonWriter name(String name) {
        separate();
        string(name);
        out.append(':');
        afterName = true;
        return this;
    }

    public JsonWriter value(String value) {
        separate();
        if (value == null) {
            out.append("null");
        } else {
            string(value);
        }
        return this;
    }

    public JsonWriter value(long value) {
        separate();
        out.append(value);
        return this;
    }

    /** {@code "name":value}. */
    public JsonWriter field(String name, long value) {
        return name(name).value(value);
    }

    /** {@code "name":"value"}. */
    public JsonWriter field(String name, String value) {
        return name(name).value(value);
    }

    /** The document written so far (complete once every container is closed). */
    @Override
    public String toString() {
        return out.toString();
    }

    private JsonWriter open(char bracket) {
        separate();
        out.append(bracket);
        if (depth == hasMember.length) {
            hasMember = java.util.Arrays.copyOf(hasMember, depth * 2);
        }
        hasMember[depth++] = false;
        return this;
    }

    private JsonWriter close(char bracket) {
        if (depth == 0) {
            throw new IllegalStateException("nothing to close");
        }
        boolean any = hasMember[--depth];
        if (pretty && any) {
            newline();
        }
        out.append(bracket);
        return this;
    }

    /** Before a value or name: the comma and line break that separate it from the previous member. */
    private void separate() {
        if (afterName) {
            afterName = false;
            return;
        }
        if (depth == 0) {
            return;
        }
        if (hasMember[depth - 1]) {
            out.append(',');
        }
        hasMember[depth - 1] = true;
        if (pretty) {
            newline();
        }
    }

    private void newline() {
        out.append('\n');
        for (int i = 0; i < depth; i++) {
            out.append('\t');
        }
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        out.append("\\u").append(HEX[c >> 12 & 0xf]).append(HEX[c >> 8 & 0xf])
                           .append(HEX[c >> 4 & 0xf]).append(HEX[c & 0xf]);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
