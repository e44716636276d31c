package io.corerouter.fast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.corerouter.core.pool.NodePools;
import io.corerouter.core.testing.NginxProcess;
import io.corerouter.core.testing.RawHttpClient;
import io.corerouter.core.testing.UwsgiProcess;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * nginx ({@code uwsgi_pass}) → our fastrouter → a real uWSGI {@code --puwsgi-socket} node over pooled
 * connections (issue 10), beside a classic {@code --socket} node: the vars nginx sent arrive the same
 * way, the response is framed by its head and ends the nginx connection, a HEAD is answered without a
 * body, and 300 requests share a couple of node connections.
 */
class FastRouterPooledTest {
    @TempDir
    static Path dir;
    private static UwsgiProcess puwsgi;
    private static UwsgiProcess classic;
    private static ExecutorService offload;
    private static FastRouter pooled;
    private static FastRouter plain;
    private static NginxProcess nginx;
    private static int nginxPort;
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        puwsgi = UwsgiProcess.startEchoOn(dir, "p", "--puwsgi-socket", "--processes", "2");
        classic = UwsgiProcess.startEcho(dir, "u", "--processes", "2");
        offload = FastTesting.offload();
        pooled = FastTesting.start(null, offload, "--fastrouter", "127.0.0.1:0", "--fastrouter-to",
                "puwsgi://" + puwsgi.address(), "--fastrouter-node-connections", "2", "--fastrouter-processes", "2");
        plain = FastTesting.start(null, offload, "--fastrouter", "127.0.0.1:0", "--fastrouter-to", classic.address());
        nginxPort = FastTesting.freePort();
        String params = "include /etc/nginx/uwsgi_params; ";
        nginx = NginxProcess.start(dir.resolve("nginx"), String.join("\n",
                "server {",
                "  listen 127.0.0.1:" + nginxPort + ";",
                "  location /p/ { " + params + "uwsgi_pass 127.0.0.1:" + FastTesting.port(pooled) + "; }",
                "  location /u/ { " + params + "uwsgi_pass 127.0.0.1:" + FastTesting.port(plain) + "; }",
                "}"), nginxPort);
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {nginx, pooled, plain}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
        if (offload != null) {
            offload.shutdownNow();
        }
        puwsgi.close();
        classic.close();
    }

    private static RawHttpClient.Response request(String method, String path) throws Exception {
        try (RawHttpClient client = new RawHttpClient(new InetSocketAddress("127.0.0.1", nginxPort))) {
            client.send(method + " " + path + " HTTP/1.1\r\nHost: app.test\r\nUser-Agent: t\r\nConnection: close\r\n\r\n");
            return client.read("HEAD".equals(method));
        }
    }

    private static JsonNode echo(RawHttpClient.Response response) throws Exception {
        assertEquals(200, response.status(), () -> response.bodyText() + "\n" + nginx.logText());
        return JSON.readTree(response.body());
    }

    @Test
    void varsAndBodiesAsOnTheClassicPath() throws Exception {
        JsonNode viaPool = echo(request("GET", "/p/a%20b?x=1"));
        JsonNode viaSocket = echo(request("GET", "/u/a%20b?x=1"));
        for (String var : List.of("REQUEST_METHOD", "QUERY_STRING", "HTTP_HOST", "HTTP_USER_AGENT", "SERVER_PROTOCOL",
                "REMOTE_ADDR", "CONTENT_LENGTH")) {
            assertEquals(viaSocket.path(var).asText(), viaPool.path(var).asText(), var);
        }
        assertEquals("/p/a b", viaPool.get("PATH_INFO").asText());
        assertEquals(0, viaPool.get("body_len").asInt());
    }

    @Test
    void headIsAnsweredWithoutABody() throws Exception {
        RawHttpClient.Response head = request("HEAD", "/p/h");
        assertEquals(200, head.status());
        assertEquals(echo(request("GET", "/p/after")).get("PATH_INFO").asText(), "/p/after");
    }

    @Test
    void manyRequestsShareAFewNodeConnections() throws Exception {
        long before = created();
        for (int i = 0; i < 300; i++) {
            assertEquals("/p/r" + i, echo(request("GET", "/p/r" + i)).get("PATH_INFO").asText());
        }
        long opened = created() - before;
        assertTrue(opened <= 2, "node connections opened for 300 requests: " + opened);
    }

    @Test
    void aBodyForAPuwsgiNodeIsA502() throws Exception {
        try (RawHttpClient client = new RawHttpClient(new InetSocketAddress("127.0.0.1", nginxPort))) {
            client.send("POST /p/up HTTP/1.1\r\nHost: app.test\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc");
            assertEquals(502, client.read().status());
        }
    }

    private static long created() {
        return pooled.runtime().nodePools().snapshot().stream().mapToLong(NodePools.Stats::created).sum();
    }
}
