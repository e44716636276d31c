package io.corerouter.core.codec.uwsgi;

import static io.corerouter.core.codec.uwsgi.Frames.concat;
import static io.corerouter.core.codec.uwsgi.Frames.golden;
import static io.corerouter.core.codec.uwsgi.Frames.hex;
import static io.corerouter.core.codec.uwsgi.Frames.packet;
import static io.corerouter.core.codec.uwsgi.Frames.record;
import static io.corerouter.core.codec.uwsgi.FrameFeeder.feed;
import static io.corerouter.core.codec.uwsgi.FrameFeeder.feedAllCuts;
import static io.corerouter.core.codec.uwsgi.FrameFeeder.feedByteByByte;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.core.codec.uwsgi.FrameFeeder.Fed;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Spec §1.1-§1.3 and §8.1: framing, limits and broken vars, fed whole, split and byte by byte. */
class UwsgiPacketDecoderTest {
    private static final byte[] GET = golden("get-request.hex");
    private static final byte[] SUBSCRIPTION = golden("subscription-spec.hex");
    private static final byte[] SUBSCRIPTION_CAPTURED = golden("subscription-captured.hex");

    private static Supplier<ChannelHandler[]> decoder() {
        return decoder(UwsgiPacketDecoder.DEFAULT_MAX_DATA_SIZE, false);
    }

    private static Supplier<ChannelHandler[]> decoder(int maxDataSize, boolean singlePacket) {
        return () -> new ChannelHandler[] {new UwsgiPacketDecoder(maxDataSize, singlePacket)};
    }

    @Test
    void decodesGetRequestCapturedFromUwsgiHttpRouter() {
        feedAllCuts(GET, decoder(), fed -> {
            UwsgiPacket packet = fed.single(UwsgiPacket.class);
            assertEquals(0, packet.modifier1());
            assertEquals(0, packet.modifier2());
            assertEquals(307, packet.datasize());
            assertArrayEquals(Arrays.copyOfRange(GET, 4, GET.length), ByteBufUtil.getBytes(packet.content()));
            assertEquals(14, UwsgiVarsParser.validate(packet.content()));
            assertEquals("GET", packet.get("REQUEST_METHOD"));
            assertEquals("/foo/bar?x=1", packet.get("REQUEST_URI"));
            assertEquals("example.com:8080", packet.get("HTTP_HOST"));
            assertEquals("*/*", packet.get("HTTP_ACCEPT"));
            assertEquals("", packet.get("SCRIPT_NAME"));
            assertNull(packet.get("CONTENT_LENGTH"));
        });
    }

    @Test
    void decodesSubscriptionDatagramOfSpecSection16() {
        feedAllCuts(SUBSCRIPTION, decoder(), fed -> {
            UwsgiPacket packet = fed.single(UwsgiPacket.class);
            assertEquals(UwsgiModifiers.MODIFIER1_SUBSCRIPTION, packet.modifier1());
            assertEquals(UwsgiModifiers.MODIFIER2_SUBSCRIBE, packet.modifier2());
            assertEquals(0x80, packet.datasize());
            assertEquals(9, UwsgiVarsParser.validate(packet.content()));
            assertEquals("fed.example", packet.get("key"));
            assertEquals("127.0.0.1:18070", packet.get("address"));
            assertEquals("5", packet.get("modifier1"));
            assertEquals("0", packet.get("cores"));
            assertEquals("/k", packet.get("sni_key"));
            assertEquals("/c", packet.get("sni_crt"));
        });
    }

    @Test
    void decodesSubscriptionDatagramCapturedFromUwsgi() {
        feedAllCuts(SUBSCRIPTION_CAPTURED, decoder(), fed -> {
            UwsgiPacket packet = fed.single(UwsgiPacket.class);
            assertEquals(224, packet.modifier1());
            assertEquals("fed.example", packet.get("key"));
            assertEquals("1", packet.get("cores"));
        });
    }

    @Test
    void datasizeIsLittleEndian() {
        // 0x0105 = 261 little-endian; read big-endian it would be 0x0501 = 1281 > 300
        byte[] vars = record("K", "v".repeat(261 - 5));
        byte[] frame = packet(0, 0, vars);
        assertEquals(0x05, frame[1]);
        assertEquals(0x01, frame[2]);
        feedAllCuts(frame, decoder(300, false), fed -> {
            UwsgiPacket packet = fed.single(UwsgiPacket.class);
            assertEquals(261, packet.datasize());
            assertEquals(256, packet.get("K").length());
        });
    }

    @Test
    void emptyValuesAnywhere() {
        byte[] frame = packet(0, 0, concat(record("A", ""), record("B", "b"), record("C", "")));
        feedAllCuts(frame, decoder(), fed -> {
            UwsgiPacket packet = fed.single(UwsgiPacket.class);
            assertEquals("", packet.get("A"));
            assertEquals("b", packet.get("B"));
            assertEquals("", packet.get("C"));
            assertEquals(0, packet.getBytes("C").readableBytes());
        });
    }

