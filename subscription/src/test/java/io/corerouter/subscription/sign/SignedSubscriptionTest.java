package io.corerouter.subscription.sign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.subscription.SubscriptionOptions;
import io.corerouter.subscription.codec.SubscriptionPacket;
import io.corerouter.subscription.codec.SubscriptionPacketParser;
import io.corerouter.subscription.codec.SubscriptionPacketWriter;
import io.corerouter.subscription.table.SubscriptionTable;
import io.corerouter.subscription.table.SubscriptionTable.Outcome;
import io.corerouter.subscription.testing.Datagrams;
import io.corerouter.subscription.testing.ManualClock;
import io.corerouter.subscription.testing.QueueExecutor;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import io.corerouter.core.config.NodeProtocol;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Secured subscriptions (spec §2.9, §8.2 item 9) with keys made by openssl. */
class SignedSubscriptionTest {
    @TempDir
    static Path dir;
    private static PacketSigner signer;
    private static PacketSigner otherSigner;

    private final ManualClock clock = new ManualClock();
    private final QueueExecutor subscriptionThread = new QueueExecutor();
    private SubscriptionTable table;

    static void openssl(Path dir, String... args) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(args)).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "openssl timed out");
        assertEquals(0, p.exitValue(), String.join(" ", args) + ": " + output);
    }

    /** Makes DIR/name.key (private, PKCS#8 or PKCS#1) and returns it; the public key goes to keys/KEY.pem. */
    static Path keyPair(Path dir, String name, String publicFile, boolean pkcs1) throws Exception {
        Path keys = Files.createDirectories(dir.resolve("keys"));
        openssl(dir, "openssl", "genrsa", "-out", name + ".key", "2048");
        if (pkcs1) {
            openssl(dir, "openssl", "rsa", "-in", name + ".key", "-traditional", "-out", name + ".pkcs1");
        }
        if (publicFile != null) {
            openssl(dir, "openssl", "rsa", "-in", name + ".key", "-pubout", "-out", keys.resolve(publicFile).toString());
        }
        return dir.resolve(pkcs1 ? name + ".pkcs1" : name + ".key");
    }

    @BeforeAll
    static void makeKeys() throws Exception {
        Path priv = keyPair(dir, "app", "app.test_8000.pem", false);
        Path other = keyPair(dir, "other", null, true);
        signer = new PacketSigner("SHA256withRSA", Pem.readPrivateKey(priv));
        otherSigner = new PacketSigner("SHA256withRSA", Pem.readPrivateKey(other));
        assertTrue(Files.readString(other).contains("BEGIN RSA PRIVATE KEY"), "PKCS#1 is read too");
    }

    @BeforeEach
    void setUp() {
        SubscriptionOptions options = new SubscriptionOptions(SubscriptionOptions.Algo.WRR, Duration.ofSeconds(17),
                false, Optional.of(new SubscriptionOptions.SignCheck("SHA256", dir.resolve("keys"), "SHA256withRSA")),
                Duration.ofSeconds(100));
        table = new SubscriptionTable("test", options, Optional.empty(), clock, subscriptionThread);
    }

    private static final String KEY = "app.test:8000";

    private SubscriptionPacket signed(boolean unsubscribe, String address, long unix, PacketSigner with) {
        ByteBuf out = Unpooled.buffer();
        try {
            SubscriptionPacket packet = SubscriptionPacket.of(unsubscribe, KEY, address).withUnix(unix);
            SubscriptionPacketWriter.write(out, packet, with);
            return SubscriptionPacketParser.parse(out);
        } finally {
            out.release();
        }
    }

    private SubscriptionPacket signed(String address, long unix) {
        return signed(false, address, unix, signer);
    }

    @Test
    void keyFileNamesAreSanitised() {
        assertEquals("test.uwsgi.it_8000", SignatureCheck.sanitize("test.uwsgi.it:8000"));
        assertEquals("_.._etc_passwd", SignatureCheck.sanitize("/../etc/passwd"));
    }

    @Test
    void aSignedSubscriptionIsAccepted() {
        long now = clock.epochSeconds();
        assertEquals(Outcome.NEW_NODE, table.apply(signed("/a.sock", now)));
        assertEquals(now, table.slot(KEY).orElseThrow().nodes().get(0).unixCheck());
        assertEquals(Outcome.NEW_NODE, table.apply(signed("/b.sock", now)), "a new node of a known key");
    }

    @Test
    void unsignedOrWronglySignedPacketsAreDropped() {
        long now = clock.epochSeconds();
        assertEquals(Outcome.UNSIGNED, table.apply(SubscriptionPacket.of(false, KEY, "/a.sock")));
        assertEquals(Outcome.BAD_SIGNATURE, table.apply(signed(false, "/a.sock", now, otherSigner)));
        assertEquals(0, table.size());
        table.apply(signed("/a.sock", now));
        assertEquals(Outcome.UNSIGNED, table.apply(SubscriptionPacket.of(false, KEY, "/a.sock")));
        assertEquals(Outcome.BAD_SIGNATURE, table.apply(signed(false, "/a.sock", now + 1, otherSigner)));
        assertEquals(Outcome.UNSIGNED, table.apply(SubscriptionPacket.of(true, KEY, "/a.sock")),
                "an unsigned unsubscribe for a signed key is refused");
        assertEquals(1, table.slot(KEY).orElseThrow().nodes().size());
    }

    @Test
    void aKeyWithoutPublicKeyFileIsRefused() {
        ByteBuf out = Unpooled.buffer();
        try {
            SubscriptionPacketWriter.write(out, SubscriptionPacket.of(false, "nokey.test", "/a").withUnix(clock.epochSeconds()),
                    signer);
            assertEquals(Outcome.NO_PUBLIC_KEY, table.apply(SubscriptionPacketParser.parse(out)));
        } finally {
            out.release();
        }
    }

    @Test
    void staleAndReplayedPacketsAreRefusedTheCheckAdvancesWithEveryPacket() {
        long now = clock.epochSeconds();
        assertEquals(Outcome.STALE, table.apply(signed("/a.sock", now - 101)));
        SubscriptionPacket first = signed("/a.sock", now);
        assertEquals(Outcome.NEW_NODE, table.apply(first));
        assertEquals(Outcome.REPLAYED, table.apply(first), "the same packet again");
        clock.advance(Duration.ofSeconds(10));
        SubscriptionPacket second = signed("/a.sock", now + 10);
        SubscriptionPacket third = signed("/a.sock", now + 20);
        assertEquals(Outcome.REFRESHED, table.apply(second));
        assertEquals(Outcome.REFRESHED, table.apply(third));
        // uWSGI only remembers the first packet, so it would take the second again (deviations.md)
        assertEquals(Outcome.REPLAYED, table.apply(second));
        assertEquals(now + 20, table.slot(KEY).orElseThrow().nodes().get(0).unixCheck());
        assertEquals(Outcome.STALE, table.apply(signed("/b.sock", now - 200)), "a new node needs a fresh packet");
    }

    @Test
    void signedUnsubscribe() {
        long now = clock.epochSeconds();
        table.apply(signed("/a.sock", now));
        assertEquals(Outcome.BAD_SIGNATURE, table.apply(signed(true, "/a.sock", now + 1, otherSigner)));
        assertEquals(Outcome.UNSUBSCRIBED, table.apply(signed(true, "/a.sock", now + 1, signer)));
        assertEquals(0, table.size());
    }

    @Test
    void verifiesUwsgisOwnSignature() throws Exception {
        // a packet signed by uWSGI 2.0.21 (--subscribe2 ...,sign=SHA256:priv.pem) and its public key
        byte[] datagram;
        try (InputStream in = getClass().getResourceAsStream("/io/corerouter/subscription/uwsgi-2.0.21-signed-subscribe2.hex")) {
            datagram = Datagrams.hex(new String(in.readAllBytes(), StandardCharsets.US_ASCII));
        }
        Path keys = Files.createDirectories(dir.resolve("uwsgi-keys"));
        try (InputStream in = getClass().getResourceAsStream("/io/corerouter/subscription/uwsgi-signed-app.test.pem")) {
            Files.write(keys.resolve("app.test.pem"), in.readAllBytes());
        }
        SignatureCheck check = new SignatureCheck(
                new SubscriptionOptions.SignCheck("SHA256", keys, "SHA256withRSA"), Duration.ofSeconds(86400));
        ByteBuf buf = Unpooled.wrappedBuffer(datagram);
        try {
            SubscriptionPacket packet = SubscriptionPacketParser.parse(buf);
            assertTrue(check.verify(check.loadKey("app.test"), packet));
            byte[] tampered = packet.signedBase().clone();
            tampered[tampered.length - 1] ^= 1;
            assertFalse(check.verify(check.loadKey("app.test"), new SubscriptionPacket(false, packet.key(),
                    packet.address(), 0, 0, 0, 0, 0, packet.unix(), null, null, null, null, packet.signature(), tampered, null)));
        } finally {
            buf.release();
        }
    }

    @Test
    void signaturesTurnedOnByAReloadApplyToKeysAlreadyInTheTable() {
        SubscriptionOptions open = SubscriptionOptions.DEFAULTS;
        SubscriptionTable unchecked = new SubscriptionTable("test", open, Optional.empty(), clock, subscriptionThread);
        long now = clock.epochSeconds();
        assertEquals(Outcome.NEW_NODE, unchecked.apply(SubscriptionPacket.of(false, KEY, "/a.sock")));
        assertEquals(Outcome.NEW_NODE, unchecked.apply(SubscriptionPacket.of(false, KEY, "/b.sock")));
        SubscriptionOptions checked = new SubscriptionOptions(SubscriptionOptions.Algo.WRR, Duration.ofSeconds(17),
                false, Optional.of(new SubscriptionOptions.SignCheck("SHA256", dir.resolve("keys"), "SHA256withRSA")),
                Duration.ofSeconds(100));
        unchecked.reconfigure(checked, Optional.empty(), NodeProtocol.UWSGI);
        subscriptionThread.drain();
        assertEquals(Outcome.UNSIGNED, unchecked.apply(SubscriptionPacket.of(false, KEY, "/a.sock")),
                "a node that does not sign is refused from now on");
        assertEquals(Outcome.BAD_SIGNATURE, unchecked.apply(signed(false, "/a.sock", now, otherSigner)));
        assertEquals(Outcome.REFRESHED, unchecked.apply(signed("/a.sock", now)),
                "the key's public key is read for a key announced before the reload");
        assertEquals(2, unchecked.slot(KEY).orElseThrow().nodes().size(), "nothing was removed by the reload");

        unchecked.reconfigure(open, Optional.empty(), NodeProtocol.UWSGI);
        subscriptionThread.drain();
        assertEquals(Outcome.REFRESHED, unchecked.apply(SubscriptionPacket.of(false, KEY, "/b.sock")));
    }
}
