package io.corerouter.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.corerouter.core.config.NodeProtocol;
import io.corerouter.core.pool.NodePools;
import io.corerouter.core.testing.RawHttpClient;
import io.corerouter.core.testing.UwsgiProcess;
import io.corerouter.subscription.table.SubscriptionNode;
import io.corerouter.subscription.table.SubscriptionSlot;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Subscribed nodes on persistent connections (issue 10): a real uWSGI {@code --puwsgi-socket} node
 * subscribing to a router with {@code --http-subscription-protocol puwsgi} is pooled with its announced
 * cores as its cap, and a node announced by corerouter's own subscriber with {@code proto=http} is
 * pooled as an HTTP node whatever the router's default.
 */
class PooledSubscriptionTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final Running running = new Running();

    @AfterEach
    void stop() {
        running.close();
    }

    private static String subscriptionServer(Corerouter router) {
        InetSocketAddress udp = (InetSocketAddress) router.httpSubscriptions().channels().get(0).localAddress();
        return "127.0.0.1:" + udp.getPort();
    }

    private static List<SubscriptionNode> nodes(Corerouter router, String key) {
        return router.httpSubscriptions().table().slot(key).map(SubscriptionSlot::nodes).orElse(List.of());
    }

    private static NodePools.Stats pool(Corerouter router, NodeProtocol protocol) {
        return router.http().runtime().nodePools().snapshot().stream().filter(s -> s.protocol() == protocol)
                .findFirst().orElseThrow(() -> new AssertionError("no " + protocol + " pool"));
    }

    private static void keepAliveRequests(SocketAddress router, String host, int n) throws Exception {
        try (RawHttpClient client = new RawHttpClient(router)) {
            for (int i = 0; i < n; i++) {
                client.send("GET /r" + i + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
                RawHttpClient.Response response = client.read();
                assertEquals(200, response.status(), response::bodyText);
                assertEquals("/r" + i, JSON.readTree(response.body()).get("PATH_INFO").asText());
            }
        }
    }

    @Test
    void aSubscribedPuwsgiNodeIsPooledUnderItsAnnouncedCores() throws Exception {
        Corerouter router = running.router("--http", "127.0.0.1:0", "--http-keepalive", "--http-processes", "2",
                "--http-subscription-server", "127.0.0.1:0", "--http-subscription-protocol", "puwsgi");
        UwsgiProcess node = UwsgiProcess.startEchoOn(dir, "p", "--puwsgi-socket", "--master", "--processes", "3",
                "--subscribe2", "server=" + subscriptionServer(router) + ",key=app.test");
        running.add(node);
        Running.await("the node's subscription", () -> !nodes(router, "app.test").isEmpty());
        SubscriptionNode subscribed = nodes(router, "app.test").get(0);
        assertEquals(NodeProtocol.PUWSGI, subscribed.protocol());
        keepAliveRequests(router.http().listeners().get(0).localAddress(), "app.test", 50);
        NodePools.Stats stats = pool(router, NodeProtocol.PUWSGI);
        assertEquals(subscribed.connectionLimit(), stats.maxConnections());
        assertTrue(stats.maxConnections() >= 3, () -> "the announced cores: " + stats);
        assertTrue(stats.created() <= 2, stats::toString);
    }

    @Test
    void ourSubscriberAnnouncesAnHttpNodeWithProto() throws Exception {
        Corerouter router = running.router("--http", "127.0.0.1:0", "--http-keepalive", "--http-processes", "1",
                "--http-subscription-server", "127.0.0.1:0");
        UwsgiProcess node = UwsgiProcess.startEchoOn(dir, "h", "--http11-socket", "--processes", "2");
        running.add(node);
        running.router("--subscribe2", "server=" + subscriptionServer(router) + ",key=h.test,addr=" + node.address()
                + ",proto=http");
        Running.await("the node's subscription", () -> !nodes(router, "h.test").isEmpty());
        assertEquals(NodeProtocol.HTTP, nodes(router, "h.test").get(0).protocol());
        keepAliveRequests(router.http().listeners().get(0).localAddress(), "h.test", 20);
        assertEquals(1, pool(router, NodeProtocol.HTTP).created());
    }
}
