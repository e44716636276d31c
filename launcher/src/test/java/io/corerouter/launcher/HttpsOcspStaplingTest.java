package io.corerouter.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.core.testing.OcspResponder;
import io.corerouter.core.testing.OpensslClient;
import io.corerouter.core.testing.OpensslPki;
import io.corerouter.subscription.table.SubscriptionSlot;
import io.corerouter.subscription.table.SubscriptionTable;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OCSP stapling on the HTTPS router, end to end with real peers (issue 16): the real
 * {@code openssl ocsp} responder, a real uWSGI node pushing its certificate by subscription
 * ({@code sni_crt}), and {@code openssl s_client -status} showing the stapled responses of the
 * default certificate, an {@code --sni} one and the pushed one.
 */
class HttpsOcspStaplingTest {
    @TempDir
    Path dir;

    private final Running running = new Running();

    @AfterEach
    void stopEverything() {
        running.close();
    }

    private static String status(int port, String name) throws Exception {
        OpensslClient.Result result = OpensslClient.to(port).serverName(name).args("-status")
                .send("GET / HTTP/1.1\r\nHost: " + name + "\r\nConnection: close\r\n\r\n");
        assertTrue(result.handshakeOk(), result::toString);
        return result.stdout();
    }

    @Test
    void defaultSniAndSubscribedCertificatesAreStapled() throws Exception {
        OpensslPki pki = OpensslPki.create(dir);
        OcspResponder responder = running.add(OcspResponder.start(dir, pki.ca(), List.of(
                new OcspResponder.Entry("3001", false), new OcspResponder.Entry("3002", false),
                new OcspResponder.Entry("3003", true))));
        OpensslPki.Pair def = OcspResponder.issue(dir, pki.ca(), "default", "default.test", "3001", responder.url());
        OpensslPki.Pair sni = OcspResponder.issue(dir, pki.ca(), "sni", "sni.test", "3002", responder.url());
        OpensslPki.Pair pushed = OcspResponder.issue(dir, pki.ca(), "pushed", "pushed.test", "3003", responder.url());
        Corerouter router = running.router("--https", "127.0.0.1:0," + OcspResponder.chainOf(def) + "," + def.key(),
                "--sni", "sni.test " + OcspResponder.chainOf(sni) + "," + sni.key(),
                "--http-subscription-server", "127.0.0.1:0", "--ssl-ocsp-stapling");
        int port = ((InetSocketAddress) router.http().listeners().get(0).localAddress()).getPort();
        InetSocketAddress udp = (InetSocketAddress) router.httpSubscriptions().channels().get(0).localAddress();
        running.node(dir, "pushed", "--subscribe2", "server=127.0.0.1:" + udp.getPort() + ",key=pushed.test,sni_key="
                + pushed.key() + ",sni_crt=" + OcspResponder.chainOf(pushed));
        SubscriptionTable table = router.httpSubscriptions().table();
        Running.await("pushed.test's context",
                () -> table.slot("pushed.test").map(SubscriptionSlot::sniEnabled).orElse(false));
        router.tls().refreshOcsp();

        String out = status(port, "default.test");
        assertTrue(out.contains("CN=default.test") && out.contains("Cert Status: good"), out);
        out = status(port, "sni.test");
        assertTrue(out.contains("CN=sni.test") && out.contains("Cert Status: good"), out);
        out = status(port, "pushed.test");
        assertTrue(out.contains("CN=pushed.test") && out.contains("Cert Status: revoked"), out);
        assertEquals(1, out.split("OCSP Response Status: successful", -1).length - 1, out);
    }
}
