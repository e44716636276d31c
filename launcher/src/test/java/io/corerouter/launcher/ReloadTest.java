package io.corerouter.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.core.testing.OpensslPki;
import io.corerouter.core.testing.RawHttpClient;
import io.corerouter.core.testing.TlsProbe;
import io.corerouter.core.testing.UwsgiProcess;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGHUP reload of the real process (issue 13): {@code bin/corerouter} in a JVM of its own, configured
 * by an ini file, in front of real uWSGI nodes, with client threads sending requests (keep-alive and
 * new connections) through the whole reload. The ini is rewritten and the process gets SIGHUP: node
 * lists, listeners and certificates change without a failed request or a reset connection on the
 * listeners that stay; a broken ini is logged and changes nothing.
 */
class ReloadTest {
    private static final String GET = "GET /load HTTP/1.1\r\nHost: app.test\r\n\r\n";
    private static final Pattern NODE = Pattern.compile("\"node\": \"([^\"]*)\"");

    @TempDir
    Path dir;

    private final List<AutoCloseable> started = new ArrayList<>();
    private Process router;
    private Path ini;
    private int reloads;

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
    void nodeListAndListenersChangeUnderLoadWithoutAFailedRequest() throws Exception {
        UwsgiProcess n1 = node("n1");
        UwsgiProcess n2 = node("n2");
        int stays = freePort();
        int removed = freePort();
        int added = freePort();
        startRouter(ini("http = 127.0.0.1:" + stays, "http = 127.0.0.1:" + removed, "http-to = " + n1.address()));
        RawHttpClient keptAlive = client(stays);
        assertEquals("n1", nodeOf(keptAlive));
        RawHttpClient idleOnRemoved = client(removed);
        assertEquals("n1", nodeOf(idleOnRemoved));

        try (LoadClients load = new LoadClients(stays, 4)) {
            load.awaitResponses("n1", 50);
            ini("http = 127.0.0.1:" + stays, "http = 127.0.0.1:" + added, "http-to = " + n2.address());
            String line = reload();
            assertTrue(line.contains("http-to=[" + n2.address() + "]"), line);
            assertTrue(line.contains("+http 127.0.0.1:" + added), line);
            assertTrue(line.contains("-http 127.0.0.1:" + removed), line);

            load.awaitResponses("n2", 50);
            int n1Total = load.count("n1");
            load.awaitResponses("n2", load.count("n2") + 100);
            assertEquals(n1Total, load.count("n1"), "no request started after the reload reaches n1");
            load.stop();
            assertEquals(List.of(), List.copyOf(load.failures), "failed requests on the listener that stayed");
        }
        assertEquals("n2", nodeOf(keptAlive), "a connection kept alive across the reload follows the new node list");
        assertEquals("n2", nodeOf(client(added)), "the added listener serves");
        assertTrue(idleOnRemoved.isClosedByPeer(), "an idle connection of the removed listener is closed");
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", removed).close(),
                "the removed listener is closed");
    }

    @Test
    void aBrokenIniIsLoggedAndTheRunningConfigKeepsServing() throws Exception {
        UwsgiProcess n1 = node("n1");
        UwsgiProcess n2 = node("n2");
        int port = freePort();
        startRouter(ini("http = 127.0.0.1:" + port, "http-to = " + n1.address()));
        try (LoadClients load = new LoadClients(port, 4)) {
            load.awaitResponses("n1", 50);
            ini("http = 127.0.0.1:" + port, "http-to = " + n2.address(), "http-timeout = -3");
            signal("HUP");
            await("the reload rejected", () -> log().contains("SIGHUP: reload rejected, the running config stays: "));
            assertTrue(log().contains("http-timeout: -3"), log());
            int before = load.count("n1");
            load.awaitResponses("n1", before + 100);
            load.stop();
            assertEquals(0, load.count("n2"), "nothing of the broken config was applied");
            assertEquals(List.of(), List.copyOf(load.failures));
        }
        assertTrue(router.isAlive());
    }

    @Test
    void aChangedCertificateIsServedAfterTheReload() throws Exception {
        UwsgiProcess n1 = node("n1");
        OpensslPki pki = OpensslPki.create(dir);
        OpensslPki.Pair first = pki.server("first", "first.test");
        OpensslPki.Pair second = pki.server("second", "second.test");
        int http = freePort();
        int https = freePort();
        startRouter(ini("http = 127.0.0.1:" + http, "https = 127.0.0.1:" + https + "," + first.cert() + "," + first.key(),
                "http-to = " + n1.address()));
        assertTrue(servedCertificate(https).getSubjectX500Principal().getName().contains("CN=first.test"));
        try (LoadClients load = new LoadClients(http, 2)) {
            load.awaitResponses("n1", 20);
            ini("http = 127.0.0.1:" + http, "https = 127.0.0.1:" + https + "," + second.cert() + "," + second.key(),
                    "http-to = " + n1.address());
            String line = reload();
            assertTrue(line.contains("https 127.0.0.1:" + https + " certificate="), line);
            assertTrue(servedCertificate(https).getSubjectX500Principal().getName().contains("CN=second.test"));
            load.awaitResponses("n1", load.count("n1") + 50);
            load.stop();
            assertEquals(List.of(), List.copyOf(load.failures));
        }
    }

    @Test
    void aSubscriptionServerAddedBySighupServesItsNodesWhileTheFirstNodeKeepsServing() throws Exception {
        int port = freePort();
        int first = freeUdpPort();
        int second = freeUdpPort();
        startRouter(ini("http = 127.0.0.1:" + port, "http-subscription-server = 127.0.0.1:" + first));
        UwsgiProcess n1 = subscribedNode("n1", first);
        // the load counts every non-200: it starts once the router has n1's first announce
        await("n1's subscription", () -> {
            try {
                return RawHttpClient.exchange(new java.net.InetSocketAddress("127.0.0.1", port),
                        "GET / HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n").status() == 200;
            } catch (IOException e) {
                return false;
            }
        });
        try (LoadClients load = new LoadClients(port, 4)) {
            load.awaitResponses("n1", 50);
            ini("http = 127.0.0.1:" + port, "http-subscription-server = 127.0.0.1:" + first,
                    "http-subscription-server = 127.0.0.1:" + second, "subscription-algo = lrc",
                    "subscription-max-keys = 1");
            String line = reload();
            assertTrue(line.contains("+http-subscription-server 127.0.0.1:" + second), line);
            assertTrue(line.contains("subscription-algo=lrc"), line);
            assertTrue(line.contains("subscription-max-keys=1"), line);
            assertTrue(!line.contains("needs a restart"), line);

            subscribedNode("n2", second);
            load.awaitResponses("n2", 50);
            load.awaitResponses("n1", load.count("n1") + 50);

            // a bad value: rejected, the running config stays
            ini("http = 127.0.0.1:" + port, "http-subscription-server = 127.0.0.1:" + first,
                    "subscription-max-keys = 0");
            signal("HUP");
            await("the reload rejected", () -> log().contains("SIGHUP: reload rejected, the running config stays: "));
            assertTrue(log().contains("subscription-max-keys"), log());
            int n2 = load.count("n2");
            load.awaitResponses("n2", n2 + 50);
            load.stop();
            assertEquals(List.of(), List.copyOf(load.failures), () -> "failed requests across the reloads; router log:\n"
                    + log().lines().filter(l -> l.contains("status=") || l.contains("SIGHUP"))
                            .collect(java.util.stream.Collectors.joining("\n")));
        }
        assertTrue(n1.isAlive());
        assertTrue(router.isAlive());
    }

    private UwsgiProcess subscribedNode(String name, int subscriptionServer) throws Exception {
        UwsgiProcess node = UwsgiProcess.startEcho(dir, name, "--master", "--processes", "2", "--subscribe2",
                "server=127.0.0.1:" + subscriptionServer + ",key=app.test");
        started.add(node);
        return node;
    }

    private static int freeUdpPort() throws IOException {
        try (java.net.DatagramSocket socket = new java.net.DatagramSocket(0)) {
            return socket.getLocalPort();
        }
    }

    // ---------------------------------------------------------------- the processes

    private UwsgiProcess node(String name) throws Exception {
        UwsgiProcess node = UwsgiProcess.startEcho(dir, name, "--master", "--processes", "2");
        started.add(node);
        return node;
    }

    /** Writes the router's ini, {@code lines} under {@code [uwsgi]}. */
    private Path ini(String... lines) throws IOException {
        ini = dir.resolve("router.ini");
        Files.writeString(ini, "[uwsgi]\n" + String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        return ini;
    }

    private void startRouter(Path config) throws Exception {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "--ini", config.toString(), "--http-keepalive", "--http-processes", "2", "--reload-mercy", "5"));
        router = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("corerouter.log").toFile()).start();
        long listeners = Files.readAllLines(config).stream()
                .filter(l -> l.startsWith("http ") || l.startsWith("https ")).count();
        await("the router's " + listeners + " listeners bound", () -> {
            assertTrue(router.isAlive(), () -> "the router exited: " + log());
            return log().lines().filter(l -> l.contains(" bound on ")).count() >= listeners;
        });
    }

    /** Sends SIGHUP and returns the reload's log line once it is written. */
    private String reload() throws Exception {
        int before = reloads;
        signal("HUP");
        await("the reload's log line", () -> reloadLines().size() > before);
        reloads = reloadLines().size();
        String line = reloadLines().get(reloads - 1);
        assertTrue(line.contains("SIGHUP: reload: applied"), () -> line + "\n" + log());
        return line;
    }

    private List<String> reloadLines() {
        return log().lines().filter(l -> l.contains("SIGHUP: reload")).toList();
    }

    private RawHttpClient client(int port) throws IOException {
        RawHttpClient client = new RawHttpClient(new InetSocketAddress("127.0.0.1", port));
        started.add(client);
        return client;
    }

    private static String nodeOf(RawHttpClient client) throws IOException {
        RawHttpClient.Response response = client.send(GET).read();
        assertEquals(200, response.status(), response.statusLine());
        return nodeName(response);
    }

    private static String nodeName(RawHttpClient.Response response) {
        Matcher m = NODE.matcher(response.bodyText());
        return m.find() ? m.group(1) : "?";
    }

    private void signal(String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(router.pid())).start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -" + name);
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

    /** The certificate a Java TLS client is served on {@code port} (no SNI name, no verification). */
    private static X509Certificate servedCertificate(int port) throws Exception {
        return TlsProbe.servedCertificate(port, null);
    }
}
