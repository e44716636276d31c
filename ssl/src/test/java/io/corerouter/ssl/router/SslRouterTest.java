package io.corerouter.ssl.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.core.backend.Clock;
import io.corerouter.core.backend.StaticNode;
import io.corerouter.core.config.Endpoint;
import io.corerouter.core.route.KeyMapper;
import io.corerouter.core.testing.Commands;
import io.corerouter.core.testing.OpensslClient;
import io.corerouter.core.testing.OpensslPki;
import io.corerouter.core.testing.UwsgiProcess;
import io.corerouter.ssl.EchoNode;
import io.corerouter.ssl.RunningSslRouter;
import io.corerouter.ssl.TlsEngine;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sslrouter in front of real nodes: a plain TCP node that speaks first, and uWSGI's --http-socket. */
class SslRouterTest {
    @TempDir
    static Path dir;
    static OpensslPki pki;
    static OpensslPki.Pair server;
    static EchoNode echo;

    @BeforeAll
    static void setUp() throws Exception {
        pki = OpensslPki.create(dir);
        server = pki.server("server", "ssl.example");
        echo = EchoNode.start(dir, "echo");
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (echo != null) {
            echo.close();
        }
    }

    private static String listener(OpensslPki.Pair pair) {
        return "127.0.0.1:0," + pair.cert() + "," + pair.key();
    }

    @Test
    void relaysToATcpNodeThatSpeaksFirst() throws Exception {
        try (RunningSslRouter router = RunningSslRouter.start("--sslrouter", listener(server),
                "--sslrouter-to", echo.address(), "--sslrouter-processes", "2")) {
            OpensslClient.Result result = OpensslClient.to(router.port()).serverName("ssl.example")
                    .send("ping\nquit\n");
            assertTrue(result.handshakeOk(), result::toString);
            // the node spoke first: the sslrouter connected it when the handshake completed, not on
            // the first client byte (deviations.md)
            assertTrue(result.stdout().contains("hello echo\n"), result::toString);
            assertTrue(result.stdout().contains("echo:ping\n"), result::toString);
            assertEquals("/O=Test/CN=ssl.example", result.subject());
        }
    }

    @Test
    void jdkEngineFallbackRelaysToo() throws Exception {
        try (RunningSslRouter router = RunningSslRouter.start(TlsEngine.jdk(), null, "--sslrouter", listener(server),
                "--sslrouter-to", echo.address())) {
            OpensslClient.Result result = OpensslClient.to(router.port()).send("jdk\nquit\n");
            assertTrue(result.handshakeOk(), result::toString);
            assertTrue(result.stdout().contains("echo:jdk\n"), result::toString);
        }
    }

    @Test
    void keyIsTheListenerNameOrTheSniName() throws Exception {
        ConcurrentLinkedQueue<String> keys = new ConcurrentLinkedQueue<>();
        StaticNode node = new StaticNode("echo", Endpoint.parseBackend(echo.address()).toSocketAddress(), Clock.SYSTEM);
        KeyMapper mapper = key -> {
            keys.add(key.toString());
            return key.toString().equals("unknown.example") ? null : node;
        };
        try (RunningSslRouter byName = RunningSslRouter.start(TlsEngine.detect(), mapper,
                "--sslrouter", listener(server))) {
            assertTrue(OpensslClient.to(byName.port()).serverName("ssl.example").send("a\nquit\n")
                    .stdout().contains("echo:a"));
        }
        assertEquals(List.of("127.0.0.1:0"), List.copyOf(keys)); // the socket name as configured
        keys.clear();
        try (RunningSslRouter bySni = RunningSslRouter.start(TlsEngine.detect(), mapper,
                "--sslrouter", listener(server), "--sslrouter-sni")) {
            assertTrue(OpensslClient.to(bySni.port()).serverName("ssl.example").send("b\nquit\n")
                    .stdout().contains("echo:b"));
            assertTrue(OpensslClient.to(bySni.port()).noServerName().send("c\nquit\n")
                    .stdout().contains("echo:c"));
            // an unknown key closes the connection after the handshake: no bytes from any node
            OpensslClient.Result unknown = OpensslClient.to(bySni.port()).serverName("unknown.example").send("d\n");
            assertTrue(unknown.handshakeOk(), unknown::toString);
            assertFalse(unknown.stdout().contains("hello"), unknown::toString);
        }
        assertEquals(List.of("ssl.example", "127.0.0.1:0", "unknown.example"), List.copyOf(keys));
    }

    @Test
    void deadNodeIsRetriedOnTheNextOne() throws Exception {
        try (RunningSslRouter router = RunningSslRouter.start("--sslrouter", listener(server),
                "--sslrouter-to", dir.resolve("nobody.sock").toString(), "--sslrouter-to", echo.address())) {
            for (int i = 0; i < 3; i++) {
                assertTrue(OpensslClient.to(router.port()).send("r" + i + "\nquit\n").stdout().contains("echo:r" + i));
            }
        }
    }

    @Test
    void inFrontOfUwsgiHttpSocket() throws Exception {
        Path app = UwsgiProcess.writeEchoApp(dir);
        Path socket = dir.resolve("web.sock");
        UwsgiProcess web = UwsgiProcess.start(dir, "web-plain", List.of("--plugin", "python3",
                "--wsgi-file", app.toString(), "--need-app", "--disable-logging", "--die-on-term",
                "--http-socket", socket.toString()));
        try (RunningSslRouter router = RunningSslRouter.start("--sslrouter", listener(server),
                "--sslrouter-to", socket.toString())) {
            Commands.Result curl = Commands.run(List.of("curl", "-sS", "--cacert", pki.ca().cert().toString(),
                    "--resolve", "ssl.example:" + router.port() + ":127.0.0.1",
                    "-d", "hello=world", "https://ssl.example:" + router.port() + "/path?q=1"), "");
            assertEquals(0, curl.exit(), curl::all);
            assertTrue(curl.stdout().contains("\"PATH_INFO\": \"/path\""), curl::all);
            assertTrue(curl.stdout().contains("\"QUERY_STRING\": \"q=1\""), curl::all);
            assertTrue(curl.stdout().contains("\"body_len\": 11"), curl::all);
            // plaintext relay: uWSGI sees no HTTPS var, the sslrouter passes no vars at all
            assertFalse(curl.stdout().contains("\"HTTPS\""), curl::all);
        } finally {
            web.close();
        }
    }

}
