package io.corerouter.bench;

import io.corerouter.core.codec.uwsgi.UwsgiPacket;
import io.corerouter.core.codec.uwsgi.UwsgiPacketDecoder;
import io.corerouter.core.codec.uwsgi.UwsgiPacketEncoder;
import io.corerouter.core.codec.uwsgi.UwsgiVars;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The uwsgi codec on a realistic request: the 15 vars the HTTP router generates for a browser-like
 * GET (spec §4.2 order), about 380 bytes. Measures building the packet with {@link UwsgiVars} into a
 * pooled buffer, re-encoding a decoded packet, decoding it whole and in 3 fragments through an
 * {@link EmbeddedChannel} (so {@code ByteToMessageDecoder}'s cumulation is part of the cost, as on a
 * socket), and the {@code HTTP_HOST} lookup the fastrouter does per request.
 *
 * <p>Run: {@code java -jar bench/target/benchmarks.jar UwsgiCodec}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class UwsgiCodecBenchmark {
    private static final String[][] VARS = {
        {"REQUEST_METHOD", "GET"},
        {"REQUEST_URI", "/static/app/main.css?v=20240611"},
        {"PATH_INFO", "/static/app/main.css"},
        {"QUERY_STRING", "v=20240611"},
        {"SERVER_PROTOCOL", "HTTP/1.1"},
        {"SCRIPT_NAME", ""},
        {"SERVER_NAME", "web-01"},
        {"SERVER_PORT", "8080"},
        {"UWSGI_ROUTER", "http"},
        {"REMOTE_ADDR", "203.0.113.42"},
        {"REMOTE_PORT", "51234"},
        {"HTTP_HOST", "www.example.com"},
        {"HTTP_USER_AGENT", "Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0"},
        {"HTTP_ACCEPT", "text/css,*/*;q=0.1"},
        {"HTTP_ACCEPT_ENCODING", "gzip, deflate, br, zstd"},
    };

    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private byte[] frame;
    private int[] fragments;
    private EmbeddedChannel channel;
    private UwsgiPacket packet;

    @Setup
    public void setUp() {
        ByteBuf built = buildPacket(alloc);
        frame = ByteBufUtil.getBytes(built);
        built.release();
        int third = frame.length / 3;
        fragments = new int[] {third, third, frame.length - 2 * third};

        channel = new EmbeddedChannel(new UwsgiPacketDecoder());
        channel.config().setAllocator(alloc);
        channel.writeInbound(alloc.directBuffer(frame.length).writeBytes(frame));
        packet = channel.readInbound();
        if (packet == null || !"www.example.com".equals(packet.get("HTTP_HOST"))) {
            throw new IllegalStateException("benchmark packet does not decode: " + packet);
        }
    }

    @TearDown
    public void tearDown() {
        packet.release();
        channel.finishAndReleaseAll();
    }

    private static ByteBuf buildPacket(ByteBufAllocator alloc) {
        ByteBuf out = alloc.directBuffer(512);
        int header = UwsgiVars.beginPacket(out);
        for (String[] var : VARS) {
            UwsgiVars.add(out, var[0], var[1]);
        }
        UwsgiVars.finishPacket(out, header, 0, 0);
        return out;
    }

    /** Builds the 15-var request packet in place, as the HTTP router does per request. */
    @Benchmark
    public int encodeVars() {
        ByteBuf out = buildPacket(alloc);
        int size = out.readableBytes();
        out.release();
        return size;
    }

    /** Writes a decoded packet back out (header + vars copy), as the fastrouter does per request. */
    @Benchmark
    public int encodePacket() {
        ByteBuf out = alloc.directBuffer(UwsgiVars.HEADER_LENGTH + packet.datasize());
        UwsgiPacketEncoder.write(packet, out);
        int size = out.readableBytes();
        out.release();
        return size;
    }

    /** Decodes the packet arriving in one read (validation included). */
    @Benchmark
    public int decodeWhole() {
        channel.writeInbound(alloc.directBuffer(frame.length).writeBytes(frame));
        return takePacket();
    }

    /** Decodes the packet arriving in three reads, so the decoder cumulates and waits twice. */
    @Benchmark
    public int decodeFragmented() {
        int offset = 0;
        for (int size : fragments) {
            channel.writeInbound(alloc.directBuffer(size).writeBytes(frame, offset, size));
            offset += size;
        }
        return takePacket();
    }

    private int takePacket() {
        UwsgiPacket decoded = channel.readInbound();
        int size = decoded.datasize();
        decoded.release();
        return size;
    }

    /** The fastrouter's key lookup: walks all 15 vars (last wins), allocates only the String. */
    @Benchmark
    public String getHttpHost() {
        return packet.get("HTTP_HOST");
    }
}
