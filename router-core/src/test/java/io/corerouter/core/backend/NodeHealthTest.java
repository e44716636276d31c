package io.corerouter.core.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.core.backend.NodeHealth.State;
import io.corerouter.core.config.NodeProtocol;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Node health states, on a manual clock: checks (rise/fall), passive failures, and what the selectors skip. */
class NodeHealthTest {
    final StaticNodesTest.ManualClock clock = new StaticNodesTest.ManualClock();

    StaticNode node(String name, int errorLimit) {
        return new StaticNode(name, InetSocketAddress.createUnresolved(name, 1), NodeProtocol.UWSGI,
                new NodeHealth("test", name, errorLimit, clock));
    }

    static void check(NodeHealth health, boolean passed) {
        assertTrue(health.beginCheck());
        health.checkDone(passed, passed ? "status 200" : "status 500", 2, 3);
    }

    @Test
    void fallFailedChecksTakeTheNodeDownAndRisePassedOnesBringItBack() {
        StaticNode a = node("a", 0);
        StaticNode b = node("b", 0);
        StaticNodes nodes = new StaticNodes(List.of(a, b), Duration.ofSeconds(30), clock);
        NodeHealth health = a.health();
        check(health, false);
        check(health, false);
        assertEquals(State.UP, health.state(), "2 of 3 failures");
        check(health, true); // a pass in between starts the count again
        check(health, false);
        check(health, false);
        assertEquals(State.UP, health.state());
        check(health, false);
        assertEquals(State.DOWN, health.state());
        assertEquals(1, health.downs());
        assertEquals(6 - 1, health.checkFailures());
        assertEquals("failed: status 500", health.lastCheck());
        for (int i = 0; i < 4; i++) {
            assertSame(b, nodes.pick("k"));
        }
        clock.nanos += Duration.ofHours(1).toNanos(); // the gracetime does not bring a down node back
        assertSame(b, nodes.pick("k"));
        assertSame(b, nodes.pick("k"));
        check(health, true);
        assertEquals(State.DOWN, health.state(), "1 of 2 passes");
        check(health, true);
        assertEquals(State.UP, health.state());
        assertEquals(2, List.of(nodes.pick("k"), nodes.pick("k")).stream().distinct().count());
    }

    @Test
    void aCheckRunsOnceAtATime() {
        NodeHealth health = node("a", 0).health();
        assertTrue(health.beginCheck());
        assertEquals(false, health.beginCheck());
        health.checkDone(true, "connected", 2, 3);
        assertTrue(health.beginCheck());
    }

    @Test
    void allNodesDownGivesNoNode() {
        StaticNode a = node("a", 0);
        StaticNodes nodes = new StaticNodes(List.of(a), Duration.ofSeconds(30), clock);
        for (int i = 0; i < 3; i++) {
            check(a.health(), false);
        }
        assertNull(nodes.pick("k"));
    }

    @Test
    void aDownFallbackIsSkippedAFailedOneIsTriedAsInUwsgi() {
        StaticNode a = node("a", 0);
        StaticNode f1 = node("f1", 0);
        StaticNode f2 = node("f2", 0);
        StaticNode f3 = node("f3", 0);
        for (int i = 0; i < 3; i++) {
            check(f1.health(), false);
        }
        f2.connectFailed();
        NodeSelector selector = new NodeSelector(new StaticNodes(List.of(a), Duration.ofSeconds(30), clock),
                List.of(f1, f2, f3), 3);
        selector.reset();
        assertSame(a, selector.first("k"));
        assertSame(f2, selector.retry("k", false));
        assertSame(f3, selector.retry("k", false));
        assertNull(selector.retry("k", false));
    }

    @Test
    void errorLimitFailedRequestsInARowMarkTheNodeFailedForTheGracetime() {
        StaticNode a = node("a", 3);
        StaticNode b = node("b", 3);
        StaticNodes nodes = new StaticNodes(List.of(a, b), Duration.ofSeconds(30), clock);
        a.requestFailed("reset");
        a.requestFailed("reset");
        a.requestSucceeded(); // an answer starts the count again
        a.requestFailed("reset");
        a.requestFailed("reset");
        assertEquals(State.UP, a.health().state());
        assertEquals(2, a.health().requestFailsInRow());
        a.requestFailed("closed before a complete response head");
        assertEquals(State.FAILED, a.health().state());
        assertEquals(0, a.health().requestFailsInRow());
        assertTrue(a.graceSince() > 0);
        assertEquals(List.of(b, b, b), List.of(nodes.pick("k"), nodes.pick("k"), nodes.pick("k")));
        clock.nanos += Duration.ofSeconds(31).toNanos();
        assertEquals(2, List.of(nodes.pick("k"), nodes.pick("k")).stream().distinct().count());
        assertEquals(State.UP, a.health().state());
    }

    @Test
    void withoutAnErrorLimitRequestsNeverMarkANode() {
        StaticNode a = node("a", 0);
        for (int i = 0; i < 100; i++) {
            a.requestFailed("reset");
        }
        assertEquals(State.UP, a.health().state());
        assertEquals(0, a.health().requestFailsInRow());
    }

    @Test
    void downWinsOverFailed() {
        StaticNode a = node("a", 0);
        a.connectFailed();
        assertEquals(State.FAILED, a.health().state());
        for (int i = 0; i < 3; i++) {
            check(a.health(), false);
        }
        assertEquals(State.DOWN, a.health().state());
    }
}
