package io.corerouter.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.corerouter.core.testing.OpensslClient;
import io.corerouter.core.testing.OpensslPki;
import io.corerouter.core.testing.UwsgiProcess;
import io.corerouter.subscription.table.SubscriptionSlot;
import io.corerouter.subscription.table.SubscriptionTable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SNI contexts pushed by real uWSGI nodes (spec §5.4, §8.2 item 11): a node subscribing to the HTTPS
 * router with {@code sni_key}/{@code sni_crt} makes the router serve its certificate to clients asking
 * for the key's host name ({@code openssl s_client -servername}); when the node unsubscribes, the
 * default certificate is served again, for {@code host:port} keys too (deviations.md "Subscriptions").
 */
class SniSubscriptionTest {
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

    private UwsgiProcess node(String name, String subscribe2) throws Exception {
        return running.node(dir, name, "--subscribe2", subscribe2);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Running.await(what, condition);
    }

    private static boolean sniEnabled(SubscriptionTable table, String key) {
        return table.slot(key).map(SubscriptionSlot::sniEnabled).orElse(false);
    }

    /** One HTTPS request with {@code -servername name}: the served subject and what came back. */
    private static OpensslClient.Result request(int port, String serverName, String host) throws Exception {
        OpensslClient.Result result = OpensslClient.to(port).serverName(serverName)
                .send("GET /x HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
        assertTrue(result.handshakeOk(), result::toString);
        return result;
    }

    private static int sniEnabledInStats(Corerouter router, String key) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(router.httpStats().channel().localAddress(), 10_000);
            socket.setSoTimeout(30_000);
            for (JsonNode slot : JSON.readTree(socket.getInputStream().readAllBytes()).get("subscriptions")) {
                if (slot.get("key").asText().equals(key)) {
                    return slot.get("sni_enabled").asInt();
                }
            }
        }
        return -1;
    }

    @Test
    void aNodesPushedCertificateIsServedUntilItUnsubscribes() throws Exception {
        OpensslPki pki = OpensslPki.create(dir);
        OpensslPki.Pair def = pki.server("default", "default.test");
        OpensslPki.Pair pushed = pki.server("pushed", "pushed.test");
        OpensslPki.Pair ported = pki.server("ported", "ported.test");
        Corerouter router = router("--https", "127.0.0.1:0," + def.cert() + "," + def.key(),
                "--http-subscription-server", "127.0.0.1:0", "--http-stats", "127.0.0.1:0");
        int port = ((InetSocketAddress) router.http().listeners().get(0).localAddress()).getPort();
        InetSocketAddress udp = (InetSocketAddress) router.httpSubscriptions().channels().get(0).localAddress();
        String server = "server=127.0.0.1:" + udp.getPort();
        SubscriptionTable table = router.httpSubscriptions().table();
        assertEquals("/O=Test/CN=default.test", request(port, "pushed.test", "pushed.test").subject());

        UwsgiProcess plain = node("plain", server + ",key=pushed.test,sni_key=" + pushed.key() + ",sni_crt="
                + pushed.cert());
        UwsgiProcess withPort = node("port", server + ",key=ported.test:8443,sni_key=" + ported.key() + ",sni_crt="
                + ported.cert());
        await("pushed.test's context", () -> sniEnabled(table, "pushed.test"));
        await("ported.test's context", () -> sniEnabled(table, "ported.test:8443"));
        assertEquals(1, sniEnabledInStats(router, "pushed.test"));

        OpensslClient.Result viaPushed = request(port, "pushed.test", "pushed.test");
        assertEquals("/O=Test/CN=pushed.test", viaPushed.subject());
        assertTrue(viaPushed.stdout().contains("\"node\": \"plain\""), viaPushed::toString);
        OpensslClient.Result viaPorted = request(port, "ported.test", "ported.test:8443");
        assertEquals("/O=Test/CN=ported.test", viaPorted.subject(), "the name is the key up to its ':'");
        assertTrue(viaPorted.stdout().contains("\"node\": \"port\""), viaPorted::toString);

        plain.interrupt(); // a uWSGI master unsubscribes on SIGINT: the key's last node leaves
        withPort.interrupt();
        await("both keys to leave", () -> table.size() == 0);
        assertEquals("/O=Test/CN=default.test", request(port, "pushed.test", "pushed.test").subject());
        assertEquals("/O=Test/CN=default.test", request(port, "ported.test", "ported.test").subject(),
                "host:port keys free their context too (uWSGI leaks it)");
    }
}
