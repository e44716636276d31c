package io.corerouter.bench;

import io.corerouter.core.backend.BackendNode;
import io.corerouter.core.backend.Clock;
import io.corerouter.subscription.SubscriptionOptions;
import io.corerouter.subscription.SubscriptionServer;
import io.corerouter.subscription.codec.SubscriptionPacket;
import io.corerouter.subscription.codec.SubscriptionPacketParser;
import io.corerouter.subscription.codec.SubscriptionPacketWriter;
import io.corerouter.subscription.table.SubscriptionTable;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.util.Optional;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The subscription server's two hot paths with 10,000 keys of 3 nodes each (spec §2):
 * <ul>
 *   <li>{@code applyRefresh}: decode a refresh datagram as uWSGI sends it (key, address, modifiers,
 *       cores, load, weight; about 100 bytes) and apply it to the table, what the subscription thread
 *       does for every announce (target: at least 500k packets/s on one core);</li>
 *   <li>{@code parseOnly}: the decoding alone;</li>
 *   <li>{@code lookupAndPick}: the request path, {@code pick(host)} with smooth WRR plus the
 *       {@code release} every session ends with (target: at most 100 ns);</li>
 *   <li>{@code lookupAndPickOneKey}: the same for one key over and over, the cost without cache
 *       misses.</li>
 * </ul>
 * Keys and nodes are visited in a fixed pseudo-random order so the table is not read from one hot
 * cache line.
 *
 * <p>Run: {@code java -jar bench/target/benchmarks.jar Subscription}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SubscriptionBenchmark {
    static final int KEYS = 10_000;
    static final int NODES = 3;
    static final int ORDER = 1 << 16;

    private SubscriptionTable table;
    private SubscriptionServer server;
    private ByteBuf[] datagrams;
    private String[] keys;
    private int[] order;
    private int next;
    private final InetSocketAddress sender = new InetSocketAddress("127.0.0.1", 40000);

    @Setup
    public void setUp() {
        // the subscription thread is this thread: structural work runs inline
        table = new SubscriptionTable("bench", SubscriptionOptions.DEFAULTS, Optional.empty(), Clock.SYSTEM,
                Runnable::run);
        server = new SubscriptionServer("bench", table, null, null, null);
        keys = new String[KEYS];
        datagrams = new ByteBuf[KEYS * NODES];
        for (int k = 0; k < KEYS; k++) {
            keys[k] = "app-" + k + ".example.com";
            for (int n = 0; n < NODES; n++) {
                SubscriptionPacket packet = SubscriptionPacket.of(false, keys[k], "10.0." + n + "." + (k % 250 + 1)
                        + ":3031").withWeight(n + 1);
                ByteBuf out = Unpooled.buffer(128);
                SubscriptionPacketWriter.write(out, packet);
                datagrams[k * NODES + n] = Unpooled.unreleasableBuffer(out);
                table.apply(packet);
            }
        }
        if (table.size() != KEYS) {
            throw new IllegalStateException("table has " + table.size() + " keys");
        }
        order = new int[ORDER];
        long x = 0x9E3779B97F4A7C15L;
        for (int i = 0; i < ORDER; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            order[i] = (int) Long.remainderUnsigned(x, KEYS * NODES);
        }
    }

    @Benchmark
    public SubscriptionTable.Outcome applyRefresh() {
        ByteBuf datagram = datagrams[order[next++ & (ORDER - 1)]];
        return server.receive(datagram, sender);
    }

    @Benchmark
    public SubscriptionPacket parseOnly() {
        return SubscriptionPacketParser.parse(datagrams[order[next++ & (ORDER - 1)]]);
    }

    @Benchmark
    public BackendNode lookupAndPickOneKey() {
        BackendNode node = table.pick(keys[4242]);
        node.release();
        return node;
    }

    @Benchmark
    public BackendNode lookupAndPick() {
        BackendNode node = table.pick(keys[order[next++ & (ORDER - 1)] / NODES]);
        node.release();
        return node;
    }
}
