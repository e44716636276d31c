package io.corerouter.core.codec.uwsgi;

import static io.corerouter.core.codec.uwsgi.Frames.golden;
import static io.corerouter.core.codec.uwsgi.Frames.packet;
import static io.corerouter.core.codec.uwsgi.Frames.record;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The in-place writer every router builds packets with (spec §1.1, §1.2). */
class UwsgiVarsTest {
    private ByteBuf out;

    @BeforeEach
    void allocate() {
        out = ByteBufAllocator.DEFAULT.buffer();
    }

    @AfterEach
    void release() {
        out.release();
    }

    @Test
    void buildsTheSubscriptionDatagramOfSpecSection16() {
        int header = UwsgiVars.beginPacket(out);
        UwsgiVars.add(out, "key", "fed.example");
        UwsgiVars.add(out, "address", "127.0.0.1:18070");
        UwsgiVars.addNumber(out, "modifier1", 5);
        UwsgiVars.addNumber(out, "modifier2", 0);
        UwsgiVars.addNumber(out, "cores", 0);
        UwsgiVars.addNumber(out, "load", 0);
        UwsgiVars.addNumber(out, "weight", 0);
        UwsgiVars.add(out, "sni_key", "/k");
        UwsgiVars.add(out, "sni_crt", "/c");
        UwsgiVars.finishPacket(out, header, UwsgiModifiers.MODIFIER1_SUBSCRIPTION, UwsgiModifiers.MODIFIER2_SUBSCRIBE);
        assertArrayEquals(golden("subscription-spec.hex"), ByteBufUtil.getBytes(out));
    }

    @Test
    void headerGoesWhereBeginPacketWasCalled() {
        out.writeBytes(new byte[] {9, 9});
        int header = UwsgiVars.beginPacket(out);
        UwsgiVars.add(out, "A", "");
        UwsgiVars.finishPacket(out, header, 5, 9);
        assertEquals(2, header);
        assertArrayEquals(packet(5, 9, record("A", "")), ByteBufUtil.getBytes(out, 2, out.readableBytes() - 2));
    }

    @Test
    void numbersAreDecimalText() {
        UwsgiVars.addNumber(out, "N", 0);
        UwsgiVars.addNumber(out, "N", -42);
        UwsgiVars.addNumber(out, "N", Long.MAX_VALUE);
        UwsgiVars.addNumber(out, "N", Long.MIN_VALUE);
        assertEquals(4, UwsgiVarsParser.validate(out));
        StringBuilder values = new StringBuilder();
        UwsgiVarsParser.forEach(out, (b, k, kl, v, vl) -> {
            values.append(b.toString(v, vl, StandardCharsets.US_ASCII)).append(' ');
            return true;
        });
        assertEquals("0 -42 9223372036854775807 -9223372036854775808 ", values.toString());
    }

    @Test
    void byteBufValuesAreCopiedNotConsumed() {
        ByteBuf value = ByteBufAllocator.DEFAULT.buffer().writeBytes("xyz".getBytes(StandardCharsets.US_ASCII));
        try {
            value.skipBytes(1);
            UwsgiVars.add(out, "V", value);
            assertEquals(1, value.readerIndex());
            assertEquals("yz", UwsgiVarsParser.get(out, "V"));
        } finally {
            value.release();
        }
    }

    @Test
    void fieldOf65535BytesIsAcceptedAnd65536Rejected() {
        String max = "k".repeat(65535);
        UwsgiVars.add(out, max, "");
        assertEquals(2 + 65535 + 2, out.readableBytes());

        out.clear();
        assertEquals(65536, assertThrows(TooLongUwsgiPacketException.class,
                () -> UwsgiVars.add(out, "k".repeat(65536), "v")).size());
        assertThrows(TooLongUwsgiPacketException.class, () -> UwsgiVars.add(out, "k", "v".repeat(65536)));
        ByteBuf big = ByteBufAllocator.DEFAULT.buffer(65536).writeZero(65536);
        try {
            TooLongUwsgiPacketException e = assertThrows(TooLongUwsgiPacketException.class,
                    () -> UwsgiVars.add(out, "k", big));
            assertEquals(65535, e.limit());
        } finally {
            big.release();
        }
    }

    @Test
    void finishPacketAcceptsDatasize65535AndRejects65536() {
        int header = UwsgiVars.beginPacket(out);
        UwsgiVars.add(out, "K", "v".repeat(65530));
        UwsgiVars.finishPacket(out, header, 0, 0);
        assertEquals(0xFFFF, out.getUnsignedShortLE(1));

        out.clear();
        int again = UwsgiVars.beginPacket(out);
        UwsgiVars.add(out, "K", "v".repeat(65531));
        TooLongUwsgiPacketException e = assertThrows(TooLongUwsgiPacketException.class,
                () -> UwsgiVars.finishPacket(out, again, 0, 0));
        assertEquals(65536, e.size());
        assertEquals(65535, e.limit());
    }
}