    @Test
    void duplicateKeyLastOneWinsButBothAreVisited() {
        byte[] frame = packet(0, 0, concat(record("HTTP_HOST", "first"), record("X", "x"),
                record("HTTP_HOST", "second")));
        feedAllCuts(frame, decoder(), fed -> {
            UwsgiPacket packet = fed.single(UwsgiPacket.class);
            assertEquals("second", packet.get("HTTP_HOST"));
            List<String> seen = new ArrayList<>();
            packet.forEachVar((block, keyIndex, keyLength, valueIndex, valueLength) -> seen.add(
                    block.toString(keyIndex, keyLength, StandardCharsets.ISO_8859_1) + "="
                    + block.toString(valueIndex, valueLength, StandardCharsets.ISO_8859_1)));
            assertEquals(List.of("HTTP_HOST=first", "X=x", "HTTP_HOST=second"), seen);
        });
    }

    @Test
    void datasizeZeroIsAPacketWithNoVars() {
        // spec §8.1 item 4: accepted by the codec; the fastrouter then finds no key and closes
        feedAllCuts(hex("05 00 00 09"), decoder(), fed -> {
            UwsgiPacket packet = fed.single(UwsgiPacket.class);
            assertEquals(5, packet.modifier1());
            assertEquals(9, packet.modifier2());
            assertEquals(0, packet.datasize());
            assertNull(packet.get("HTTP_HOST"));
            assertTrue(packet.forEachVar((b, k, kl, v, vl) -> {
                throw new AssertionError("no var expected");
            }));
        });
    }

    @Test
    void datasize65535IsAccepted() {
        // one record filling the block exactly: 2 + 1 + 2 + 65530 = 65535
        byte[] frame = packet(0, 0, record("K", "v".repeat(65530)));
        assertEquals((byte) 0xFF, frame[1]);
        assertEquals((byte) 0xFF, frame[2]);
        Supplier<ChannelHandler[]> decoder = decoder();
        Consumer<Fed> check = fed -> {
            UwsgiPacket packet = fed.single(UwsgiPacket.class);
            assertEquals(65535, packet.datasize());
            assertEquals(65530, packet.getBytes("K").readableBytes());
        };
        // every split of a 64 KiB frame would copy 4 GiB: whole, a spread of splits, byte by byte
        feed(frame, new int[] {frame.length}, "whole", decoder, check);
        for (int split : new int[] {1, 3, 4, 5, 6, 7, 9, 32768, frame.length - 1}) {
            feed(frame, new int[] {split, frame.length - split}, "split at " + split, decoder, check);
        }
        feedByteByByte(frame, decoder, check);
    }

