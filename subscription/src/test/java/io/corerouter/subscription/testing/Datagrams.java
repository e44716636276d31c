package io.corerouter.subscription.testing;

import io.corerouter.subscription.codec.SubscriptionPacket;
import io.corerouter.subscription.codec.SubscriptionPacketWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Builds subscription datagrams for tests, well-formed or deliberately not. */
public final class Datagrams {
    private Datagrams() {
    }

    /** The datagram of {@code packet} as bytes. */
    public static byte[] of(SubscriptionPacket packet) {
        // a wrapped array is not tracked by the (paranoid) leak detector, which would record every access
        ByteBuf out = Unpooled.wrappedBuffer(new byte[8192]).clear();
        try {
            SubscriptionPacketWriter.write(out, packet);
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
        }
    }

    /** A raw datagram: header {@code 224 | datasize | command}, then the given key/value records. */
    public static byte[] raw(int command, String... keyValues) {
        ByteArrayOutputStream vars = new ByteArrayOutputStream();
        for (String kv : keyValues) {
            vars.writeBytes(kv.getBytes(StandardCharsets.ISO_8859_1));
        }
        return raw(command, vars.toByteArray());
    }

    public static byte[] raw(int command, byte[] vars) {
        byte[] out = new byte[4 + vars.length];
        out[0] = (byte) 224;
        out[1] = (byte) vars.length;
        out[2] = (byte) (vars.length >> 8);
        out[3] = (byte) command;
        System.arraycopy(vars, 0, out, 4, vars.length);
        return out;
    }

    /** One record: u16le key length, key, u16le value length, value. */
    public static String record(String key, String value) {
        return field(key) + field(value);
    }

    private static String field(String s) {
        int n = s.length();
        return "" + (char) (n & 0xff) + (char) (n >> 8 & 0xff) + s;
    }

    public static byte[] hex(String hex) {
        return ByteBufUtil.decodeHexDump(hex.replaceAll("\\s", ""));
    }
}
