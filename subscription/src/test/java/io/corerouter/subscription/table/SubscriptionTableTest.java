package io.corerouter.subscription.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.core.backend.BackendNode;
import io.corerouter.subscription.SubscriptionOptions;
import io.corerouter.subscription.codec.SubscriptionPacket;
import io.corerouter.subscription.table.SubscriptionTable.Outcome;
import io.corerouter.subscription.testing.ManualClock;
import io.corerouter.subscription.testing.QueueExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SubscriptionTableTest {
    private final ManualClock clock = new ManualClock();
    private final QueueExecutor subscriptionThread = new QueueExecutor();
    private final List<Boolean> availability = new ArrayList<>();
    private final List<String> added = new ArrayList<>();

    private SubscriptionTable table(SubscriptionOptions.Algo algo, boolean dotsplit, String fallbackKey) {
        SubscriptionOptions options = new SubscriptionOptions(algo, Duration.ofSeconds(17), dotsplit, Optional.empty(),
                Duration.ofSeconds(86400));
        SubscriptionTable table = new SubscriptionTable("test", options, Optional.ofNullable(fallbackKey), clock,
                subscriptionThread);
        table.addListener(new SubscriptionTable.Listener() {
            @Override
            public void nodeAdded(SubscriptionNode node) {
                added.add(node.toString());
            }

            @Override
            public void availabilityChanged(boolean available) {
                availability.add(available);
            }
        });
        return table;
    }

    private SubscriptionTable wrr() {
        return table(SubscriptionOptions.Algo.WRR, false, null);
    }

    private static SubscriptionPacket subscribe(String key, String address, long weight) {
        return SubscriptionPacket.of(false, key, address).withWeight(weight);
    }

    private static SubscriptionPacket unsubscribe(String key, String address) {
        return SubscriptionPacket.of(true, key, address);
    }

    /** Picks {@code n} times, releasing each node at once, and returns the node names as letters. */
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

    private static SubscriptionNode node(SubscriptionTable table, String key, String address) {
        return table.slot(key).orElseThrow().find(address);
    }

    @Test
    void smoothWrrHonoursWeightsExactly() {
        // spec §8.2 item 7 lists uWSGI's orders: [2,1] BAABAA, [3,2] BABA (1:1), [1,3] BABBBA...
        // corerouter's smooth WRR keeps every ratio exact (deviations.md)
        SubscriptionTable table = wrr();
        table.apply(subscribe("two-one", "A", 2));
        table.apply(subscribe("two-one", "B", 1));
        assertEquals("ABAABAABA", picks(table, "two-one", 9));

        table.apply(subscribe("three-two", "A", 3));
        table.apply(subscribe("three-two", "B", 2));
        assertEquals("ABABAABABA", picks(table, "three-two", 10));

        table.apply(subscribe("one-three", "A", 1));
        table.apply(subscribe("one-three", "B", 3));
        assertEquals("BABBBABB", picks(table, "one-three", 8));
    }

    @Test
    void weightZeroCountsAsOne() {
        SubscriptionTable table = wrr();
        table.apply(subscribe("k", "A", 0));
        table.apply(subscribe("k", "B", 1));
        assertEquals("ABAB", picks(table, "k", 4));
        assertEquals(1, node(table, "k", "A").weight());
    }

    @Test
    void reweightingKeepsTheRatioOfTheNewWeights() {
        SubscriptionTable table = wrr();
        table.apply(subscribe("k", "A", 1));
        table.apply(subscribe("k", "B", 1));
        table.apply(subscribe("k", "B", 3));
        String picks = picks(table, "k", 40);
        assertEquals(10, picks.chars().filter(c -> c == 'A').count());
        assertEquals(30, picks.chars().filter(c -> c == 'B').count());
    }

    @Test
    void pickTakesAReferenceReleaseGivesItBack() {
        SubscriptionTable table = wrr();
        table.apply(subscribe("k", "A", 1));
        BackendNode first = table.pick("k");
        BackendNode second = table.pick("k");
        SubscriptionNode a = node(table, "k", "A");
        assertSame(a, first);
        assertEquals(2, a.references());
        first.release();
        second.release();
        assertEquals(0, a.references());
        assertEquals(2, table.slot("k").orElseThrow().hits());
    }

    @Test
    void keysAreExactBytesAndPortsAreNotStripped() {
        SubscriptionTable table = wrr();
        table.apply(subscribe("example.com", "A", 1));
        table.apply(subscribe("foo.org:8080", "B", 1));
        assertNull(table.pick("EXAMPLE.com"));
        assertNull(table.pick("foo.org"));
        assertEquals("B", picks(table, "foo.org:8080", 1));
        assertNull(table.pick("www.example.com"));
    }

    @Test
    void dotsplitTriesFiveKeysAtMost() {
        SubscriptionTable table = table(SubscriptionOptions.Algo.WRR, true, "fallback");
        table.apply(subscribe(".example.com", "A", 1));
        table.apply(subscribe("fallback", "F", 1));
        assertEquals("A", picks(table, "www.example.com", 1));
        assertEquals("A", picks(table, "a.b.c.d.example.com", 1)); // .example.com is the 5th try
        assertEquals("-", picks(table, "a.b.c.d.e.example.com", 1)); // would be the 6th
        assertEquals("-", picks(table, "example.com", 1)); // the bare domain is not .example.com
        assertEquals("A", picks(table, ".example.com", 1));
        // the fallback key belongs to the non-dotsplit mapper only (spec §2.8)
        assertEquals("-", picks(table, "other.org", 1));
    }

    @Test
    void fallbackKey() {
        SubscriptionTable table = table(SubscriptionOptions.Algo.WRR, false, "fallback");
        assertNull(table.pick("x"));
        table.apply(subscribe("fallback", "F", 1));
        table.apply(subscribe("x", "X", 1));
        assertEquals("X", picks(table, "x", 1));
        assertEquals("F", picks(table, "y", 1));
    }

    @Test
    void refreshKeepsTheFirstModifiersAndResetsLastRequests() {
        SubscriptionTable table = wrr();
        assertEquals(Outcome.NEW_NODE, table.apply(subscribe("k", "A", 1).withModifiers(5, 1)));
        BackendNode node = table.pick("k");
        node.connected();
        node.release();
        SubscriptionNode a = node(table, "k", "A");
        assertEquals(1, a.lastRequests());
        clock.advance(Duration.ofSeconds(3));
        assertEquals(Outcome.REFRESHED, table.apply(subscribe("k", "A", 2).withModifiers(7, 7)));
        assertEquals(5, a.modifier1());
        assertEquals(1, a.modifier2());
        assertEquals(2, a.weight());
        assertEquals(1, a.requests());
        assertEquals(0, a.lastRequests());
        assertEquals(clock.epochSeconds(), a.lastCheck());
        assertEquals(List.of("k => A"), added);
    }

    @Test
    void toleranceIsEnforcedOnLookup() {
        SubscriptionTable table = wrr();
        table.apply(subscribe("k", "A", 1));
        table.apply(subscribe("k", "B", 1));
        clock.advance(Duration.ofSeconds(10));
        table.apply(subscribe("k", "B", 1)); // B refreshed, A not
        clock.advance(Duration.ofSeconds(8)); // A is 18 s old, B 8 s
        table.tick(); // what the next packet or the once-a-second sweep does
        assertEquals("BBB", picks(table, "k", 3));
        SubscriptionNode a = node(table, "k", "A");
        assertTrue(a.isDead());
        assertEquals(1, a.failures());
        subscriptionThread.drain();
        assertNull(node(table, "k", "A"));
        clock.advance(Duration.ofSeconds(18));
        table.tick();
        assertNull(table.pick("k"));
        subscriptionThread.drain();
        assertEquals(0, table.size());
        assertEquals(List.of(true, false), availability);
    }

    @Test
    void theSweepRemovesStaleNodesWithoutLookups() {
        SubscriptionTable table = wrr();
        table.apply(subscribe("k", "A", 1));
        clock.advance(Duration.ofSeconds(17));
        table.sweep();
        assertEquals(1, table.size(), "17 s is within the tolerance");
        clock.advance(Duration.ofSeconds(1));
        table.sweep();
        assertEquals(0, table.size());
        assertEquals(0, table.slots().size());
    }

    @Test
    void unsubscribeWithReferencesKeepsTheDeadNodeUntilReleased() {
        SubscriptionTable table = wrr();
        table.apply(subscribe("k", "A", 1));
        table.apply(subscribe("k", "B", 1));
        BackendNode held = table.pick("k");
        assertEquals("A", held.name());
        assertEquals(Outcome.UNSUBSCRIBED, table.apply(unsubscribe("k", "A")));
        subscriptionThread.drain();
        SubscriptionNode a = node(table, "k", "A");
        assertNotNull(a, "a session still holds A");
        assertTrue(a.isDead());
        assertEquals(1, a.failures());
        assertEquals("BBBB", picks(table, "k", 4));
        held.release();
        subscriptionThread.drain();
        assertNull(node(table, "k", "A"));
        assertEquals(Outcome.UNKNOWN_NODE, table.apply(unsubscribe("k", "A")));
    }

    @Test
    void unsubscribeWithoutReferencesRemovesAtOnceAndTheLastNodeTakesItsKey() {
        SubscriptionTable table = wrr();
        table.apply(subscribe("k", "A", 1));
        table.apply(unsubscribe("k", "A"));
        assertEquals(0, table.size());
        assertFalse(table.isAvailable());
        assertEquals(List.of(true, false), availability);
    }

    @Test
    void aFailedConnectMarksTheNodeDeadAtOnceAndARefreshResurrectsIt() {
        SubscriptionTable table = wrr();
        table.apply(subscribe("k", "A", 1));
        table.apply(subscribe("k", "B", 1));
        BackendNode a = table.pick("k");
        assertEquals("A", a.name());
        a.connectFailed();
        BackendNode retry = table.pick("k");
        assertEquals("B", retry.name(), "the retry goes to the next node");
        retry.release();
        assertEquals("BB", picks(table, "k", 2));
        // still referenced: a refresh before the release resurrects it
        assertEquals(Outcome.REFRESHED, table.apply(subscribe("k", "A", 1)));
        a.release();
        subscriptionThread.drain();
        SubscriptionNode node = node(table, "k", "A");
        assertFalse(node.isDead());
        assertEquals(1, node.failures());
        assertEquals(2, picks(table, "k", 4).chars().filter(c -> c == 'A').count());
    }

    @Test
    void aDeadNodeWithoutReferencesIsRemovedAndComesBackAsNew() {
        SubscriptionTable table = wrr();
        table.apply(subscribe("k", "A", 1));
        BackendNode a = table.pick("k");
        a.connectFailed();
        a.release();
        subscriptionThread.drain();
        assertEquals(0, table.size());
        assertEquals(Outcome.NEW_NODE, table.apply(subscribe("k", "A", 1)));
        assertEquals(List.of("k => A", "k => A"), added);
        assertEquals(List.of(true, false, true), availability);
    }

    @Test
    void lrcPicksTheNodeWithFewestSessions() {
        SubscriptionTable table = table(SubscriptionOptions.Algo.LRC, false, null);
        table.apply(subscribe("k", "A", 1));
        table.apply(subscribe("k", "B", 1));
        table.apply(subscribe("k", "C", 1));
        BackendNode first = table.pick("k");
        BackendNode second = table.pick("k");
        BackendNode third = table.pick("k");
        assertEquals("ABC", first.name() + second.name() + third.name());
        second.release();
        assertEquals("B", table.pick("k").name());
    }

    @Test
    void wlrcWeighsSessionsByWeight() {
        SubscriptionTable table = table(SubscriptionOptions.Algo.WLRC, false, null);
        table.apply(subscribe("k", "A", 1));
        table.apply(subscribe("k", "B", 3));
        StringBuilder held = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            held.append(table.pick("k").name()); // none released
        }
        assertEquals(2, held.chars().filter(c -> c == 'A').count());
        assertEquals(6, held.chars().filter(c -> c == 'B').count());
    }

    @Test
    void uwsgiHashes() {
        // spec §2.3, and the stats of uWSGI 2.0.21 for the same keys
        assertEquals(30778, Djb33x.bucket("example.com"));
        assertEquals(5381, Djb33x.bucket(""));
        assertEquals(63908, Djb33x.bucket("a\"b\\c.test"));
    }

    @Test
    void hostNameAddressesAreRefused() {
        SubscriptionTable table = wrr();
        assertEquals(Outcome.BAD_ADDRESS, table.apply(subscribe("k", "localhost:3031", 1)));
        assertEquals(Outcome.NEW_NODE, table.apply(subscribe("k", ":3031", 1)));
        assertEquals(Outcome.NEW_NODE, table.apply(subscribe("k", "[::1]:3031", 1)));
        assertEquals(Outcome.NEW_NODE, table.apply(subscribe("k", "/run/app.sock", 1)));
        assertEquals(Outcome.NEW_NODE, table.apply(subscribe("k", "@app", 1)));
        assertEquals(4, table.slot("k").orElseThrow().nodes().size());
    }
}
