package io.corerouter.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.corerouter.core.config.ConfigException;
import io.corerouter.core.config.RouterConfig;
import io.corerouter.core.testing.RawHttpClient;
import io.corerouter.core.testing.UwsgiProcess;
import io.corerouter.subscription.SubscriptionOptions;
import io.corerouter.subscription.table.SubscriptionCounters;
import io.corerouter.subscription.table.SubscriptionNode;
import io.corerouter.subscription.table.SubscriptionSlot;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Corerouter#reload} of subscription options (issue 13), in process, with real uWSGI nodes
 * subscribing: a subscription server added by a reload is bound and its nodes become routable while
 * the nodes of the first one keep serving without a failed request; a lowered
 * {@code --subscription-max-keys} refuses new keys and keeps the old ones; another
 * {@code --subscription-algo} balances the nodes already subscribed; a server that cannot be bound
 * changes nothing; the first subscription server of a router needs a restart.
 */
class SubscriptionReloadTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final Running running = new Running();

    @AfterEach
    void stop() {
        running.close();
    }

    private static String[] args(String... more) {
        List<String> all = new ArrayList<>(List.of("--http", "127.0.0.1:0", "--http-processes", "2"));
        all.addAll(List.of(more));
        return all.toArray(new String[0]);
    }

    private static String server(Corerouter router, int index) {
        InetSocketAddress udp = (InetSocketAddress) router.httpSubscriptions().channels().get(index).localAddress();
        return "127.0.0.1:" + udp.getPort();
    }

    private static List<String> nodes(Corerouter router, String key) {
        return router.httpSubscriptions().table().slot(key).map(SubscriptionSlot::nodes).orElse(List.of()).stream()
                .map(SubscriptionNode::name).toList();
    }

    private UwsgiProcess subscribed(String name, String server, String key) throws Exception {
        return running.node(dir, name, "--subscribe2", "server=" + server + ",key=" + key);
    }

    private static SocketAddress http(Corerouter router) {
        return router.http().listeners().get(0).localAddress();
    }

    /** The echo node's name, or "status N". */
    private static String servedBy(SocketAddress router, String host) throws IOException {
        RawHttpClient.Response response = RawHttpClient.exchange(router,
                "GET /x HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
        if (response.status() != 200) {
            return "status " + response.status();
        }
        return JSON.readTree(response.body()).get("node").asText();
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    void anAddedServerIsBoundItsNodesServeAndTheFirstNodeKeepsServing() throws Exception {
        Corerouter router = running.router(args("--http-subscription-server", "127.0.0.1:0"));
        subscribed("a", server(router, 0), "app.test");
        Running.await("node a", () -> nodes(router, "app.test").size() == 1);
        int second = freeUdpPort();
        try (LoadClients load = new LoadClients(http(router), "app.test", 2)) {
            load.awaitResponses("a", 20);
            String line = router.reload(RouterConfig.parse(args("--http-subscription-server", "127.0.0.1:0",
                    "--http-subscription-server", "127.0.0.1:" + second)));
            assertTrue(line.contains("+http-subscription-server 127.0.0.1:" + second), line);
            assertFalse(line.contains("needs a restart"), line);
            assertEquals(2, router.httpSubscriptions().channels().size());

            subscribed("b", "127.0.0.1:" + second, "app.test");
            Running.await("node b", () -> nodes(router, "app.test").size() == 2);
            load.awaitResponses("b", 20);
            int a = load.count("a");
            load.awaitResponses("a", a + 20);
            load.stop();
            assertEquals(List.of(), List.copyOf(load.failures), "failed requests across the reload");
        }
        assertEquals(List.of("127.0.0.1:0", "127.0.0.1:" + second), router.httpSubscriptions().socketNames());

        // the first server removed: its socket closes, its node stays in the table until it expires
        String line = router.reload(RouterConfig.parse(args("--http-subscription-server", "127.0.0.1:" + second)));
        assertTrue(line.contains("-http-subscription-server 127.0.0.1:0"), line);
        assertEquals(1, router.httpSubscriptions().channels().size());
        assertEquals(2, nodes(router, "app.test").size(), "the nodes stay subscribed");
        assertEquals("reload: no change",
                router.reload(RouterConfig.parse(args("--http-subscription-server", "127.0.0.1:" + second))));
    }

    @Test
    void aLoweredKeyLimitRefusesNewKeysAndKeepsServingTheOldOnes() throws Exception {
        Corerouter router = running.router(args("--http-subscription-server", "127.0.0.1:0"));
        String server = server(router, 0);
        subscribed("a", server, "a.test");
        subscribed("b", server, "b.test");
        Running.await("keys a and b", () -> router.httpSubscriptions().table().size() == 2);

        String line = router.reload(RouterConfig.parse(args("--http-subscription-server", "127.0.0.1:0",
                "--subscription-max-keys", "1")));
        assertTrue(line.contains("subscription-max-keys=1"), line);
        SubscriptionCounters counters = router.httpSubscriptions().table().counters();
        subscribed("c", server, "c.test");
        Running.await("c.test refused", () -> counters.droppedCount(SubscriptionCounters.Drop.KEY_LIMIT) > 0);
        assertEquals(2, router.httpSubscriptions().table().size(), "the keys past the new limit stay");
        assertEquals("a", servedBy(http(router), "a.test"));
        assertEquals("b", servedBy(http(router), "b.test"));
        assertEquals("status 503", servedBy(http(router), "c.test"));
    }

    @Test
    void anotherAlgorithmBalancesTheNodesAlreadySubscribed() throws Exception {
        Corerouter router = running.router(args("--http-subscription-server", "127.0.0.1:0", "--http-stats", "127.0.0.1:0"));
        String server = server(router, 0);
        subscribed("a", server, "app.test");
        subscribed("b", server, "app.test");
        Running.await("both nodes", () -> nodes(router, "app.test").size() == 2);

        String line = router.reload(RouterConfig.parse(args("--http-subscription-server", "127.0.0.1:0",
                "--http-stats", "127.0.0.1:0", "--subscription-algo", "lrc", "--subscription-tolerance", "30")));
        assertTrue(line.contains("subscription-algo=lrc"), line);
        assertTrue(line.contains("subscription-tolerance=30"), line);
        assertEquals(SubscriptionOptions.Algo.LRC, router.httpSubscriptions().table().options().algo());
        Map<String, Integer> served = new ConcurrentHashMap<>();
        for (int i = 0; i < 20; i++) {
            served.merge(servedBy(http(router), "app.test"), 1, Integer::sum);
        }
        assertEquals(20, served.getOrDefault("a", 0) + served.getOrDefault("b", 0), served.toString());
        assertTrue(served.containsKey("a") && served.containsKey("b"), () -> "lrc spreads sequential requests: " + served);
        JsonNode slot = statsSlot(router, "app.test");
        for (JsonNode node : slot.get("nodes")) {
            assertEquals(0, node.get("wrr").asLong(), "no WRR credits are shown under lrc");
        }
    }

    @Test
    void aServerThatCannotBeBoundChangesNothing() throws Exception {
        Corerouter router = running.router(args("--http-subscription-server", "127.0.0.1:0"));
        subscribed("a", server(router, 0), "app.test");
        Running.await("node a", () -> nodes(router, "app.test").size() == 1);
        int free = freeUdpPort();
        try (DatagramSocket taken = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Corerouter.ReloadException e = assertThrows(Corerouter.ReloadException.class,
                    () -> router.reload(RouterConfig.parse(args("--http-subscription-server", "127.0.0.1:0",
                            "--http-subscription-server", "127.0.0.1:" + free,
                            "--http-subscription-server", "127.0.0.1:" + taken.getLocalPort(),
                            "--http-subscription-fallback-key", "app.test"))));
            assertTrue(e.getMessage().startsWith("http: --http-subscription-server 127.0.0.1:" + taken.getLocalPort()
                    + ": unable to bind"), e.getMessage());
        }
        assertEquals(1, router.httpSubscriptions().channels().size(), "the server bound before the failure is closed");
        try (DatagramSocket again = new DatagramSocket(free, InetAddress.getLoopbackAddress())) {
            assertTrue(again.isBound(), "its port is free again");
        }
        assertEquals("status 503", servedBy(http(router), "other.test"), "the fallback key was not applied");
        assertEquals("a", servedBy(http(router), "app.test"));

        String line = router.reload(RouterConfig.parse(args("--http-subscription-server", "127.0.0.1:0",
                "--http-subscription-fallback-key", "app.test")));
        assertTrue(line.contains("http-subscription-fallback-key=app.test"), line);
        assertEquals("a", servedBy(http(router), "other.test"));
    }

    @Test
    void aBadValueIsRejectedBeforeAnythingChanges() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> RouterConfig.parse(args("--http-subscription-server", "127.0.0.1:0", "--subscription-max-keys", "0")));
        assertTrue(e.getMessage().contains("subscription-max-keys"), e.getMessage());
    }

    @Test
    void theFirstSubscriptionServerOfARouterNeedsARestart() throws Exception {
        UwsgiProcess n1 = running.node(dir, "n1");
        Corerouter router = running.router(args("--http-to", n1.address()));
        String line = router.reload(RouterConfig.parse(args("--http-to", n1.address(),
                "--http-subscription-server", "127.0.0.1:0", "--subscription-max-keys", "5")));
        assertTrue(line.contains("needs a restart, left as it was: --http-subscription-server (http started without one"),
                line);
        assertEquals(null, router.httpSubscriptions());
        assertEquals("n1", servedBy(http(router), "any.test"));
    }

    private static JsonNode statsSlot(Corerouter router, String key) throws IOException {
        SocketAddress address = router.httpStats().channel().localAddress();
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(address, 10_000);
            socket.setSoTimeout(30_000);
            for (JsonNode slot : JSON.readTree(socket.getInputStream().readAllBytes()).get("subscriptions")) {
                if (slot.get("key").asText().equals(key)) {
                    return slot;
                }
            }
        }
        throw new AssertionError("no key " + key + " in the stats");
    }
}
