package io.corerouter.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.corerouter.core.testing.RawHttpClient;
import io.corerouter.core.testing.UwsgiProcess;
import io.corerouter.subscription.table.SubscriptionNode;
import io.corerouter.subscription.table.SubscriptionSlot;
import io.corerouter.subscription.table.SubscriptionTable;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real uWSGI 2.0 nodes (Debian uwsgi-core + python3 plugin) announce themselves to corerouter's HTTP
 * router with {@code --subscribe-to} / {@code --subscribe2} (spec §2, §3.9, §3.11). Every scenario
 * starts the router in-process on port 0 through the launcher's {@link Corerouter}, exactly as
 * {@code bin/corerouter} would with the same options.
 */
class SubscriptionIntegrationTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final Running running = new Running();

    @AfterEach
    void stopEverything() {
        running.close();
    }

    private Corerouter router(String... args) throws Exception {
        return running.router(args);
    }

    private UwsgiProcess node(String name, String... args) throws Exception {
        return running.node(dir, name, args);
    }

    private static SocketAddress httpAddress(Corerouter router) {
        return router.http().listeners().get(0).localAddress();
    }

    private static String subscriptionServer(Corerouter router) {
        InetSocketAddress udp = (InetSocketAddress) router.httpSubscriptions().channels().get(0).localAddress();
        return "127.0.0.1:" + udp.getPort();
    }

    private static SubscriptionTable table(Corerouter router) {
        return router.httpSubscriptions().table();
    }

    private static List<String> nodes(Corerouter router, String key) {
        return table(router).slot(key).map(SubscriptionSlot::nodes).orElse(List.of()).stream()
                .map(SubscriptionNode::name).toList();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Running.await(what, condition);
    }

    private static RawHttpClient.Response get(SocketAddress router, String host) throws IOException {
        return RawHttpClient.exchange(router, "GET /x HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
    }

    /** The echo app's node name for a 200, or "status N". */
    private static String servedBy(RawHttpClient.Response response) throws IOException {
        if (response.status() != 200) {
            return "status " + response.status();
        }
        return JSON.readTree(response.body()).get("node").asText();
    }

    private static Map<String, Integer> spread(SocketAddress router, String host, int requests) throws IOException {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < requests; i++) {
            counts.merge(servedBy(get(router, host)), 1, Integer::sum);
        }
        return counts;
    }

    private static JsonNode stats(Corerouter router) throws IOException {
        SocketAddress address = router.httpStats().channel().localAddress();
        try (Socket socket = new Socket()) {
            socket.connect(address, 10_000);
            socket.setSoTimeout(30_000);
            return JSON.readTree(socket.getInputStream().readAllBytes());
        }
    }

    private static JsonNode statsKey(JsonNode stats, String key) {
        for (JsonNode slot : stats.get("subscriptions")) {
            if (slot.get("key").asText().equals(key)) {
                return slot;
            }
        }
        return null;
    }

    @Test
    void weightedNodesShareTrafficExactlyAndAnUnknownHostGets503() throws Exception {
        Corerouter router = router("--http", "127.0.0.1:0", "--http-processes", "2",
                "--http-subscription-server", "127.0.0.1:0", "--http-stats", "127.0.0.1:0");
        String server = subscriptionServer(router);
        UwsgiProcess a = node("a", "--subscribe-to", server + ":app.test");
        UwsgiProcess b = node("b", "--subscribe2", "server=" + server + ",key=app.test,weight=3");
        await("both nodes", () -> nodes(router, "app.test").size() == 2);
        SocketAddress http = httpAddress(router);

        // smooth WRR: weights 1 (0 announced) and 3 give exactly 1:3 over whole cycles
        assertEquals(Map.of("a", 10, "b", 30), spread(http, "app.test", 40));
        RawHttpClient.Response unknown = get(http, "other.test");
        assertEquals(503, unknown.status());

        JsonNode stats = stats(router);
        assertEquals(List.of("127.0.0.1:0", "127.0.0.1:0"), texts(stats.get("http")),
                "listener and subscription server, as configured");
        JsonNode slot = statsKey(stats, "app.test");
        assertNotNull(slot, stats.toString());
        assertEquals(40, slot.get("hits").asLong(), "40 lookups; the 503 did not hit the key");
        assertEquals(0, stats.get("cheap").asInt());
        Map<String, JsonNode> byName = new HashMap<>();
        for (JsonNode node : slot.get("nodes")) {
            byName.put(node.get("name").asText(), node);
        }
        JsonNode nodeA = byName.get(a.address());
        JsonNode nodeB = byName.get(b.address());
        assertEquals(10, nodeA.get("requests").asLong());
        assertEquals(30, nodeB.get("requests").asLong());
        assertEquals(1, nodeA.get("weight").asLong());
        assertEquals(3, nodeB.get("weight").asLong());
        assertEquals(0, nodeA.get("ref").asLong());
        assertEquals(0, nodeA.get("death_mark").asLong());
        assertTrue(nodeB.get("tx").asLong() > 0 && nodeB.get("rx").asLong() > 0);
        assertEquals(List.of("name", "modifier1", "modifier2", "last_check", "pid", "uid", "gid", "requests",
                "last_requests", "tx", "rx", "cores", "load", "weight", "wrr", "ref", "failcnt", "death_mark"),
                names(nodeA));
        assertEquals(List.of("version", "pid", "uid", "gid", "cwd", "active_sessions", "http", "subscriptions",
                "subscription_counters", "cheap"), names(stats));
        JsonNode counters = stats.get("subscription_counters");
        assertEquals(2, counters.get("new_nodes").asLong());
        assertEquals(0, counters.get("dropped").asLong());
        assertTrue(counters.get("received").asLong() >= 2);
    }

    @Test
    void sigintUnsubscribesSigkillFailsOverAndTheSweepForgetsSilentNodes() throws Exception {
        Corerouter router = router("--http", "127.0.0.1:0", "--http-processes", "1",
                "--http-subscription-server", "127.0.0.1:0", "--http-stats", "127.0.0.1:0",
                "--subscription-tolerance", "5");
        String server = subscriptionServer(router);
        UwsgiProcess a = node("a", "--subscribe-freq", "1", "--subscribe-to", server + ":app.test");
        UwsgiProcess b = node("b", "--subscribe-freq", "1", "--subscribe-to", server + ":app.test");
        UwsgiProcess c = node("c", "--subscribe-freq", "1", "--subscribe-to", server + ":app.test");
        UwsgiProcess idle = node("idle", "--subscribe-freq", "1", "--subscribe-to", server + ":idle.test");
        await("three nodes", () -> nodes(router, "app.test").size() == 3);
        await("the idle node", () -> nodes(router, "idle.test").size() == 1);
        SocketAddress http = httpAddress(router);

        a.interrupt(); // a master stops with SIGINT and unsubscribes on the way out
        await("a's unsubscribe", () -> !nodes(router, "app.test").contains(a.address()));
        assertEquals(Map.of("b", 10, "c", 10), spread(http, "app.test", 20));

        b.killTree(); // gone without a word: its socket file stays, connects are refused
        assertEquals(Map.of("c", 20), spread(http, "app.test", 20), "no client sees b's death");
        await("b to leave the table after its first failed connect",
                () -> nodes(router, "app.test").equals(List.of(c.address())));

        idle.killTree(); // nobody routes to idle.test: only the sweep notices
        await("the sweep to drop idle.test from stats", () -> {
            try {
                return statsKey(stats(router), "idle.test") == null;
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        assertEquals(List.of(c.address()), nodes(router, "app.test"), "c's announces keep it alive");
    }

    @Test
    void signedSubscriptionsAreAcceptedUnsignedAndReplayedOnesAreNot() throws Exception {
        Path keys = Files.createDirectories(dir.resolve("keys"));
        run("openssl", "genrsa", "-out", dir.resolve("priv.pem").toString(), "2048");
        run("openssl", "rsa", "-in", dir.resolve("priv.pem").toString(), "-pubout", "-out",
                keys.resolve("app.test.pem").toString());
        Corerouter router = router("--http", "127.0.0.1:0", "--http-subscription-server", "127.0.0.1:0",
                "--subscriptions-sign-check", "SHA256:" + keys);
        String server = subscriptionServer(router);
        try (DatagramSocket capture = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            capture.setSoTimeout(30_000);
            String sign = ",key=app.test,sign=SHA256:" + dir.resolve("priv.pem");
            UwsgiProcess signed = node("signed", "--subscribe2", "server=" + server + sign,
                    "--subscribe2", "server=127.0.0.1:" + capture.getLocalPort() + sign);
            await("the signed node", () -> nodes(router, "app.test").contains(signed.address()));
            assertEquals("signed", servedBy(get(httpAddress(router), "app.test")));

            UwsgiProcess unsigned = node("unsigned", "--subscribe-to", server + ":app.test");
            SubscriptionTable.Outcome refused = SubscriptionTable.Outcome.UNSIGNED;
            await("the unsigned packet to be refused", () -> router.httpSubscriptions().server().count(refused) > 0);
            assertFalse(nodes(router, "app.test").contains(unsigned.address()));

            // the same signed packet again: refused as a replay once the router has seen it
            DatagramPacket captured = new DatagramPacket(new byte[4096], 4096);
            capture.receive(captured);
            byte[] replay = Arrays.copyOf(captured.getData(), captured.getLength());
            long unix = unixOf(replay);
            SubscriptionNode node = table(router).slot("app.test").orElseThrow().nodes().stream()
                    .filter(n -> n.name().equals(signed.address())).findFirst().orElseThrow();
            await("the router to get the same announce", () -> node.unixCheck() >= unix);
            long before = router.httpSubscriptions().server().count(SubscriptionTable.Outcome.REPLAYED);
            try (DatagramSocket sender = new DatagramSocket()) {
                String[] hostPort = server.split(":");
                sender.send(new DatagramPacket(replay, replay.length,
                        new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]))));
            }
            await("the replay to be refused",
                    () -> router.httpSubscriptions().server().count(SubscriptionTable.Outcome.REPLAYED) > before);
        }
    }

    /** The {@code unix} var of a signed datagram. */
    private static long unixOf(byte[] datagram) {
        int p = 4;
        while (p < datagram.length) {
            int keyLength = (datagram[p] & 0xff) | (datagram[p + 1] & 0xff) << 8;
            String key = new String(datagram, p + 2, keyLength, StandardCharsets.ISO_8859_1);
            int v = p + 2 + keyLength;
            int valueLength = (datagram[v] & 0xff) | (datagram[v + 1] & 0xff) << 8;
            if (key.equals("unix")) {
                return Long.parseLong(new String(datagram, v + 2, valueLength, StandardCharsets.ISO_8859_1));
            }
            p = v + 2 + valueLength;
        }
        throw new AssertionError("no unix var");
    }

    @Test
    void resubscribeForwardsEverySubscriptionToTheNextRouter() throws Exception {
        Corerouter b = router("--http", "127.0.0.1:0", "--http-subscription-server", "127.0.0.1:0");
        Corerouter a = router("--http", "127.0.0.1:0", "--http-subscription-server", "127.0.0.1:0",
                "--http-resubscribe", subscriptionServer(b), "--http-resubscribe-bind", "127.0.0.1:0",
                "--http-headers-timeout", "1");
        UwsgiProcess node = node("n", "--subscribe2", "server=" + subscriptionServer(a) + ",key=app.test,modifier1=0");
        String aAddress = a.http().runtime().firstListenerName();
        await("a's subscription to reach b", () -> nodes(b, "app.test").contains(aAddress));
        assertEquals(List.of(node.address()), nodes(a, "app.test"));
        assertEquals("n", servedBy(get(httpAddress(a), "app.test")));

        // b routes app.test to a. a is an HTTP router, so the uwsgi request b sends it is no HTTP
        // request (uWSGI's http-to-http federation has the same shape; a fastrouter would answer):
        // a either rejects it as malformed (400, relayed by b, which has no reason to reject this
        // request itself) or times the head out, and then b's 502 names a as the node that failed
        RawHttpClient.Response viaB = get(httpAddress(b), "app.test");
        assertTrue(viaB.status() == 400 || (viaB.status() == 502 && viaB.bodyText().contains(aAddress)),
                viaB.statusLine() + " " + viaB.bodyText());

        node.interrupt(); // the unsubscribe travels the same way
        await("the unsubscribe to reach b", () -> nodes(b, "app.test").isEmpty());
    }

    @Test
    void fastrouterFederationServesTheRequestThroughBothRouters() throws Exception {
        // b: the public HTTP router; a: a fastrouter that re-announces what subscribes to it (spec §2.11)
        Corerouter b = router("--http", "127.0.0.1:0", "--http-subscription-server", "127.0.0.1:0");
        Corerouter a = router("--fastrouter", "127.0.0.1:0", "--fastrouter-subscription-server", "127.0.0.1:0",
                "--fastrouter-resubscribe", subscriptionServer(b), "--fastrouter-resubscribe-bind", "127.0.0.1:0");
        InetSocketAddress aUdp = (InetSocketAddress) a.subscriptions("fastrouter").channels().get(0).localAddress();
        UwsgiProcess node = node("fed", "--subscribe2", "server=127.0.0.1:" + aUdp.getPort() + ",key=app.test");
        String aAddress = a.fastrouter().runtime().firstListenerName();
        await("a's subscription to reach b", () -> nodes(b, "app.test").contains(aAddress));
        // b sends a uwsgi packet to a, a's fastrouter forwards it to the node: a real answer through both
        assertEquals("fed", servedBy(get(httpAddress(b), "app.test")));
        node.interrupt();
        await("the unsubscribe to reach b", () -> nodes(b, "app.test").isEmpty());
    }

    @Test
    void cheapModeHoldsClientsUntilANodeSubscribes() throws Exception {
        Corerouter router = router("--http", "127.0.0.1:0", "--http-cheap", "--http-subscription-server",
                dir.resolve("sub.sock").toString(), "--http-stats", dir.resolve("stats.sock").toString());
        UwsgiProcess node = UwsgiProcess.startEcho(dir, "plain");
        running.add(node);
        assertEquals(1, unixStats(dir.resolve("stats.sock")).get("cheap").asInt());
        try (RawHttpClient waiting = new RawHttpClient(httpAddress(router))) {
            waiting.send("GET / HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n");
            assertEquals(0, router.http().runtime().openSessions(), "the connection waits in the backlog");
            // corerouter as a subscription client, the way `bin/corerouter --subscribe2 ...` runs
            Corerouter subscriber = router("--subscribe2", "server=" + dir.resolve("sub.sock") + ",key=app.test,addr="
                    + node.address());
            assertEquals("plain", servedBy(waiting.read()));
            subscriber.close(); // unsubscribes
        }
        await("cheap mode again", () -> {
            try {
                return unixStats(dir.resolve("stats.sock")).get("cheap").asInt() == 1;
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        assertTrue(table(router).slots().isEmpty());
    }

    @Test
    void notifyAcknowledgesANewNodeToUwsgisNotifySocket() throws Exception {
        Corerouter router = router("--http", "127.0.0.1:0", "--http-subscription-server", "127.0.0.1:0");
        Path notify = dir.resolve("notify.sock");
        UwsgiProcess node = node("n", "--notify-socket", notify.toString(), "--subscription-notify-socket",
                notify.toString(), "--subscribe-to", subscriptionServer(router) + ":notify.test");
        await("uWSGI to log the ack", () -> node.logText().contains("[subscription ack] notify.test => new node: "
                + node.address()));
    }

    @Test
    void statsOverHttpOnAUnixSocketMinified() throws Exception {
        Path stats = dir.resolve("stats.sock");
        router("--http", "127.0.0.1:0", "--http-to", "127.0.0.1:9", "--http-fallback", "127.0.0.1:7",
                "--http-stats", stats.toString(), "--stats-http", "--stats-minified");
        String answer;
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(stats));
            channel.write(ByteBuffer.wrap("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            try (InputStream in = java.nio.channels.Channels.newInputStream(channel)) {
                answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
        String head = "HTTP/1.0 200 OK\r\nConnection: close\r\nAccess-Control-Allow-Origin: *\r\n"
                + "Content-Type: application/json\r\n\r\n";
        assertTrue(answer.startsWith(head), answer);
        String body = answer.substring(head.length());
        assertEquals(1, body.strip().lines().count(), "minified: one line");
        JsonNode json = JSON.readTree(body);
        assertEquals(ProcessHandle.current().pid(), json.get("pid").asLong());
        assertEquals(List.of("127.0.0.1:0"), texts(json.get("http")));
        JsonNode staticNode = json.get("static_nodes").get(0);
        assertEquals("127.0.0.1:9", staticNode.get("name").asText());
        assertEquals(0, staticNode.get("hits").asLong());
        assertEquals(0, staticNode.get("grace").asLong());
        assertEquals("up", staticNode.get("state").asText(), "health fields after uWSGI's (docs/health.md)");
        assertEquals("none", staticNode.get("health").asText());
        assertEquals("127.0.0.1:7", json.get("fallback_nodes").get(0).get("name").asText());
        assertEquals("up", json.get("fallback_nodes").get(0).get("state").asText());
        assertTrue(json.get("subscriptions") == null, "no subscription server, no subscriptions member");
    }

    private static JsonNode unixStats(Path socket) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            try (InputStream in = java.nio.channels.Channels.newInputStream(channel)) {
                return JSON.readTree(in.readAllBytes());
            }
        }
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static List<String> names(JsonNode object) {
        List<String> out = new ArrayList<>();
        object.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), output);
    }
}
