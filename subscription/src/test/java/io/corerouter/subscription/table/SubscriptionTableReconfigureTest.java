package io.corerouter.subscription.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.core.backend.BackendNode;
import io.corerouter.core.config.NodeProtocol;
import io.corerouter.subscription.SubscriptionOptions;
import io.corerouter.subscription.SubscriptionOptions.Algo;
import io.corerouter.subscription.codec.SubscriptionPacket;
import io.corerouter.subscription.table.SubscriptionTable.Outcome;
import io.corerouter.subscription.testing.ManualClock;
import io.corerouter.subscription.testing.QueueExecutor;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * {@link SubscriptionTable#reconfigure} (SIGHUP): new options take effect on the subscription thread,
 * and the keys and nodes stay.
 */
class SubscriptionTableReconfigureTest {
    private final ManualClock clock = new ManualClock();
    private final QueueExecutor subscriptionThread = new QueueExecutor();

    private SubscriptionTable table(SubscriptionOptions options) {
        return new SubscriptionTable("test", options, Optional.empty(), clock, subscriptionThread);
    }

    private static SubscriptionOptions options(Algo algo, int tolerance, boolean dotsplit) {
        return new SubscriptionOptions(algo, Duration.ofSeconds(tolerance), dotsplit, Optional.empty(),
                Duration.ofSeconds(86400));
    }

    private void reconfigure(SubscriptionTable table, SubscriptionOptions options, String fallbackKey) {
        CompletableFuture<Void> done = table.reconfigure(options, Optional.ofNullable(fallbackKey), NodeProtocol.UWSGI);
        assertFalse(done.isDone(), "applied on the subscription thread, not on the caller's");
        subscriptionThread.drain();
        assertTrue(done.isDone());
    }

    private static Outcome subscribe(SubscriptionTable table, String key, String address) {
        return table.apply(SubscriptionPacket.of(false, key, address));
    }

    private static String picks(SubscriptionTable table, String key, int n) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < n; i++) {
            BackendNode node = table.pick(key);
            out.append(node == null ? "-" : node.name());
            if (node != null) {
                node.release();
            }
        }
        return out.toString();
    }

    @Test
    void aLoweredKeyLimitRefusesNewKeysAndKeepsTheOldOnes() {
        SubscriptionTable table = table(SubscriptionOptions.DEFAULTS);
        for (int k = 0; k < 4; k++) {
            assertEquals(Outcome.NEW_NODE, subscribe(table, "k" + k, "/n" + k));
        }
        reconfigure(table, SubscriptionOptions.DEFAULTS.withLimits(2, 1), null);
        assertEquals(4, table.size(), "nothing is evicted");
        assertEquals(Outcome.KEY_LIMIT, subscribe(table, "k9", "/n9"));
        assertEquals(Outcome.REFRESHED, subscribe(table, "k3", "/n3"), "a known node still refreshes");
        assertEquals(Outcome.NODE_LIMIT, subscribe(table, "k0", "/second"), "the node limit holds too");
        assertEquals("/n2", picks(table, "k2", 1));
        assertEquals(2, table.options().maxKeys());

        reconfigure(table, SubscriptionOptions.DEFAULTS, null);
        assertEquals(Outcome.NEW_NODE, subscribe(table, "k9", "/n9"));
    }

    @Test
    void anotherAlgorithmBalancesTheNodesAlreadySubscribed() {
        SubscriptionTable table = table(SubscriptionOptions.DEFAULTS);
        subscribe(table, "k", "A");
        subscribe(table, "k", "B");
        BackendNode held = table.pick("k"); // A stays busy: one request in flight
        assertEquals("A", held.name());
        assertEquals("BABA", picks(table, "k", 4), "wrr does not look at requests in flight");

        reconfigure(table, options(Algo.LRC, 17, false), null);
        assertEquals("BBBB", picks(table, "k", 4), "lrc avoids the busy node");
        held.release();
        reconfigure(table, SubscriptionOptions.DEFAULTS, null);
        assertEquals(2, picks(table, "k", 4).chars().filter(c -> c == 'A').count(), "wrr again, same cycle");
    }

    @Test
    void aShorterToleranceExpiresSilentNodes() {
        SubscriptionTable table = table(SubscriptionOptions.DEFAULTS);
        subscribe(table, "k", "A");
        clock.advance(Duration.ofSeconds(10));
        table.tick();
        assertEquals("A", picks(table, "k", 1));
        reconfigure(table, options(Algo.WRR, 5, false), null);
        assertEquals("-", picks(table, "k", 1), "silent for 10 s, past the new 5 s");
        assertEquals(Outcome.REFRESHED, subscribe(table, "k", "A"));
        assertEquals("A", picks(table, "k", 1), "an announce brings it back");
    }

    @Test
    void dotsplitAndTheFallbackKeyApplyToTheNextLookup() {
        SubscriptionTable table = table(SubscriptionOptions.DEFAULTS);
        subscribe(table, ".example.com", "D");
        subscribe(table, "default", "F");
        assertNull(table.pick("www.example.com"));
        reconfigure(table, options(Algo.WRR, 17, true), null);
        assertEquals("D", picks(table, "www.example.com", 1));
        reconfigure(table, SubscriptionOptions.DEFAULTS, "default");
        assertEquals("F", picks(table, "www.example.com", 1));
        assertNotNull(table.slot(".example.com").orElse(null));
    }

    @Test
    void theDefaultProtocolAppliesToNodesAddedAfterIt() {
        SubscriptionTable table = table(SubscriptionOptions.DEFAULTS);
        subscribe(table, "k", "127.0.0.1:3031");
        table.reconfigure(SubscriptionOptions.DEFAULTS, Optional.empty(), NodeProtocol.PUWSGI);
        subscriptionThread.drain();
        subscribe(table, "k", "127.0.0.1:3032");
        List<SubscriptionNode> nodes = table.slot("k").orElseThrow().nodes();
        assertEquals(NodeProtocol.UWSGI, nodes.get(0).protocol(), "a node in the table keeps its protocol");
        assertEquals(NodeProtocol.PUWSGI, nodes.get(1).protocol());
    }
}
