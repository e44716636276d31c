package io.corerouter.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.core.testing.Commands;
import io.corerouter.core.testing.OpensslClient;
import io.corerouter.core.testing.OpensslPki;
import io.corerouter.subscription.table.SubscriptionSlot;
import io.corerouter.subscription.table.SubscriptionTable;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SEC1 EC keys ({@code BEGIN EC PRIVATE KEY}, as {@code openssl ecparam -genkey} writes them) served
 * end to end by the HTTPS router, to real clients: the default certificate (P-256, the key file
 * starting with an {@code EC PARAMETERS} block), an {@code --sni} entry (P-384, no parameters block),
 * an {@code --sni-dir} entry and a certificate a real uWSGI node pushes by subscription
 * ({@code sni_key}). curl verifies each certificate and gets the node's answer; {@code openssl
 * s_client} shows the handshake signed with ECDSA, in TLS 1.3 and in TLS 1.2 (ECDHE-ECDSA suite).
 */
class HttpsKeyFormsTest {
    @TempDir
    Path dir;

    private final Running running = new Running();

    @AfterEach
    void stopEverything() {
        running.close();
    }

    /** A self-signed certificate for {@code name} on a SEC1 key that {@code openssl ecparam -genkey} wrote. */
    private OpensslPki.Pair sec1(Path base, String name, String curve, boolean withParameters) throws Exception {
        OpensslPki.Pair pair = new OpensslPki.Pair(base.resolve(name + ".crt"), base.resolve(name + ".key"));
        List<String> genkey = new ArrayList<>(List.of("ecparam", "-genkey", "-name", curve, "-out", pair.key().toString()));
        if (!withParameters) {
            genkey.add("-noout");
        }
        OpensslPki.openssl(genkey);
        assertTrue(Files.readString(pair.key()).startsWith(withParameters ? "-----BEGIN EC PARAMETERS-----"
                : "-----BEGIN EC PRIVATE KEY-----"));
        OpensslPki.openssl(List.of("req", "-x509", "-key", pair.key().toString(), "-out", pair.cert().toString(),
                "-subj", "/CN=" + name, "-addext", "subjectAltName=DNS:" + name, "-days", "2"));
        return pair;
    }

    /** curl, verifying the certificate against {@code ca}: status and body (Host without the port: the key). */
    private static String curl(int port, String name, Path ca) throws Exception {
        Commands.Result result = Commands.run(List.of("curl", "-sS", "--max-time", "20", "--cacert", ca.toString(),
                "--resolve", name + ":" + port + ":127.0.0.1", "-H", "Host: " + name, "-w", "\nstatus=%{http_code}",
                "https://" + name + ":" + port + "/keys"), "");
        assertEquals(0, result.exit(), result::all);
        return result.stdout();
    }

    /** s_client's view of a handshake for {@code name}: ECDSA signed, with a key of {@code bits}. */
    private static void assertEcdsa(int port, String name, int bits, boolean tls12) throws Exception {
        OpensslClient client = OpensslClient.to(port).serverName(name);
        OpensslClient.Result result = (tls12 ? client.tls12() : client.tls13())
                .send("GET / HTTP/1.1\r\nHost: " + name + "\r\nConnection: close\r\n\r\n");
        assertTrue(result.handshakeOk(), result::toString);
        assertEquals("/CN=" + name, result.subject(), result::toString);
        assertTrue(result.stdout().contains("Peer signature type: ECDSA"), result::toString);
        assertTrue(result.stdout().contains("Server public key is " + bits + " bit"), result::toString);
        if (tls12) {
            assertTrue(result.stdout().contains("Cipher is ECDHE-ECDSA-"), result::toString);
        }
    }

    @Test
    void anEncryptedSec1KeyStopsStartUpNamingTheListenerAndTheFile() throws Exception {
        OpensslPki.Pair plain = sec1(dir, "enc.test", "prime256v1", false);
        Path encrypted = dir.resolve("encrypted.key");
        OpensslPki.openssl(List.of("ec", "-aes256", "-passout", "pass:secret", "-in", plain.key().toString(),
                "-out", encrypted.toString()));
        Exception e = assertThrows(Exception.class,
                () -> running.router("--https", "127.0.0.1:0," + plain.cert() + "," + encrypted));
        assertTrue(e.getMessage().startsWith("https ") && e.getMessage().contains(encrypted + ": encrypted private keys"
                + " are not supported (decrypt it: openssl pkey"), e.getMessage());
    }

    @Test
    void sec1KeysAreServedForTheDefaultSniDirectoryAndPushedCertificates() throws Exception {
        Path sniDir = Files.createDirectory(dir.resolve("sni"));
        OpensslPki.Pair def = sec1(dir, "ec.test", "prime256v1", true);
        OpensslPki.Pair sni = sec1(dir, "sni.test", "secp384r1", false);
        OpensslPki.Pair inDir = sec1(sniDir, "dir.test", "prime256v1", true);
        OpensslPki.Pair pushed = sec1(dir, "pushed.test", "prime256v1", false);
        Corerouter router = running.router("--https", "127.0.0.1:0," + def.cert() + "," + def.key(),
                "--sni", "sni.test " + sni.cert() + "," + sni.key(), "--sni-dir", sniDir.toString(),
                "--http-subscription-server", "127.0.0.1:0");
        int port = ((InetSocketAddress) router.http().listeners().get(0).localAddress()).getPort();
        InetSocketAddress udp = (InetSocketAddress) router.httpSubscriptions().channels().get(0).localAddress();
        String server = "server=127.0.0.1:" + udp.getPort();
        running.node(dir, "app", "--subscribe2", server + ",key=ec.test", "--subscribe2", server + ",key=sni.test",
                "--subscribe2", server + ",key=dir.test", "--subscribe2", server + ",key=pushed.test,sni_key="
                        + pushed.key() + ",sni_crt=" + pushed.cert());
        SubscriptionTable table = router.httpSubscriptions().table();
        Running.await("pushed.test's context",
                () -> table.slot("pushed.test").map(SubscriptionSlot::sniEnabled).orElse(false));
        Running.await("every key", () -> table.size() == 4);

        for (OpensslPki.Pair pair : List.of(def, sni, inDir, pushed)) {
            String name = pair.cert().getFileName().toString().replace(".crt", "");
            String out = curl(port, name, pair.cert());
            assertTrue(out.endsWith("status=200") && out.contains("\"node\": \"app\"")
                    && out.contains("\"HTTPS\": \"on\""), out);
            int bits = pair == sni ? 384 : 256;
            assertEcdsa(port, name, bits, false);
            assertEcdsa(port, name, bits, true);
        }
    }
}
