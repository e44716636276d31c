package io.corerouter.core.codec.uwsgi;

import static io.corerouter.core.codec.uwsgi.Frames.concat;
import static io.corerouter.core.codec.uwsgi.Frames.record;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;

/** The value type: modifier ranges, the 65535 cap, reference counting of the vars block. */
class UwsgiPacketTest {
    private static ByteBuf vars(byte[] bytes) {
        return ByteBufAllocator.DEFAULT.buffer(bytes.length).writeBytes(bytes);
    }

    @Test
    void modifiersMustFitAByte() {
        ByteBuf vars = vars(record("A", "a"));
        try {
            assertEquals("modifier1: 256 (expected: 0-255)",
                    assertThrows(IllegalArgumentException.class, () -> new UwsgiPacket(256, 0, vars)).getMessage());
            assertEquals("modifier2: -1 (expected: 0-255)",
                    assertThrows(IllegalArgumentException.class, () -> new UwsgiPacket(0, -1, vars)).getMessage());
            assertEquals(1, vars.refCnt(), "the caller keeps ownership when the constructor throws");
        } finally {
            vars.release();
        }
    }

    @Test
    void varsOver65535BytesAreRefused() {
        ByteBuf vars = ByteBufAllocator.DEFAULT.buffer(65536).writeZero(65536);
        try {
            TooLongUwsgiPacketException e = assertThrows(TooLongUwsgiPacketException.class,
                    () -> new UwsgiPacket(0, 0, vars));
            assertEquals(65536, e.size());
            assertEquals(65535, e.limit());
        } finally {
            vars.release();
        }
    }

    @Test
    void withModifiersSharesTheVars() {
        UwsgiPacket packet = new UwsgiPacket(5, 9, vars(concat(record("HTTP_HOST", "h"))));
        UwsgiPacket node = packet.withModifiers(0, 0);
        try {
            assertEquals(0, node.modifier1());
            assertEquals("h", node.get("HTTP_HOST"));
            assertEquals(2, packet.refCnt());
            assertThrows(IllegalArgumentException.class, () -> packet.withModifiers(0, 300));
            assertEquals(2, packet.refCnt(), "nothing retained for a refused modifier");
        } finally {
            node.release();
            packet.release();
        }
        assertEquals(0, packet.refCnt());
    }

    @Test
    void equalityCoversModifiersAndVars() {
        UwsgiPacket a = new UwsgiPacket(1, 2, vars(record("A", "a")));
        UwsgiPacket b = new UwsgiPacket(1, 2, vars(record("A", "a")));
        UwsgiPacket c = new UwsgiPacket(1, 3, vars(record("A", "a")));
        UwsgiPacket copy = a.copy();
        try {
            assertEquals(a, b);
            assertEquals(a.hashCode(), b.hashCode());
            assertNotEquals(a, c);
            assertEquals(a, copy);
            assertEquals("UwsgiPacket(modifier1=1, modifier2=2, datasize=6)", a.toString());
            assertSame(a, a.retain().touch("hint"));
            a.release();
        } finally {
            a.release();
            b.release();
            c.release();
            copy.release();
        }
    }

    @Test
    void emptyPacket() {
        UwsgiPacket packet = new UwsgiPacket(0, 0, ByteBufAllocator.DEFAULT.buffer(0));
        try {
            assertEquals(0, packet.datasize());
            assertNull(packet.get("A"));
            assertNull(packet.getBytes("A"));
        } finally {
            packet.release();
        }
    }
}
