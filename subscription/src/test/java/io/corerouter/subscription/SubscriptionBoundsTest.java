package io.corerouter.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.corerouter.subscription.SubscriptionOptions.Cidr;
import io.corerouter.core.stats.JsonWriter;
import io.corerouter.subscription.codec.SubscriptionPacket;
import io.corerouter.subscription.table.SubscriptionCounters;
import io.corerouter.subscription.table.SubscriptionCounters.Drop;
import io.corerouter.subscription.table.SubscriptionTable;
import io.corerouter.subscription.table.SubscriptionTable.Outcome;
import io.corerouter.subscription.testing.Datagrams;
import io.corerouter.subscription.testing.ManualClock;
import io.corerouter.subscription.testing.QueueExecutor;
import io.netty.buffer.Unpooled;
import io.netty.channel.unix.DomainSocketAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The subscription server under hostile traffic (issue 15): the key and node bounds, the source allow
 * list, the drop counters and the rate-limited table log, through {@link SubscriptionServer#receive}
 * with a manual clock.
 */
class SubscriptionBoundsTest {
    private static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 40000);
    private static final Logger TABLE_LOG = Logger.getLogger(SubscriptionTable.class.getName());

    private final ManualClock clock = new ManualClock();
    private final QueueExecutor subscriptionThread = new QueueExecutor();
    private final List<String> lines = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            lines.add(record.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private SubscriptionTable table;
    private SubscriptionServer server;

    private void start(SubscriptionOptions options) {
        table = new SubscriptionTable("test", options, Optional.empty(), clock, subscriptionThread);
        server = new SubscriptionServer("test", table, options, null, null, null);
        TABLE_LOG.addHandler(capture);
    }

    @AfterEach
    void removeCapture() {
        TABLE_LOG.removeHandler(capture);
    }

    private Outcome send(SubscriptionPacket packet, SocketAddress from) {
        return server.receive(Unpooled.wrappedBuffer(Datagrams.of(packet)), from);
    }

    private Outcome subscribe(String key, String address) {
        return send(SubscriptionPacket.of(false, key, address), LOCAL);
    }

    private Outcome unsubscribe(String key, String address) {
        return send(SubscriptionPacket.of(true, key, address), LOCAL);
    }

    private static SubscriptionOptions limits(int keys, int nodes) {
        return SubscriptionOptions.DEFAULTS.withLimits(keys, nodes);
    }

    @Test
    void pastTheKeyLimitNewKeysAreDroppedWhileKnownNodesStillRefreshAndLeave() {
        start(limits(3, 256));
        for (int k = 0; k < 5; k++) {
            Outcome expected = k < 3 ? Outcome.NEW_NODE : Outcome.KEY_LIMIT;
            assertEquals(expected, subscribe("k" + k + ".test", "127.0.0.1:300" + k));
        }
        assertEquals(3, table.size());
        SubscriptionCounters counters = table.counters();
        assertEquals(5, counters.receivedCount());
        assertEquals(2, counters.droppedCount(Drop.KEY_LIMIT));
        assertEquals(3, counters.newKeys());

        // a known node refreshes, and a second node of a known key is not a new key
        assertEquals(Outcome.REFRESHED, subscribe("k0.test", "127.0.0.1:3000"));
        assertEquals(Outcome.NEW_NODE, subscribe("k0.test", "127.0.0.1:4000"));
        // an unsubscribe still works, and frees the key's place once its last node is gone
        assertEquals(Outcome.UNSUBSCRIBED, unsubscribe("k1.test", "127.0.0.1:3001"));
        subscriptionThread.drain();
        assertEquals(2, table.size());
        assertEquals(Outcome.NEW_NODE, subscribe("k4.test", "127.0.0.1:3004"));
        assertEquals(Outcome.KEY_LIMIT, subscribe("k5.test", "127.0.0.1:3005"));
        assertEquals(3, counters.droppedCount(Drop.KEY_LIMIT));
        assertEquals(3, counters.droppedTotal());
    }

    @Test
    void aReloadedAllowListHoldsFromTheNextDatagram() {
        start(SubscriptionOptions.DEFAULTS);
        InetSocketAddress outside = new InetSocketAddress("192.0.2.7", 40000);
        assertEquals(Outcome.NEW_NODE, send(SubscriptionPacket.of(false, "a.test", "/a.sock"), outside));
        server.options(SubscriptionOptions.DEFAULTS.withAllow(List.of(Cidr.parse("127.0.0.0/8"))));
        assertNull(send(SubscriptionPacket.of(false, "a.test", "/a.sock"), outside));
        assertEquals(1, table.counters().droppedCount(Drop.SOURCE));
        assertEquals(Outcome.REFRESHED, subscribe("a.test", "/a.sock"), "a listed source is read");
    }

    @Test
    void pastTheNodeLimitNewNodesAreDropped() {
        start(limits(10, 2));
        assertEquals(Outcome.NEW_NODE, subscribe("a.test", "/a.sock"));
        assertEquals(Outcome.NEW_NODE, subscribe("a.test", "/b.sock"));
        assertEquals(Outcome.NODE_LIMIT, subscribe("a.test", "/c.sock"));
        assertEquals(Outcome.REFRESHED, subscribe("a.test", "/b.sock"));
        assertEquals(Outcome.NEW_NODE, subscribe("b.test", "/c.sock"), "the limit is per key");
        assertEquals(2, table.slot("a.test").orElseThrow().nodes().size());
        assertEquals(1, table.counters().droppedCount(Drop.NODE_LIMIT));
        assertEquals(1, server.count(Outcome.NODE_LIMIT));
    }

    @Test
    void aFloodThatStopsLeavesNothingBehindAfterTheTolerance() {
        start(limits(100, 256));
        for (int k = 0; k < 1000; k++) {
            subscribe("flood-" + k + ".test", "127.0.0.1:" + (10000 + k));
        }
        assertEquals(100, table.size());
        assertEquals(900, table.counters().droppedCount(Drop.KEY_LIMIT));
        clock.advance(Duration.ofSeconds(18));
        table.sweep();
        subscriptionThread.drain();
        assertEquals(0, table.size());
        assertEquals(Outcome.NEW_NODE, subscribe("real.test", "127.0.0.1:3031"));
    }

    @Test
    void tableEventsAreRateLimitedWithOneSummaryLinePerInterval() {
        start(limits(2000, 256));
        for (int k = 0; k < 1000; k++) {
            subscribe("flood-" + k + ".test", "127.0.0.1:" + (10000 + k));
        }
        // 2000 events (a new key and its node each) in the same second: 5 lines
        assertEquals(5, lines.size(), lines.toString());
        clock.advance(Duration.ofSeconds(5));
        table.sweep();
        assertEquals(6, lines.size(), lines.toString());
        assertEquals("test: subscription events not logged in the last 5 s: new_keys=997 new_nodes=998 "
                + "failed_nodes=0", lines.get(5));
        // the flood stops: its nodes expire, 5 lines a second and a summary again
        clock.advance(Duration.ofSeconds(13));
        table.sweep();
        assertEquals(11, lines.size());
        clock.advance(Duration.ofSeconds(5));
        table.sweep();
        assertEquals(12, lines.size());
        assertEquals("test: subscription events not logged in the last 5 s: new_keys=0 new_nodes=0 "
                + "failed_nodes=995", lines.get(11));
        // quiet again: nothing more to say
        clock.advance(Duration.ofSeconds(5));
        table.sweep();
        assertEquals(12, lines.size());
    }

    @Test
    void onlyAllowedSourcesAreReadBeforeParsing() {
        start(SubscriptionOptions.DEFAULTS.withAllow(List.of(Cidr.parse("127.0.0.1"), Cidr.parse("fd00::/8"))));
        InetSocketAddress other = new InetSocketAddress("127.0.0.2", 40000);
        assertNull(send(SubscriptionPacket.of(false, "a.test", "/a.sock"), other));
        assertNull(server.receive(Unpooled.wrappedBuffer(new byte[] {1, 2}), other),
                "a bad datagram from elsewhere counts as a source drop: it is never parsed");
        assertEquals(0, table.size());
        assertEquals(Outcome.NEW_NODE, send(SubscriptionPacket.of(false, "a.test", "/a.sock"), LOCAL));
        assertEquals(Outcome.NEW_NODE, send(SubscriptionPacket.of(false, "b.test", "/b.sock"),
                new InetSocketAddress("fd12:3456::1", 40000)));
        assertNull(send(SubscriptionPacket.of(false, "c.test", "/c.sock"), new InetSocketAddress("fe80::1", 40000)));
        assertNull(send(SubscriptionPacket.of(false, "c.test", "/c.sock"), new InetSocketAddress("::1", 40000)));
        // UNIX datagram sockets: file permissions decide, every sender is read
        assertEquals(Outcome.NEW_NODE, send(SubscriptionPacket.of(false, "d.test", "/d.sock"),
                new DomainSocketAddress("/run/client.sock")));
        assertEquals(3, table.size());
        SubscriptionCounters counters = table.counters();
        assertEquals(4, counters.droppedCount(Drop.SOURCE));
        assertEquals(0, counters.droppedCount(Drop.MALFORMED));
        assertEquals(7, counters.receivedCount());
    }

    @Test
    void cidrMatching() {
        Cidr ten = Cidr.parse("10.1.2.3/8");
        assertTrue(ten.matches(new byte[] {10, 9, 9, 9}));
        assertTrue(!ten.matches(new byte[] {11, 0, 0, 0}));
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = 10;
        assertTrue(ten.matches(mapped), "an IPv4-mapped IPv6 source matches its IPv4 network");
        assertTrue(!Cidr.parse("::/0").matches(new byte[] {10, 0, 0, 1}), "IPv6 networks do not match IPv4");
        assertTrue(Cidr.parse("0.0.0.0/0").matches(new byte[] {1, 2, 3, 4}));
        Cidr odd = Cidr.parse("192.168.0.0/23");
        assertTrue(odd.matches(new byte[] {(byte) 192, (byte) 168, 1, (byte) 255}));
        assertTrue(!odd.matches(new byte[] {(byte) 192, (byte) 168, 2, 0}));
        assertTrue(Cidr.parse("[2001:db8::]/32").matches(Cidr.parse("2001:db8:ffff::1").network()));
        assertEquals(Cidr.parse("10.0.0.0/8"), ten, "bits past the prefix are ignored");
    }

    @Test
    void everyDropReasonIsInTheStatsDocument() throws Exception {
        start(limits(1, 1));
        subscribe("a.test", "/a.sock");
        subscribe("b.test", "/b.sock");
        subscribe("a.test", "/c.sock");
        subscribe("a.test", "host.example:1");
        server.receive(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}), LOCAL);
        unsubscribe("a.test", "/x.sock");
        subscribe("a.test", "/a.sock");
        JsonWriter json = new JsonWriter(true);
        json.beginObject();
        table.writeStats(json);
        json.endObject();
        JsonNode doc = new ObjectMapper().readTree(json.toString());
        JsonNode counters = doc.get("subscription_counters");
        assertEquals(7, counters.get("received").asLong(), doc.toString());
        assertEquals(1, counters.get("new_keys").asLong());
        assertEquals(1, counters.get("new_nodes").asLong());
        assertEquals(1, counters.get("refreshed").asLong());
        assertEquals(1, counters.get("unknown_node").asLong());
        assertEquals(4, counters.get("dropped").asLong());
        JsonNode drops = counters.get("drops");
        List<String> names = new ArrayList<>();
        drops.fieldNames().forEachRemaining(names::add);
        assertEquals(List.of("source", "malformed", "key_limit", "node_limit", "bad_address", "unsigned",
                "bad_signature", "no_public_key", "stale", "replayed"), names);
        assertEquals(1, drops.get("key_limit").asLong());
        assertEquals(2, drops.get("node_limit").asLong(), "a new node past the limit, whatever its address");
        assertEquals(1, drops.get("malformed").asLong());
        assertEquals(0, drops.get("bad_address").asLong(), "the node limit is checked first");
    }
}
