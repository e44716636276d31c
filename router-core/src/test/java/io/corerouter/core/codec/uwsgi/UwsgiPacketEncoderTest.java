package io.corerouter.core.codec.uwsgi;

import static io.corerouter.core.codec.uwsgi.Frames.golden;
import static io.corerouter.core.codec.uwsgi.Frames.record;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.EncoderException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Encoding gives back the golden bytes; the encoder is shared and stateless. */
class UwsgiPacketEncoderTest {

    @ParameterizedTest
    @ValueSource(strings = {"get-request.hex", "subscription-spec.hex", "subscription-captured.hex"})
    void roundTripGivesTheGoldenBytesBack(String name) {
        byte[] frame = golden(name);
        EmbeddedChannel in = new EmbeddedChannel(new UwsgiPacketDecoder());
        EmbeddedChannel out = new EmbeddedChannel(UwsgiPacketEncoder.INSTANCE);
        EmbeddedChannel other = new EmbeddedChannel(UwsgiPacketEncoder.INSTANCE); // @Sharable
        try {
            assertTrue(in.writeInbound(in.alloc().buffer().writeBytes(frame)));
            UwsgiPacket packet = in.readInbound();
            assertTrue(other.writeOutbound(packet.retainedDuplicate()));
            assertTrue(out.writeOutbound(packet));
            assertArrayEquals(frame, readAll(out));
            assertArrayEquals(frame, readAll(other));
        } finally {
            in.finishAndReleaseAll();
            out.finishAndReleaseAll();
            other.finishAndReleaseAll();
        }
    }

    private static byte[] readAll(EmbeddedChannel channel) {
        ByteBuf encoded = channel.readOutbound();
        try {
            assertNull(channel.readOutbound());
            return ByteBufUtil.getBytes(encoded);
        } finally {
            encoded.release();
        }
    }

    @Test
    void writesHeaderWithLittleEndianDatasizeAndModifiers() {
        byte[] vars = record("K", "v".repeat(256)); // 261 = 0x0105
        EmbeddedChannel channel = new EmbeddedChannel(UwsgiPacketEncoder.INSTANCE);
        try {
            channel.writeOutbound(new UwsgiPacket(224, 1, channel.alloc().buffer().writeBytes(vars)));
            byte[] bytes = readAll(channel);
            assertArrayEquals(new byte[] {(byte) 224, 0x05, 0x01, 1}, Arrays.copyOf(bytes, 4));
            assertArrayEquals(vars, Arrays.copyOfRange(bytes, 4, bytes.length));
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void staticWriteAppendsWithoutConsuming() {
        byte[] frame = golden("subscription-spec.hex");
        EmbeddedChannel channel = new EmbeddedChannel();
        ByteBuf vars = channel.alloc().buffer().writeBytes(frame, 4, frame.length - 4);
        UwsgiPacket packet = new UwsgiPacket(224, 0, vars);
        ByteBuf out = channel.alloc().buffer().writeByte('x');
        try {
            UwsgiPacketEncoder.write(packet, out);
            assertEquals(frame.length + 1, out.readableBytes());
            assertArrayEquals(frame, ByteBufUtil.getBytes(out, 1, frame.length));
            assertEquals(frame.length - 4, vars.readableBytes());
            assertEquals(1, packet.refCnt());
        } finally {
            out.release();
            packet.release();
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void varsGrownPast65535FailTheWrite() {
        EmbeddedChannel channel = new EmbeddedChannel(UwsgiPacketEncoder.INSTANCE);
        try {
            UwsgiPacket packet = new UwsgiPacket(0, 0, channel.alloc().buffer().writeZero(65535));
            packet.content().writeByte(0); // the holder cannot stop its buffer from growing
            EncoderException e = assertThrows(EncoderException.class, () -> channel.writeOutbound(packet));
            TooLongUwsgiPacketException cause = assertInstanceOf(TooLongUwsgiPacketException.class, e.getCause());
            assertEquals(65536, cause.size());
            assertEquals(0, packet.refCnt(), "the encoder releases what it was given");
            assertNull(channel.readOutbound());
        } finally {
            channel.finishAndReleaseAll();
        }
    }
}
