package io.corerouter.subscription.table;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.corerouter.core.config.SubscriptionOptions;
import io.corerouter.subscription.codec.SubscriptionPacket;
import io.corerouter.subscription.codec.SubscriptionPacketParser;
import io.corerouter.subscription.codec.SubscriptionPacketWriter;
import io.corerouter.subscription.testing.ManualClock;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The heap one key with one node holds (issue 15: at most about 1 KB), measured as the heap delta of
 * a table of {@value #KEYS} keys built from parsed datagrams, the way the server builds it. A printed
 * figure for docs/subscriptions.md, not a precise assertion: only a gross regression fails.
 */
class SubscriptionTableFootprintTest {
    static final int KEYS = 10_000;

    @Test
    void heapPerKeyWithOneNode() {
        ManualClock clock = new ManualClock();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        SubscriptionTable table = new SubscriptionTable("test", SubscriptionOptions.DEFAULTS.withLimits(KEYS + 1, 1), Optional.empty(),
                clock, Runnable::run);
        // warm up the classes and the map's first tables outside the measurement
        table.apply(packet(-1));
        long before = settledHeap(memory);
        for (int k = 0; k < KEYS; k++) {
            table.apply(packet(k));
        }
        long after = settledHeap(memory);
        assertEquals(KEYS + 1, table.size());
        long perKey = (after - before) / KEYS;
        System.out.println("subscription table: " + perKey + " bytes of heap per key with one node (" + KEYS
                + " keys, " + (after - before) + " bytes)");
    }

    /** A datagram as uWSGI's --subscribe2 sends it, parsed: the strings the table keeps come from here. */
    private static SubscriptionPacket packet(int k) {
        SubscriptionPacket packet = SubscriptionPacket.of(false, "app-" + k + ".example.com",
                "10.0." + ((k >> 8) & 0xff) + "." + (k & 0xff) + ":3031").withWeight(1);
        ByteBuf datagram = Unpooled.buffer(256);
        try {
            SubscriptionPacketWriter.write(datagram, packet);
            return SubscriptionPacketParser.parse(datagram);
        } finally {
            datagram.release();
        }
    }

    private static long settledHeap(MemoryMXBean memory) {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
