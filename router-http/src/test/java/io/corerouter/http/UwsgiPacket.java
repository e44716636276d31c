package io.corerouter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.util.CharsetUtil;
import java.util.ArrayList;
import java.util.List;

/**
 * A uwsgi packet read back for assertions: a strict, test-local parser of spec §1.1-1.2 that
 * checks the header's datasize against what was written. Keys and values are read as ISO-8859-1,
 * which maps every byte to one char and back, so comparing strings compares bytes.
 */
record UwsgiPacket(int modifier1, int modifier2, List<Var> vars) {
    record Var(String key, String value) {
        @Override
        public String toString() {
            return key + "=" + value;
        }
    }

    /** Parses the whole readable content of {@code buf} as one packet, without consuming it. */
    static UwsgiPacket parse(ByteBuf buf) {
        int index = buf.readerIndex();
        int end = buf.writerIndex();
        int modifier1 = buf.getUnsignedByte(index);
        int datasize = buf.getUnsignedShortLE(index + 1);
        int modifier2 = buf.getUnsignedByte(index + 3);
        assertEquals(end - index - 4, datasize, "datasize");
        List<Var> vars = new ArrayList<>();
        index += 4;
        while (index < end) {
            int keyLength = buf.getUnsignedShortLE(index);
            assertTrue(keyLength > 0, "zero-length key at " + index);
            String key = buf.toString(index + 2, keyLength, CharsetUtil.ISO_8859_1);
            index += 2 + keyLength;
            int valueLength = buf.getUnsignedShortLE(index);
            assertTrue(index + 2 + valueLength <= end, "value of " + key + " overruns the block");
            vars.add(new Var(key, buf.toString(index + 2, valueLength, CharsetUtil.ISO_8859_1)));
            index += 2 + valueLength;
        }
        return new UwsgiPacket(modifier1, modifier2, vars);
    }

    /** Builds a var list from alternating keys and values. */
    static List<Var> vars(String... keysAndValues) {
        List<Var> vars = new ArrayList<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            vars.add(new Var(keysAndValues[i], keysAndValues[i + 1]));
        }
        return vars;
    }

    List<String> keys() {
        return vars.stream().map(Var::key).toList();
    }

    /** The value of the only var named {@code key}; fails if there is not exactly one. */
    String get(String key) {
        List<Var> found = vars.stream().filter(v -> v.key().equals(key)).toList();
        assertEquals(1, found.size(), "vars named " + key + " in " + vars);
        return found.get(0).value();
    }
}
