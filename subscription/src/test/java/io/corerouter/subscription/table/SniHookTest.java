package io.corerouter.subscription.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.core.backend.BackendNode;
import io.corerouter.core.stats.JsonWriter;
import io.corerouter.subscription.SubscriptionOptions;
import io.corerouter.subscription.codec.SubscriptionPacket;
import io.corerouter.subscription.testing.ManualClock;
import io.corerouter.subscription.testing.QueueExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * The table's SNI hook (spec §5.4, §8.2 item 11): which packets enable a context, which events free it,
 * and what {@code sni_enabled} shows meanwhile.
 */
class SniHookTest {
    private final ManualClock clock = new ManualClock();
    private final QueueExecutor subscriptionThread = new QueueExecutor();
    private final RecordingSink sink = new RecordingSink();
    private final SubscriptionTable table = newTable();

    /** Records calls; builds complete when the test says so (or at once with {@code autoComplete}). */
    private static final class RecordingSink implements SniSink {
        final List<String> calls = new ArrayList<>();
        final List<CompletableFuture<Void>> builds = new ArrayList<>();
        boolean autoComplete = true;

        @Override
        public CompletionStage<Void> enable(String name, String crt, String key, String ca) {
            calls.add("enable " + name + " " + crt + " " + key + " " + ca);
            CompletableFuture<Void> build = new CompletableFuture<>();
            builds.add(build);
            if (autoComplete) {
                build.complete(null);
            }
            return build;
        }

        @Override
        public void disable(String name) {
            calls.add("disable " + name);
        }
    }

    private SubscriptionTable newTable() {
        SubscriptionOptions options = new SubscriptionOptions(SubscriptionOptions.Algo.WRR, Duration.ofSeconds(17),
                false, Optional.empty(), Duration.ofSeconds(86400));
        SubscriptionTable t = new SubscriptionTable("test", options, Optional.empty(), clock, subscriptionThread);
        t.sniSink(sink);
        return t;
    }

    private void apply(SubscriptionPacket packet) {
        table.apply(packet);
        subscriptionThread.drain(); // the build's outcome comes back on the subscription thread
    }

    private static SubscriptionPacket subscribe(String key, String address) {
        return SubscriptionPacket.of(false, key, address);
    }

    private static SubscriptionPacket withSni(String key, String address) {
        return subscribe(key, address).withSni("/k.pem", "/c.pem", null);
    }

    private boolean sniEnabled(String key) {
        return table.slot(key).orElseThrow().sniEnabled();
    }

    private String statsOf(String key) {
        JsonWriter json = new JsonWriter(true).beginObject();
        table.writeStats(json);
        String all = json.endObject().toString();
        int at = all.indexOf("\"key\":\"" + key + "\"");
        return all.substring(at, all.indexOf("\"nodes\"", at));
    }

    @Test
    void aNewKeyWithSniFilesEnablesItsContextOnce() {
        apply(withSni("app.test", "127.0.0.1:3031"));
        assertEquals(List.of("enable app.test /c.pem /k.pem null"), sink.calls);
        assertTrue(sniEnabled("app.test"));
        assertTrue(statsOf("app.test").contains("\"sni_enabled\":1"), statsOf("app.test"));

        // refreshes and further nodes with SNI files do not ask again, whatever files they name
        apply(withSni("app.test", "127.0.0.1:3031"));
        apply(withSni("app.test", "127.0.0.1:3032"));
        apply(subscribe("app.test", "127.0.0.1:3033").withSni("/other.key", "/other.crt", "!/ca.pem"));
        assertEquals(1, sink.calls.size(), sink.calls::toString);
    }

    @Test
    void anExistingKeyIsUpgradedByARefreshOrANewNode() {
        apply(subscribe("a.test", "127.0.0.1:3031"));
        apply(subscribe("b.test", "127.0.0.1:3031"));
        assertTrue(statsOf("a.test").contains("\"sni_enabled\":0"));
        assertTrue(sink.calls.isEmpty());

        apply(withSni("a.test", "127.0.0.1:3031")); // refresh of the same node
        apply(subscribe("b.test", "127.0.0.1:3032").withSni("/k.pem", "/c.pem", "!/ca.pem")); // a new node
        assertEquals(List.of("enable a.test /c.pem /k.pem null", "enable b.test /c.pem /k.pem !/ca.pem"), sink.calls);
        assertTrue(sniEnabled("a.test") && sniEnabled("b.test"));
    }

