package io.corerouter.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.core.codec.uwsgi.UwsgiVars;
import io.corerouter.core.config.RouterConfig;
import io.corerouter.core.server.Router;
import io.corerouter.core.testing.OpensslPki;
import io.corerouter.core.testing.RawHttpClient;
import io.corerouter.core.testing.UwsgiProcess;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Corerouter#reload} for each router kind, in process, against real uWSGI nodes: the
 * fastrouter and the rawrouter move to a new node list on the listener they keep, the sslrouter
 * serves a new certificate, restart-only options are reported and kept, and a reload that cannot
 * bind a new listener changes nothing.
 */
class CorerouterReloadTest {
    private static final Pattern NODE = Pattern.compile("\"node\": \"([^\"]*)\"");

    @TempDir
    Path dir;

    private final Running running = new Running();

    @AfterEach
    void stop() {
        running.close();
    }

    @Test
    void fastrouterFollowsTheNewNodeListAndReportsRestartOnlyOptions() throws Exception {
        UwsgiProcess n1 = running.node(dir, "n1");
        UwsgiProcess n2 = running.node(dir, "n2");
        Corerouter router = running.router("--fastrouter", "127.0.0.1:0", "--fastrouter-to", n1.address(),
                "--fastrouter-processes", "1");
        int port = port(router.fastrouter());
        assertEquals("n1", fastNode(port));

        String line = router.reload(RouterConfig.parse("--fastrouter", "127.0.0.1:0", "--fastrouter-to", n2.address(),
                "--fastrouter-processes", "2", "--rawrouter", "127.0.0.1:0", "--rawrouter-to", n1.address()));
        assertTrue(line.contains("fastrouter-to=[" + n2.address() + "]"), line);
        assertTrue(line.contains("needs a restart, left as it was: "), line);
        assertTrue(line.contains("fastrouter-processes"), line);
        assertTrue(line.contains("--rawrouter (a router added)"), line);
        assertEquals(port, port(router.fastrouter()), "the listener kept its socket");
        assertEquals("n2", fastNode(port));
        assertEquals(1, router.fastrouter().runtime().common().processes(), "restart-only options are kept");
        assertEquals(null, router.rawrouter(), "a router kind is only added by a restart");
    }

    @Test
    void rawrouterFollowsTheNewNodeList() throws Exception {
        UwsgiProcess r1 = running.add(UwsgiProcess.startEchoOn(dir, "r1", "--http-socket"));
        UwsgiProcess r2 = running.add(UwsgiProcess.startEchoOn(dir, "r2", "--http-socket"));
        Corerouter router = running.router("--rawrouter", "127.0.0.1:0", "--rawrouter-to", r1.address());
        int port = port(router.rawrouter());
        assertEquals("r1", httpNode(port));
        String line = router.reload(RouterConfig.parse("--rawrouter", "127.0.0.1:0", "--rawrouter-to", r2.address(),
                "--rawrouter-max-retries", "1"));
        assertTrue(line.contains("rawrouter-to=[" + r2.address() + "]"), line);
        assertTrue(line.contains("rawrouter maxRetries"), line);
        assertEquals("r2", httpNode(port));
    }

    @Test
    void sslrouterServesTheNewCertificate() throws Exception {
        UwsgiProcess r1 = running.add(UwsgiProcess.startEchoOn(dir, "r1", "--http-socket"));
        OpensslPki pki = OpensslPki.create(dir);
        OpensslPki.Pair first = pki.server("first", "first.test");
        OpensslPki.Pair second = pki.server("second", "second.test");
        Corerouter router = running.router("--sslrouter", "127.0.0.1:0," + first.cert() + "," + first.key(),
                "--sslrouter-to", r1.address());
        int port = port(router.sslrouter());
        assertTrue(servedCertificate(port).getSubjectX500Principal().getName().contains("CN=first.test"));
        String line = router.reload(RouterConfig.parse("--sslrouter", "127.0.0.1:0," + second.cert() + "," + second.key(),
                "--sslrouter-to", r1.address()));
        assertTrue(line.contains("sslrouter 127.0.0.1:0 certificate="), line);
        assertEquals(port, port(router.sslrouter()));
        assertTrue(servedCertificate(port).getSubjectX500Principal().getName().contains("CN=second.test"));
    }

