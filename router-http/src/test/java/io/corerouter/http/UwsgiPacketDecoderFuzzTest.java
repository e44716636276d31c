package io.corerouter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.corerouter.core.codec.uwsgi.UwsgiPacket;
import io.corerouter.core.codec.uwsgi.UwsgiPacketDecoder;
import io.corerouter.core.codec.uwsgi.UwsgiProtocolException;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuzzes core's {@link UwsgiPacketDecoder} (the fastrouter's front and the subscription server's
 * framing): any input either decodes or fails with the decoder's own exceptions, never anything else;
 * the same bytes fed whole and in small pieces give the same packets and the same verdict; every
 * packet's vars can be walked; and nothing leaks (paranoid leak detection fails the class).
 *
 * <p>Seed corpus: {@code UwsgiPacketDecoderFuzzTestInputs/}; {@code JAZZER_FUZZ=1} fuzzes.
 */
class UwsgiPacketDecoderFuzzTest {
    @FuzzTest(maxDuration = "5m")
    void decoder(byte[] input) {
        Result whole = decode(input, input.length == 0 ? 1 : input.length);
        // byte by byte visits every partial state; past 64 bytes, 7-byte pieces keep the fuzzer fast
        Result split = decode(input, input.length <= 64 ? 1 : 7);
        assertEquals(whole, split);
    }

    record Result(List<String> packets, String error) {
    }

    private static Result decode(byte[] input, int step) {
        EmbeddedChannel channel = new EmbeddedChannel(new UwsgiPacketDecoder());
        List<String> packets = new ArrayList<>();
        String error = null;
        try {
            for (int i = 0; i < input.length && error == null; i += step) {
                try {
                    channel.writeInbound(Unpooled.wrappedBuffer(input, i, Math.min(step, input.length - i)));
                } catch (UwsgiProtocolException e) {
                    // broken framing (TooLongUwsgiPacketException included): the decoder's one way to fail
                    error = e.getClass().getSimpleName();
                }
                UwsgiPacket packet;
                while ((packet = channel.readInbound()) != null) {
                    try {
                        StringBuilder vars = new StringBuilder();
                        packet.forEachVar((block, keyIndex, keyLength, valueIndex, valueLength) -> {
                            vars.append(keyLength).append(':').append(valueLength).append(';');
                            return true;
                        });
                        packets.add(packet.modifier1() + "/" + packet.modifier2() + "/" + packet.datasize() + "/"
                                + ByteBufUtil.hexDump(packet.content()) + "/" + vars);
                    } finally {
                        packet.release();
                    }
                }
            }
        } finally {
            channel.finishAndReleaseAll();
        }
        return new Result(packets, error);
    }
}
