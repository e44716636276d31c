package io.corerouter.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.corerouter.core.testing.RawHttpClient;
import io.corerouter.core.testing.UwsgiProcess;
import io.corerouter.subscription.table.SubscriptionNode;
import io.corerouter.subscription.table.SubscriptionSlot;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Health checks of subscribed nodes (issue 13): two real uWSGI nodes subscribe the same key; one's
 * check path starts answering 500, it leaves rotation after {@code fall} checks while its announces go
 * on, gets no client request while down, and comes back after {@code rise} passed checks.
 */
class SubscribedNodeHealthTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String APP = String.join("\n",
            "import json, os",
            "def application(environ, start_response):",
            "    if environ['PATH_INFO'] == '/health':",
            "        sick = os.path.exists(os.environ['SICK_FLAG'])",
            "        start_response('500 Sick' if sick else '200 OK', [('Content-Length', '0')])",
            "        return [b'']",
            "    data = json.dumps({'node': os.environ.get('NODE_NAME', '')}).encode()",
            "    start_response('200 OK', [('Content-Type', 'application/json'), ('Content-Length', str(len(data)))])",
            "    return [data]",
            "");

    @TempDir
    Path dir;

    private final Running running = new Running();

    @AfterEach
    void stop() {
        running.close();
    }

    private List<SubscriptionNode> nodes(Corerouter router) {
        return router.httpSubscriptions().table().slot("app.test").map(SubscriptionSlot::nodes).orElse(List.of());
    }

    private SubscriptionNode node(Corerouter router, String suffix) {
        return nodes(router).stream().filter(n -> n.name().endsWith(suffix)).findFirst().orElseThrow();
    }

    private Map<String, Integer> spread(Corerouter router, int requests) throws Exception {
        Map<String, Integer> counts = new HashMap<>();
        InetSocketAddress address = (InetSocketAddress) router.http().listeners().get(0).localAddress();
        for (int i = 0; i < requests; i++) {
            RawHttpClient.Response response = RawHttpClient.exchange(address,
                    "GET /x HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n");
            assertEquals(200, response.status(), response::bodyText);
            counts.merge(JSON.readTree(response.body()).get("node").asText(), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void aSubscribedNodeFailingItsChecksGetsNoTrafficUntilItRises() throws Exception {
        Corerouter router = running.router("--http", "127.0.0.1:0", "--http-subscription-server", "127.0.0.1:0",
                "--http-check-interval", "1", "--http-check-path", "/health", "--http-check-fall", "2",
                "--http-check-rise", "2");
        InetSocketAddress udp = (InetSocketAddress) router.httpSubscriptions().channels().get(0).localAddress();
        Path app = Files.writeString(dir.resolve("health_app.py"), APP, StandardCharsets.UTF_8);
        Path sick = dir.resolve("sick");
        String subscribe = "server=127.0.0.1:" + udp.getPort() + ",key=app.test";
        for (String name : List.of("a", "b")) {
            running.add(UwsgiProcess.start(dir, name, "--socket", List.of("--plugin", "python3", "--wsgi-file",
                    app.toString(), "--master", "--disable-logging", "--die-on-term", "--env",
                    "SICK_FLAG=" + sick + "." + name, "--subscribe2", subscribe)));
        }
        Running.await("both nodes", () -> nodes(router).size() == 2);
        Running.await("both nodes checked", () -> nodes(router).stream().allMatch(n -> n.health() != null
                && n.health().lastCheck().startsWith("passed")));
        assertEquals(Map.of("a", 5, "b", 5), spread(router, 10));

        Files.createFile(Path.of(sick + ".a"));
        Running.await("a down", () -> node(router, "a.sock").health().isDown());
        assertEquals(Map.of("b", 10), spread(router, 10));
        assertEquals(2, nodes(router).size(), "a still announces itself: it stays in the table, out of rotation");

        Files.delete(Path.of(sick + ".a"));
        Running.await("a up again", () -> !node(router, "a.sock").health().isDown());
        assertEquals(Map.of("a", 5, "b", 5), spread(router, 10));
    }
}