    @Test
    void aListenerThatCannotBindLeavesTheRouterAsItWas() throws Exception {
        UwsgiProcess n1 = running.node(dir, "n1");
        UwsgiProcess n2 = running.node(dir, "n2");
        Corerouter router = running.router("--http", "127.0.0.1:0", "--http-to", n1.address());
        int port = port(router.http());
        try (ServerSocket taken = new ServerSocket(0)) {
            Corerouter.ReloadException e = assertThrows(Corerouter.ReloadException.class,
                    () -> router.reload(RouterConfig.parse("--http", "127.0.0.1:0", "--http", "127.0.0.1:" + taken.getLocalPort(),
                            "--http-to", n2.address())));
            assertTrue(e.getMessage().startsWith("http: "), e.getMessage());
        }
        assertEquals(1, router.http().listeners().size());
        try (RawHttpClient client = new RawHttpClient(new InetSocketAddress("127.0.0.1", port))) {
            assertEquals("n1", node(client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().bodyText()));
        }
        assertEquals("reload: no change", router.reload(RouterConfig.parse("--http", "127.0.0.1:0", "--http-to", n1.address())));
    }

    @Test
    void theStatsServerMovesToItsNewAddress() throws Exception {
        UwsgiProcess n1 = running.node(dir, "n1");
        Corerouter router = running.router("--http", "127.0.0.1:0", "--http-to", n1.address(), "--http-stats", "127.0.0.1:0");
        InetSocketAddress before = (InetSocketAddress) router.httpStats().channel().localAddress();
        int free;
        try (ServerSocket probe = new ServerSocket(0)) {
            free = probe.getLocalPort();
        }
        String line = router.reload(RouterConfig.parse("--http", "127.0.0.1:0", "--http-to", n1.address(),
                "--http-stats", "127.0.0.1:" + free, "--stats-http"));
        assertTrue(line.contains("http-stats=127.0.0.1:" + free), line);
        assertTrue(line.contains("stats-http=true"), line);
        try (Socket socket = new Socket("127.0.0.1", free)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(answer.startsWith("HTTP/1."), answer);
            assertTrue(answer.contains("\"version\""), answer);
        }
        assertThrows(IOException.class, () -> new Socket("127.0.0.1", before.getPort()).close(),
                "the old address is closed");
    }

    private static int port(Router router) {
        return ((InetSocketAddress) router.listeners().get(0).localAddress()).getPort();
    }

    /** One uwsgi request through the fastrouter; the echo node's name. */
    private static String fastNode(int port) throws IOException {
        ByteBuf out = Unpooled.buffer();
        int header = UwsgiVars.beginPacket(out);
        String[] vars = {"REQUEST_METHOD", "GET", "PATH_INFO", "/", "SERVER_PROTOCOL", "HTTP/1.1", "SERVER_NAME", "a.test",
            "SERVER_PORT", "80", "REMOTE_ADDR", "127.0.0.1"};
        for (int i = 0; i < vars.length; i += 2) {
            UwsgiVars.add(out, vars[i], vars[i + 1]);
        }
        UwsgiVars.finishPacket(out, header, 0, 0);
        byte[] packet = ByteBufUtil.getBytes(out);
        out.release();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(packet);
            return node(new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1));
        }
    }

    private static String httpNode(int port) throws IOException {
        try (RawHttpClient client = new RawHttpClient(new InetSocketAddress("127.0.0.1", port))) {
            RawHttpClient.Response response = client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertEquals(200, response.status(), response.statusLine());
            return node(response.bodyText());
        }
    }

    private static String node(String response) {
        Matcher m = NODE.matcher(response);
        assertTrue(m.find(), response);
        return m.group(1);
    }

    private static X509Certificate servedCertificate(int port) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
                // the test reads the certificate, it does not trust it
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }
}
