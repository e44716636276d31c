package io.corerouter.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.core.testing.RawHttpClient;
import io.corerouter.core.testing.UwsgiProcess;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Graceful stop of the real process (issue 13): {@code bin/corerouter} in a JVM of its own in front of
 * a real uWSGI whose app holds its requests until the test lets them go, so what is in flight when
 * the signal arrives is known without timing. The first SIGTERM/SIGINT closes the listeners at once,
 * lets the requests in flight finish (up to {@code --reload-mercy}) with {@code Connection: close},
 * closes idle keep-alive connections, and exits 0; a second signal exits at once.
 */
class GracefulStopTest {
    private static final int SLOW_REQUESTS = 100;
    /** Counts the requests that reached the app, then holds each until the release file exists. */
    private static final String APP = String.join("\n",
            "import os, time",
            "def application(environ, start_response):",
            "    if environ['PATH_INFO'] == '/slow':",
            "        with open(os.environ['STARTED'], 'a') as f:",
            "            f.write('x\\n')",
            "        deadline = time.time() + 120",
            "        while not os.path.exists(os.environ['RELEASE']) and time.time() < deadline:",
            "            time.sleep(0.05)",
            "    body = b'done'",
            "    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', str(len(body)))])",
            "    return [body]",
            "");
    private static final String SLOW = "GET /slow HTTP/1.1\r\nHost: app.test\r\n\r\n";
    private static final String FAST = "GET /fast HTTP/1.1\r\nHost: app.test\r\n\r\n";

    @TempDir
    Path dir;

    private final List<AutoCloseable> started = new ArrayList<>();
    private Process router;
    private int port;

    @AfterEach
    void stopEverything() {
        if (router != null) {
            router.destroyForcibly();
        }
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                // best effort: the rest is still closed
            }
        }
    }

    @Test
    void sigtermLetsEveryRequestInFlightFinishAndRefusesNewConnections() throws Exception {
        startRouter("--reload-mercy", "60");
        RawHttpClient idle = client();
        idle.send(FAST);
        RawHttpClient.Response first = idle.read();
        assertEquals(200, first.status());
        assertNull(first.header("Connection"), "a keep-alive connection before the stop");
        List<RawHttpClient> slow = sendSlowRequests(SLOW_REQUESTS);

        signal("TERM");
        awaitRefused();
        assertTrue(router.isAlive(), "still draining: the requests are held by the app");
        assertTrue(idle.isClosedByPeer(), "an idle keep-alive connection closes when the stop begins");

        release();
        for (RawHttpClient client : slow) {
            RawHttpClient.Response response = client.read();
            assertEquals(200, response.status(), response.statusLine());
            assertEquals("done", response.bodyText());
            assertEquals("close", response.header("Connection"), "keep-alive clients are told the end");
            assertTrue(client.isClosedByPeer());
        }
        assertEquals(0, awaitExit(), log());
        assertTrue(log().contains("SIGTERM: stopping gracefully"), log());
    }

    @Test
    void reloadMercyBoundsTheWait() throws Exception {
        startRouter("--reload-mercy", "1");
        List<RawHttpClient> slow = sendSlowRequests(2);
        signal("INT");
        // the app never lets the requests go: the drain time is over first, and they are cut
        assertEquals(0, awaitExit(), log());
        for (RawHttpClient client : slow) {
            assertThrows(IOException.class, client::read, "no response: the request was cut");
        }
        assertTrue(log().contains("SIGINT: stopping gracefully"), log());
    }

    @Test
    void aSecondSignalStopsAtOnce() throws Exception {
        startRouter("--reload-mercy", "600");
        List<RawHttpClient> slow = sendSlowRequests(1);
        signal("TERM");
        awaitRefused();
        signal("INT");
        assertEquals(1, awaitExit(), log());
        assertThrows(IOException.class, () -> slow.get(0).read(), "cut, long before the drain time");
        assertTrue(log().contains("SIGINT again: stopping at once"), log());
    }

    // ---------------------------------------------------------------- the processes

    /** Starts the held-requests app on uWSGI and our router in its own JVM, keep-alive on. */
    private void startRouter(String... extra) throws Exception {
        Path app = Files.writeString(dir.resolve("held_app.py"), APP, StandardCharsets.UTF_8);
        UwsgiProcess node = UwsgiProcess.start(dir, "held", List.of("--plugin", "python3", "--wsgi-file",
                app.toString(), "--need-app", "--disable-logging", "--die-on-term", "--master",
                "--processes", "2", "--threads", Integer.toString(SLOW_REQUESTS / 2 + 1),
                "--env", "STARTED=" + dir.resolve("started"), "--env", "RELEASE=" + dir.resolve("release")));
        started.add(node);
        port = freePort();
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "--http", "127.0.0.1:" + port, "--http-to", node.address(), "--http-keepalive",
                "--http-processes", "2"));
        command.addAll(List.of(extra));
        router = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("corerouter.log").toFile()).start();
        await("the router accepts connections", () -> {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return true;
            } catch (IOException notYet) {
                assertTrue(router.isAlive(), () -> "the router exited: " + log());
                return false;
            }
        });
    }

    /** Sends {@code n} held requests on connections of their own and waits until the app has them all. */
    private List<RawHttpClient> sendSlowRequests(int n) throws Exception {
        List<RawHttpClient> clients = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            clients.add(client().send(SLOW));
        }
        Path count = dir.resolve("started");
        await(n + " requests held by the app", () -> {
            try {
                return Files.exists(count) && Files.readAllLines(count).size() >= n;
            } catch (IOException e) {
                return false;
            }
        });
        return clients;
    }

    private RawHttpClient client() throws IOException {
        RawHttpClient client = new RawHttpClient(new InetSocketAddress("127.0.0.1", port));
        started.add(client);
        return client;
    }

    private void release() throws IOException {
        Files.writeString(dir.resolve("release"), "go");
    }

    private void signal(String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(router.pid())).start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -" + name);
    }

    /** Waits until a new connection is refused: the listeners are closed. */
    private void awaitRefused() throws Exception {
        await("new connections refused", () -> {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return false;
            } catch (ConnectException refused) {
                return true;
            } catch (IOException other) {
                return false;
            }
        });
    }

    private int awaitExit() throws InterruptedException {
        assertTrue(router.waitFor(60, TimeUnit.SECONDS), () -> "the router did not exit: " + log());
        assertFalse(router.isAlive());
        return router.exitValue();
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("corerouter.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Running.WAIT_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20); // polling another process's progress, bounded by the deadline
        }
    }
}
