package io.corerouter.core.codec.uwsgi;

import static io.corerouter.core.codec.uwsgi.Frames.concat;
import static io.corerouter.core.codec.uwsgi.Frames.golden;
import static io.corerouter.core.codec.uwsgi.Frames.hex;
import static io.corerouter.core.codec.uwsgi.Frames.record;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The strict vars rules of spec §1.2, and in-place lookups, on raw blocks. */
class UwsgiVarsParserTest {
    private final List<ByteBuf> buffers = new ArrayList<>();

    @AfterEach
    void release() {
        buffers.forEach(ByteBuf::release);
    }

    /** A pooled, tracked buffer holding {@code bytes} after some unrelated bytes, so indices are not 0-based. */
    private ByteBuf block(byte[] bytes) {
        ByteBuf buf = ByteBufAllocator.DEFAULT.buffer();
        buffers.add(buf);
        buf.writeBytes(hex("de ad be ef")).skipBytes(4);
        return buf.writeBytes(bytes);
    }

    private ByteBuf subscriptionVars() {
        byte[] frame = golden("subscription-spec.hex");
        return block(Arrays.copyOfRange(frame, UwsgiVars.HEADER_LENGTH, frame.length));
    }

    @Test
    void validateCountsVarsAndMovesNothing() {
        ByteBuf vars = subscriptionVars();
        int readerIndex = vars.readerIndex();
        assertEquals(9, UwsgiVarsParser.validate(vars));
        assertEquals(0, UwsgiVarsParser.validate(block(new byte[0])));
        assertEquals(readerIndex, vars.readerIndex());
    }

    @Test
    void validateARangeWithoutSlicing() {
        ByteBuf buf = block(concat(hex("ff ff"), record("A", "a"), hex("ff")));
        assertEquals(1, UwsgiVarsParser.validate(buf, buf.readerIndex() + 2, 6));
        assertThrows(UwsgiProtocolException.class, () -> UwsgiVarsParser.validate(buf, buf.readerIndex(), 6));
        assertThrows(IndexOutOfBoundsException.class, () -> UwsgiVarsParser.validate(buf, buf.capacity() - 2, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> UwsgiVarsParser.validate(buf, -1, 3));
    }

    @Test
    void validationMessagesNameTheOffsetFromTheBlockStart() {
        assertMessage(hex("00 00"), "uwsgi vars at offset 0: zero-length key (uwsgi key cannot be null)");
        assertMessage(concat(record("AB", "c"), hex("02 00 41")),
                "uwsgi vars at offset 7: key length 2 overruns the vars block (1 bytes left;"
                        + " a key must end before the block does)");
        assertMessage(hex("01 00 41 00"), "uwsgi vars at offset 3: truncated value length (1 byte left in the vars block)");
        assertMessage(hex("01 00 41 ff ff 00"),
                "uwsgi vars at offset 3: value length 65535 overruns the vars block (1 bytes left)");
        assertMessage(hex("07"), "uwsgi vars at offset 0: truncated key length (1 byte left in the vars block)");
    }

    private void assertMessage(byte[] vars, String message) {
        ByteBuf block = block(vars);
        assertEquals(message, assertThrows(UwsgiProtocolException.class, () -> UwsgiVarsParser.validate(block)).getMessage());
        assertEquals(message, assertThrows(UwsgiProtocolException.class, () -> UwsgiVarsParser.get(block, "X")).getMessage());
        assertEquals(message, assertThrows(UwsgiProtocolException.class,
                () -> UwsgiVarsParser.forEach(block, (b, k, kl, v, vl) -> true)).getMessage());
    }

    @Test
    void valueMayEndExactlyAtTheEndOfTheBlock() {
        assertEquals(1, UwsgiVarsParser.validate(block(record("A", "bc"))));
        assertEquals(1, UwsgiVarsParser.validate(block(record("A", ""))));
    }

    @Test
    void forEachVisitsInOrderWithAbsoluteIndicesAndCanStop() {
        ByteBuf vars = subscriptionVars();
        List<String> keys = new ArrayList<>();
        assertTrue(UwsgiVarsParser.forEach(vars, (block, keyIndex, keyLength, valueIndex, valueLength) -> {
            assertTrue(block == vars);
            keys.add(block.toString(keyIndex, keyLength, StandardCharsets.ISO_8859_1));
            return true;
        }));
        assertEquals(List.of("key", "address", "modifier1", "modifier2", "cores", "load", "weight",
                "sni_key", "sni_crt"), keys);

        keys.clear();
        assertFalse(UwsgiVarsParser.forEach(vars, (block, keyIndex, keyLength, valueIndex, valueLength) -> {
            keys.add(block.toString(keyIndex, keyLength, StandardCharsets.ISO_8859_1));
            return !UwsgiVarsParser.keyEquals(block, keyIndex, keyLength, "address");
        }));
        assertEquals(List.of("key", "address"), keys);
    }

    @Test
    void forEachVisitsTheGoodLeadingVarsBeforeFailing() {
        // why the subscription server validates first: a walk alone would apply half a datagram
        ByteBuf vars = block(concat(record("key", "a"), hex("00 00")));
        List<String> keys = new ArrayList<>();
        assertThrows(UwsgiProtocolException.class, () -> UwsgiVarsParser.forEach(vars, (b, k, kl, v, vl) -> {
            keys.add(b.toString(k, kl, StandardCharsets.ISO_8859_1));
            return true;
        }));
        assertEquals(List.of("key"), keys);
    }

    @Test
    void getIsLatin1LastWinsAndNullWhenAbsent() {
        ByteBuf vars = block(concat(record("K", "one"), record("KK", "x"), record("K", "caf\u00e9"), record("E", "")));
        assertEquals("caf\u00e9", UwsgiVarsParser.get(vars, "K"));
        assertEquals("", UwsgiVarsParser.get(vars, "E"));
        assertNull(UwsgiVarsParser.get(vars, "k"));
        assertNull(UwsgiVarsParser.get(vars, "KKK"));
        assertNull(UwsgiVarsParser.get(vars, ""));
        assertEquals("x", UwsgiVarsParser.get(vars, new StringBuilder("KK")));
    }

    @Test
    void getBytesIsAnUnretainedSliceOfTheBlock() {
        ByteBuf vars = subscriptionVars();
        ByteBuf value = UwsgiVarsParser.getBytes(vars, "address");
        assertEquals("127.0.0.1:18070", value.toString(StandardCharsets.ISO_8859_1));
        assertEquals(1, vars.refCnt());
        value.setByte(0, '2'); // a view, not a copy
        assertEquals("227.0.0.1:18070", UwsgiVarsParser.get(vars, "address"));
        assertNull(UwsgiVarsParser.getBytes(vars, "nope"));
    }

    @Test
    void keyEqualsComparesBytesAsLatin1() {
        ByteBuf buf = block(new byte[] {'a', (byte) 0xE9});
        int i = buf.readerIndex();
        assertTrue(UwsgiVarsParser.keyEquals(buf, i, 2, "a\u00e9"));
        assertFalse(UwsgiVarsParser.keyEquals(buf, i, 2, "a\u0169")); // low byte 0x69 must not match
        assertFalse(UwsgiVarsParser.keyEquals(buf, i, 1, "a\u00e9"));
        assertTrue(UwsgiVarsParser.keyEquals(Unpooled.EMPTY_BUFFER, 0, 0, ""));
    }
}