    @Test
    void aKeyFileAloneOrACertificateAloneEnablesNothing() {
        apply(subscribe("app.test", "127.0.0.1:3031").withSni("/k.pem", null, null));
        apply(subscribe("app.test", "127.0.0.1:3031").withSni(null, "/c.pem", "/ca.pem"));
        assertTrue(sink.calls.isEmpty());
        assertFalse(sniEnabled("app.test"));
    }

    @Test
    void theLastNodeLeavingFreesTheContextNotTheFirst() {
        apply(withSni("app.test", "127.0.0.1:3031"));
        apply(subscribe("app.test", "127.0.0.1:3032"));
        apply(SubscriptionPacket.of(true, "app.test", "127.0.0.1:3031"));
        assertEquals(1, sink.calls.size(), "another node still serves the key");
        assertTrue(sniEnabled("app.test"));

        apply(SubscriptionPacket.of(true, "app.test", "127.0.0.1:3032"));
        assertEquals(List.of("enable app.test /c.pem /k.pem null", "disable app.test"), sink.calls);
        assertEquals(0, table.size());
    }

    @Test
    void hostPortKeysUseTheHostNameBothWays() {
        // uWSGI enables "app.test" but looks up "app.test:443" when freeing, and leaks the context
        apply(withSni("app.test:443", "127.0.0.1:3031"));
        apply(SubscriptionPacket.of(true, "app.test:443", "127.0.0.1:3031"));
        assertEquals(List.of("enable app.test /c.pem /k.pem null", "disable app.test"), sink.calls);
    }

    @Test
    void deathAndTheToleranceSweepFreeTheContextToo() {
        apply(withSni("dead.test", "127.0.0.1:3031"));
        BackendNode node = table.pick("dead.test");
        node.connectFailed();
        node.release();
        subscriptionThread.drain();
        assertEquals(List.of("enable dead.test /c.pem /k.pem null", "disable dead.test"), sink.calls);

        sink.calls.clear();
        apply(withSni("silent.test:8443", "127.0.0.1:3031"));
        clock.advance(Duration.ofSeconds(18));
        table.sweep();
        assertEquals(List.of("enable silent.test /c.pem /k.pem null", "disable silent.test"), sink.calls);
        assertEquals(0, table.size());
    }

    @Test
    void sniEnabledWaitsForTheBuildAndAFailedBuildIsRetriedByTheNextPacket() {
        sink.autoComplete = false;
        apply(withSni("app.test", "127.0.0.1:3031"));
        assertFalse(sniEnabled("app.test"), "not served yet");
        apply(withSni("app.test", "127.0.0.1:3031"));
        assertEquals(1, sink.calls.size(), "one build at a time");

        sink.builds.get(0).completeExceptionally(new IllegalArgumentException("no such file"));
        subscriptionThread.drain();
        assertFalse(sniEnabled("app.test"));
        assertEquals(List.of("enable app.test /c.pem /k.pem null", "disable app.test"), sink.calls);

        apply(withSni("app.test", "127.0.0.1:3031")); // as uWSGI: the next packet tries again
        sink.builds.get(1).complete(null);
        subscriptionThread.drain();
        assertTrue(sniEnabled("app.test"));
        assertEquals(3, sink.calls.size());
    }

    @Test
    void aKeyFreedWhileItsContextIsBuildingDisablesItOnce() {
        sink.autoComplete = false;
        apply(withSni("app.test", "127.0.0.1:3031"));
        apply(SubscriptionPacket.of(true, "app.test", "127.0.0.1:3031"));
        sink.builds.get(0).complete(null);
        subscriptionThread.drain();
        assertEquals(List.of("enable app.test /c.pem /k.pem null", "disable app.test"), sink.calls);
        assertEquals(0, table.size());
    }

    @Test
    void withoutASinkSniFilesAreIgnored() {
        SubscriptionTable plain = new SubscriptionTable("test", SubscriptionOptions.DEFAULTS, Optional.empty(), clock,
                subscriptionThread);
        plain.apply(withSni("app.test", "127.0.0.1:3031"));
        subscriptionThread.drain();
        assertFalse(plain.slot("app.test").orElseThrow().sniEnabled());
    }
}
