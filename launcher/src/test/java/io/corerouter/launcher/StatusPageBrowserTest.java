package io.corerouter.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.corerouter.core.testing.UwsgiProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page in a real browser: Debian's Chromium, headless, driven through chromedriver's
 * WebDriver protocol (plain JSON over HTTP, no client library). The page is loaded from the stats
 * server with one subscribed uWSGI node; a second node subscribes while the page is open and must
 * appear by the page's own refresh; a phone-sized screenshot is kept in target/ and the page must not
 * overflow a phone's width.
 */
class StatusPageBrowserTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PORT = Pattern.compile("started successfully on port (\\d+)");
    private static final List<String> CHROMIUM_ARGS = List.of("--headless", "--no-sandbox", "--disable-gpu",
            "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-dev-shm-usage", "--window-size=412,915");

    @TempDir
    Path dir;

    private final Running running = new Running();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private Process driver;

    @AfterEach
    void stopEverything() throws InterruptedException {
        if (driver != null) {
            driver.descendants().forEach(ProcessHandle::destroy);
            driver.destroy();
            if (!driver.waitFor(10, TimeUnit.SECONDS)) {
                driver.destroyForcibly();
            }
        }
        running.close();
    }

    @Test
    void nodesAppearAndUpdateInChromium() throws Exception {
        Corerouter router = running.router("--http", "127.0.0.1:0", "--http-subscription-server", "127.0.0.1:0",
                "--http-stats", "127.0.0.1:0", "--stats-http");
        InetSocketAddress udp = (InetSocketAddress) router.httpSubscriptions().channels().get(0).localAddress();
        String server = "127.0.0.1:" + udp.getPort();
        UwsgiProcess a = running.node(dir, "a", "--subscribe-freq", "1", "--subscribe-to", server + ":app.test");
        Running.await("node a in the table", () -> router.httpSubscriptions().table().size() == 1);
        int stats = ((InetSocketAddress) router.httpStats().channel().localAddress()).getPort();

        String base = startDriver();
        String session = newSession(base);
        String url = "http://127.0.0.1:" + stats + "/status?refresh=1";
        call("POST", base + "/session/" + session + "/url", Map.of("url", url));
        assertEquals("corerouter status", script(base, session, "return document.title").asText());
        assertEquals(1, script(base, session, "return document.querySelectorAll('tr.node').length").asInt());
        assertTrue(script(base, session, "return document.querySelector('tr.node').textContent").asText()
                .contains(a.address()), "node a's row");

        // a node subscribes while the page is open: the page's own refresh shows it
        UwsgiProcess b = running.node(dir, "b", "--subscribe-freq", "1", "--subscribe-to", server + ":app.test");
        Running.await("node b's row in the open page", () -> {
            try {
                return script(base, session, "return document.querySelectorAll('tr.node').length").asInt() == 2;
            } catch (Exception e) {
                return false;
            }
        });
        String rows = script(base, session, "return Array.from(document.querySelectorAll('tr.node'))"
                + ".map(r => r.textContent).join('\\n')").asText();
        assertTrue(rows.contains(b.address()) && rows.contains("app.test") && rows.contains("up"), rows);
        assertFalse(script(base, session, "return document.body.textContent").asText().contains("NaN"),
                "every number shown is a number");
        assertTrue(script(base, session, "return Number(document.body.dataset.updates)").asInt() >= 1,
                "refreshed from /status.json");
        // readable on a phone: nothing wider than the viewport (tables scroll inside their box)
        assertTrue(script(base, session, "return document.documentElement.scrollWidth <= window.innerWidth")
                .asBoolean(), "no horizontal page overflow at 412 px");

        byte[] png = Base64.getDecoder().decode(call("GET", base + "/session/" + session + "/screenshot", null)
                .get("value").asText());
        Path shot = Path.of("target", "status-page.png");
        Files.createDirectories(shot.getParent());
        Files.write(shot, png);
        assertEquals(0x89, png[0] & 0xff);
        assertEquals('P', png[1]);
        assertTrue(png.length > 2000, "a rendered page, not a blank image: " + png.length + " bytes");
        call("DELETE", base + "/session/" + session, null);

        // the same table in /metrics
        HttpResponse<String> scraped = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + stats + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        PromText metrics = PromText.parse(scraped.body());
        assertEquals(1, metrics.value("corerouter_subscription_keys", "router", "http"));
        assertEquals(2, metrics.value("corerouter_subscription_nodes", "router", "http"));
        assertEquals(2, metrics.value("corerouter_subscription_packets_accepted_total", "router", "http",
                "outcome", "new_node"));
        assertEquals(0, metrics.value("corerouter_subscription_packets_rejected_total", "router", "http",
                "reason", "malformed"));
        for (UwsgiProcess node : List.of(a, b)) {
            assertEquals(1, metrics.value("corerouter_node_up", "router", "http", "node", node.address(),
                    "source", "subscription", "key", "app.test"));
        }
    }

    /** Starts chromedriver on a free port (it prints the port) and returns its base URL. */
    private String startDriver() throws IOException {
        driver = new ProcessBuilder("chromedriver", "--port=0").redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(driver.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null) {
            Matcher m = PORT.matcher(line);
            if (m.find()) {
                Thread drain = new Thread(() -> {
                    try {
                        while (out.readLine() != null) {
                            // keep the pipe flowing
                        }
                    } catch (IOException e) {
                        // the driver stopped
                    }
                }, "chromedriver-out");
                drain.setDaemon(true);
                drain.start();
                return "http://127.0.0.1:" + m.group(1);
            }
        }
        throw new IOException("chromedriver did not start (install-peers.sh installs chromium-driver)");
    }

    private String newSession(String base) throws Exception {
        Map<String, Object> options = Map.of("binary", "/usr/bin/chromium", "args", CHROMIUM_ARGS);
        JsonNode created = call("POST", base + "/session", Map.of("capabilities",
                Map.of("alwaysMatch", Map.of("browserName", "chrome", "goog:chromeOptions", options))));
        return created.get("value").get("sessionId").asText();
    }

    private JsonNode script(String base, String session, String script) throws Exception {
        return call("POST", base + "/session/" + session + "/execute/sync", Map.of("script", script, "args", List.of()))
                .get("value");
    }

    private JsonNode call(String method, String url, Object body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60));
        if (body != null) {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = JSON.readTree(response.body());
        if (response.statusCode() != 200) {
            throw new AssertionError("webdriver " + method + " " + url + ": " + response.statusCode() + " " + json);
        }
        return json;
    }
}