    @Test
    void datasizeOverMaxDataSizeIsRejectedFromTheHeaderAlone() {
        byte[] frame = concat(hex("00 01 10 00"), new byte[32]); // datasize 4097
        feedAllCuts(frame, decoder(4096, false), fed -> {
            assertTrue(fed.messages().isEmpty(), fed.cut());
            assertEquals(1, fed.errors().size(), fed.cut());
            TooLongUwsgiPacketException e = assertInstanceOf(TooLongUwsgiPacketException.class, fed.errors().get(0));
            assertEquals(4097, e.size());
            assertEquals(4096, e.limit());
        });
        // exactly the limit is accepted: the decoder waits for the vars
        feedAllCuts(hex("00 00 10 00"), decoder(4096, false), fed -> {
            assertTrue(fed.errors().isEmpty(), fed.cut());
            assertTrue(fed.messages().isEmpty(), fed.cut());
        });
        feedAllCuts(hex("00 01 00 00 00"), decoder(0, false), fed ->
                assertInstanceOf(TooLongUwsgiPacketException.class, fed.errors().get(0)));
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 65536, Integer.MAX_VALUE})
    void maxDataSizeOutOfRangeIsRefused(int maxDataSize) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new UwsgiPacketDecoder(maxDataSize, false));
        assertEquals("maxDataSize: " + maxDataSize + " (expected: 0-65535)", e.getMessage());
    }

    @Test
    void zeroLengthKeyIsRejected() {
        // spec §8.1 item 9
        assertBroken(packet(0, 0, concat(record("A", "a"), hex("00 00 00 00"))),
                "uwsgi vars at offset 6: zero-length key");
    }

    @Test
    void keyOverrunIsRejected() {
        assertBroken(packet(0, 0, hex("05 00 61 62 63")), "uwsgi vars at offset 0: key length 5 overruns");
        // a key that ends exactly at the block end leaves no room for the value length
        assertBroken(packet(0, 0, hex("03 00 61 62 63")), "uwsgi vars at offset 0: key length 3 overruns");
        assertBroken(packet(0, 0, hex("03 00 61 62 63 00")), "uwsgi vars at offset 5: truncated value length");
    }

    @Test
    void valueOverrunIsRejected() {
        assertBroken(packet(0, 0, concat(record("A", "a"), hex("01 00 42 05 00 78 79"))),
                "uwsgi vars at offset 9: value length 5 overruns the vars block (2 bytes left)");
    }

    @Test
    void strayByteAfterTheLastRecordIsRejected() {
        assertBroken(packet(0, 0, concat(record("A", "a"), hex("01"))),
                "uwsgi vars at offset 6: truncated key length (1 byte left");
    }

    @Test
    void truncatedVarFromSpecSection81Item4IsRejected() {
        // header 00 05 00 00 and a var that does not fit the 5 bytes
        assertBroken(hex("00 05 00 00 03 00 61 62 63"), "uwsgi vars at offset 0: key length 3 overruns");
    }

    private static void assertBroken(byte[] frame, String message) {
        feedAllCuts(frame, decoder(), fed -> {
            assertTrue(fed.messages().isEmpty(), fed.cut());
            assertEquals(1, fed.errors().size(), fed.cut());
            Throwable e = fed.errors().get(0);
            assertEquals(UwsgiProtocolException.class, e.getClass(), fed.cut());
            assertTrue(e.getMessage().startsWith(message), fed.cut() + ": " + e.getMessage());
        });
    }

    @Test
    void afterAnErrorFurtherInputIsDiscarded() {
        byte[] frame = concat(hex("00 02 00 00 00 00"), GET, GET);
        feedAllCuts(frame, decoder(), fed -> {
            assertTrue(fed.messages().isEmpty(), fed.cut());
            assertEquals(1, fed.errors().size(), fed.cut());
        });
    }

    @Test
    void truncatedHeaderWaits() {
        // spec §8.1 item 5: 3 of 4 header bytes give nothing, and no error
        byte[] head = Arrays.copyOf(GET, 3);
        feedAllCuts(head, decoder(), fed -> {
            assertTrue(fed.messages().isEmpty(), fed.cut());
            assertTrue(fed.errors().isEmpty(), fed.cut());
        });
        // header and all but one var byte: still waiting
        feedAllCuts(Arrays.copyOf(GET, GET.length - 1), decoder(), fed -> {
            assertTrue(fed.messages().isEmpty(), fed.cut());
            assertTrue(fed.errors().isEmpty(), fed.cut());
        });
    }

    @Test
    void streamOfTwoPackets() {
        feedAllCuts(concat(GET, SUBSCRIPTION), decoder(), fed -> {
            assertTrue(fed.errors().isEmpty(), fed.cut());
            assertEquals(2, fed.messages().size(), fed.cut());
            UwsgiPacket first = (UwsgiPacket) fed.messages().get(0);
            UwsgiPacket second = (UwsgiPacket) fed.messages().get(1);
            assertEquals("example.com:8080", first.get("HTTP_HOST"));
            assertEquals("fed.example", second.get("key"));
        });
    }

    @Test
    void singlePacketPassesTheBodyOnAsBytes() {
        byte[] body = "hello, body: 00 05 00 00 is not a header here".getBytes(StandardCharsets.US_ASCII);
        feedAllCuts(concat(GET, body), decoder(4096, true), fed -> {
            assertTrue(fed.errors().isEmpty(), fed.cut());
            UwsgiPacket packet = assertInstanceOf(UwsgiPacket.class, fed.messages().get(0), fed.cut());
            assertEquals(307, packet.datasize());
            assertArrayEquals(body, bytesAfterFirst(fed), fed.cut());
        });
    }

    /**
     * The fastrouter way (STYLE.md item 5): remove the decoder when the packet arrives; bytes it
     * already had come out as one ByteBuf, later reads pass by it. Works in both modes.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void removingTheDecoderAfterThePacketHandsOnTheLeftoverBytes(boolean singlePacket) {
        byte[] body = concat("leftover ".getBytes(StandardCharsets.US_ASCII), SUBSCRIPTION);
        Supplier<ChannelHandler[]> handlers = () -> {
            UwsgiPacketDecoder decoder = new UwsgiPacketDecoder(4096, singlePacket);
            return new ChannelHandler[] {decoder, new RemoveOnPacket(decoder)};
        };
        feedAllCuts(concat(GET, body), handlers, fed -> {
            assertTrue(fed.errors().isEmpty(), fed.cut());
            assertInstanceOf(UwsgiPacket.class, fed.messages().get(0), fed.cut());
            assertArrayEquals(body, bytesAfterFirst(fed), fed.cut());
        });
    }

    private static byte[] bytesAfterFirst(Fed fed) {
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        for (Object message : fed.messages().subList(1, fed.messages().size())) {
            ByteBuf bytes = assertInstanceOf(ByteBuf.class, message, fed.cut());
            assertTrue(bytes.isReadable(), fed.cut() + ": empty buffer passed on");
            rest.writeBytes(ByteBufUtil.getBytes(bytes));
        }
        return rest.toByteArray();
    }

    /** Stands in for the fastrouter front: takes the packet, then gets out of the byte path. */
    private static final class RemoveOnPacket extends ChannelInboundHandlerAdapter {
        private final UwsgiPacketDecoder decoder;

        RemoveOnPacket(UwsgiPacketDecoder decoder) {
            this.decoder = decoder;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            boolean packet = msg instanceof UwsgiPacket;
            ctx.fireChannelRead(msg);
            if (packet) {
                assertNotNull(ctx.pipeline().context(decoder), "removed twice");
                // the leftover bytes come through this handler from inside remove()
                ctx.pipeline().remove(decoder);
            }
        }
    }
}
