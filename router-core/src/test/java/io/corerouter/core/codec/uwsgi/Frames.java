package io.corerouter.core.codec.uwsgi;

import io.netty.buffer.ByteBufUtil;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Golden frames: hex files under {@code src/test/resources/uwsgi/}, and small frame builders. */
final class Frames {
    private Frames() {
    }

    /**
     * Reads {@code /uwsgi/<name>}: hex bytes separated by any whitespace, {@code #} starts a comment
     * that runs to the end of the line.
     */
    static byte[] golden(String name) {
        String resource = "/uwsgi/" + name;
        try (InputStream in = Frames.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + resource);
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return ByteBufUtil.decodeHexDump(text.replaceAll("#[^\n]*", "").replaceAll("\\s+", ""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses space-separated hex, for short frames written inline in a test. */
    static byte[] hex(String hex) {
        return ByteBufUtil.decodeHexDump(hex.replaceAll("\\s+", ""));
    }

    /** A header for {@code datasize} (written little-endian) followed by {@code vars}. */
    static byte[] packet(int modifier1, int datasize, int modifier2, byte[] vars) {
        byte[] frame = new byte[UwsgiVars.HEADER_LENGTH + vars.length];
        frame[0] = (byte) modifier1;
        frame[1] = (byte) datasize;
        frame[2] = (byte) (datasize >>> 8);
        frame[3] = (byte) modifier2;
        System.arraycopy(vars, 0, frame, UwsgiVars.HEADER_LENGTH, vars.length);
        return frame;
    }

    /** A header whose datasize is the length of {@code vars}. */
    static byte[] packet(int modifier1, int modifier2, byte[] vars) {
        return packet(modifier1, vars.length, modifier2, vars);
    }

    /** One {@code key = value} record, chars as ISO-8859-1. */
    static byte[] record(String key, String value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        field(out, key.getBytes(StandardCharsets.ISO_8859_1));
        field(out, value.getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
    }

    /** Concatenates byte arrays. */
    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static void field(ByteArrayOutputStream out, byte[] bytes) {
        out.write(bytes.length & 0xFF);
        out.write(bytes.length >>> 8);
        out.writeBytes(bytes);
    }
}
