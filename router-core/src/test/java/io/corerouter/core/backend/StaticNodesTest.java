package io.corerouter.core.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Static nodes (spec §3.4 item 7) and the attempt policy (spec §3.6), on a manual clock. */
class StaticNodesTest {
    static final class ManualClock implements Clock {
        long nanos = 1_000;

        @Override
        public long nanoTime() {
            return nanos;
        }

        @Override
        public long epochSeconds() {
            return 1_700_000_000L + nanos / 1_000_000_000L;
        }
    }

    final ManualClock clock = new ManualClock();

    StaticNode node(String name) {
        return new StaticNode(name, InetSocketAddress.createUnresolved(name, 1), clock);
    }

    List<String> picks(StaticNodes nodes, int n) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            BackendNode picked = nodes.pick("k");
            names.add(picked == null ? null : picked.name());
        }
        return names;
    }

    @Test
    void roundRobinInConfigurationOrder() {
        StaticNodes nodes = new StaticNodes(List.of(node("a"), node("b"), node("c")), Duration.ofSeconds(30), clock);
        assertEquals(List.of("a", "b", "c", "a", "b", "c"), picks(nodes, 6));
    }

    @Test
    void deadNodeIsSkippedForTheGracetimeThenTriedAgain() {
        StaticNode a = node("a");
        StaticNode b = node("b");
        StaticNodes nodes = new StaticNodes(List.of(a, b), Duration.ofSeconds(30), clock);
        a.connectFailed();
        assertEquals(List.of("b", "b", "b"), picks(nodes, 3));
        assertEquals(1_700_000_000L, a.graceSince());
        clock.nanos += Duration.ofSeconds(29).toNanos();
        assertEquals("b", nodes.pick("k").name());
        clock.nanos += Duration.ofSeconds(2).toNanos();
        List<String> after = picks(nodes, 4);
        assertEquals(2, after.stream().filter("a"::equals).count(), after.toString());
        assertEquals(0, a.graceSince());
    }

    @Test
    void allDeadGivesNoNode() {
        StaticNode a = node("a");
        StaticNodes nodes = new StaticNodes(List.of(a), Duration.ofSeconds(30), clock);
        a.connectFailed();
        assertNull(nodes.pick("k"));
    }

    @Test
    void hitsCountSuccessfulConnects() {
        StaticNode a = node("a");
        a.connected();
        a.connected();
        a.connectFailed();
        assertEquals(2, a.hits());
        assertEquals(1, a.failures());
    }

    @Test
    void selectorRetriesTheMapperUpToThreeTimes() {
        StaticNode a = node("a");
        StaticNode b = node("b");
        NodeSelector selector = new NodeSelector(new StaticNodes(List.of(a, b), Duration.ofSeconds(30), clock),
                List.of(), 3);
        selector.reset();
        assertSame(a, selector.first("k"));
        assertSame(b, selector.retry("k", false));
        assertSame(a, selector.retry("k", false));
        assertSame(b, selector.retry("k", false));
        assertNull(selector.retry("k", false), "1 + 3 attempts at most");
        selector.reset();
        assertSame(a, selector.first("k"));
        assertSame(b, selector.retry("k", false));
    }

    @Test
    void withFallbacksRetriesWalkTheFallbackListAndNeverReturnToTheMapper() {
        StaticNode a = node("a");
        StaticNode f1 = node("f1");
        StaticNode f2 = node("f2");
        NodeSelector selector = new NodeSelector(new StaticNodes(List.of(a), Duration.ofSeconds(30), clock),
                List.of(f1, f2), 3);
        selector.reset();
        assertSame(a, selector.first("k"));
        assertSame(f1, selector.retry("k", false));
        assertSame(f2, selector.retry("k", false));
        assertNull(selector.retry("k", false));
    }
}
