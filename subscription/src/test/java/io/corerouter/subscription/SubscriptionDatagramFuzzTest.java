package io.corerouter.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.subscription.codec.SubscriptionPacket;
import io.corerouter.subscription.table.SubscriptionNode;
import io.corerouter.subscription.table.SubscriptionSlot;
import io.corerouter.subscription.table.SubscriptionTable;
import io.corerouter.subscription.testing.Datagrams;
import io.corerouter.subscription.testing.ManualClock;
import io.corerouter.subscription.testing.QueueExecutor;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Property test of the datagram path (server decode + table apply) with generated datagrams: random
 * bytes, valid packets with random mutations (flipped bytes, cuts, appended garbage, broken length
 * fields), and random record soups. Properties: no exception escapes, and a datagram that is
 * rejected (malformed or refused) never changes the table.
 */
class SubscriptionDatagramFuzzTest {
    private static final String[] KEYS = {"a.test", "b.test", ".test", "c", "k".repeat(255)};
    private static final String[] ADDRESSES = {"/a.sock", "127.0.0.1:3031", ":3032", "[::1]:3033", "@abs", "host:1"};
    private static final String[] VARS = {"key", "address", "modifier1", "modifier2", "cores", "load", "weight",
        "unix", "sign", "notify", "sni_key", "sni_crt", "sni_ca", "algo", "x"};

    private final SplittableRandom random = new SplittableRandom(0x5eed_2021L);
    private final ManualClock clock = new ManualClock();
    private final QueueExecutor subscriptionThread = new QueueExecutor();
    private final SubscriptionTable table = new SubscriptionTable("fuzz", SubscriptionOptions.DEFAULTS,
            Optional.empty(), clock, subscriptionThread);
    private final SubscriptionServer server = new SubscriptionServer("fuzz", table, null, null, null);
    private final InetSocketAddress sender = new InetSocketAddress("127.0.0.1", 9);

    @Test
    void noExceptionEscapesAndRejectedDatagramsNeverChangeTheTable() {
        int rejected = 0;
        int accepted = 0;
        for (int i = 0; i < 100_000; i++) {
            byte[] datagram = switch (random.nextInt(4)) {
                case 0 -> randomBytes();
                case 1 -> recordSoup();
                default -> mutate(validPacket());
            };
            String before = fingerprint();
            ByteBuf buf = Unpooled.wrappedBuffer(datagram);
            SubscriptionTable.Outcome outcome;
            try {
                outcome = server.receive(buf, sender);
            } finally {
                buf.release();
            }
            if (outcome == null || !outcome.accepted()) {
                rejected++;
                assertEquals(before, fingerprint(), () -> "rejected datagram changed the table: "
                        + Arrays.toString(datagram));
            } else {
                accepted++;
            }
            if (random.nextInt(100) == 0) {
                clock.advance(Duration.ofSeconds(random.nextInt(20)));
                subscriptionThread.drain();
            }
            if (i % 1000 == 999) {
                // mutated keys pile up: expire everything now and then so the table stays small
                clock.advance(Duration.ofSeconds(60));
                table.sweep();
                subscriptionThread.drain();
                assertEquals(0, table.size());
            }
        }
        assertTrue(rejected > 5_000, "rejected: " + rejected);
        assertTrue(accepted > 5_000, "accepted: " + accepted);
        assertTrue(server.malformed() > 5_000, "malformed: " + server.malformed());
    }

    @Test
    void eachKindOfMalformedDatagramLeavesTheTableAlone() {
        receive(Datagrams.of(SubscriptionPacket.of(false, "a.test", "/a.sock").withWeight(2)));
        String key = Datagrams.record("key", "a.test");
        String address = Datagrams.record("address", "/b.sock");
        List<byte[]> malformed = List.of(
                new byte[] {(byte) 224, 0, 0},                                        // under 4 bytes
                Datagrams.raw(0, key, "\u0007\u0000addr"),                            // truncated record
                Datagrams.raw(0, key, address, "\u0001"),                              // half a key length
                Datagrams.raw(0, Datagrams.record("key", "k".repeat(256)), address),  // key over 255
                Datagrams.raw(0, Datagrams.record("key", ""), address),               // empty key
                Datagrams.raw(0, key, Datagrams.record("address", "")),               // empty address
                Datagrams.raw(0, key, address, Datagrams.record("weight", "1e3")),    // not a number
                Datagrams.raw(0, key, address, Datagrams.record("x", "y".repeat(4096))), // over 4096 bytes
                Datagrams.raw(1, key, Datagrams.record("address", "/a.sock"), "\u0000\u0000")); // broken unsubscribe
        String before = fingerprint();
        for (byte[] datagram : malformed) {
            assertEquals(null, receive(datagram), Arrays.toString(datagram));
            assertEquals(before, fingerprint());
        }
        assertEquals(malformed.size(), server.malformed());
        assertEquals(1, table.slot("a.test").orElseThrow().nodes().size());
    }

    private SubscriptionTable.Outcome receive(byte[] datagram) {
        ByteBuf buf = Unpooled.wrappedBuffer(datagram);
        try {
            return server.receive(buf, sender);
        } finally {
            buf.release();
        }
    }

    private byte[] randomBytes() {
        byte[] out = new byte[random.nextInt(random.nextBoolean() ? 16 : 5000)];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) random.nextInt(256);
        }
        return out;
    }

    private SubscriptionPacket randomPacket() {
        SubscriptionPacket p = SubscriptionPacket.of(random.nextInt(4) == 0, pick(KEYS), pick(ADDRESSES));
        return p.withWeight(random.nextInt(5)).withModifiers(random.nextInt(3), random.nextInt(2));
    }

    private byte[] validPacket() {
        return Datagrams.of(randomPacket());
    }

    private byte[] mutate(byte[] datagram) {
        int mutations = random.nextInt(4); // 0: stays valid
        byte[] out = datagram;
        for (int m = 0; m < mutations; m++) {
            switch (random.nextInt(5)) {
                case 0 -> { // flip a byte
                    if (out.length > 0) {
                        out = out.clone();
                        out[random.nextInt(out.length)] = (byte) random.nextInt(256);
                    }
                }
                case 1 -> out = Arrays.copyOf(out, random.nextInt(out.length + 1)); // cut
                case 2 -> { // append garbage
                    byte[] tail = randomBytes();
                    byte[] longer = Arrays.copyOf(out, out.length + Math.min(tail.length, 64));
                    System.arraycopy(tail, 0, longer, out.length, longer.length - out.length);
                    out = longer;
                }
                case 3 -> { // break a length field of the vars block
                    if (out.length > 6) {
                        out = out.clone();
                        int at = 4 + random.nextInt(out.length - 5);
                        out[at] = (byte) random.nextInt(256);
                        out[at + 1] = (byte) random.nextInt(3);
                    }
                }
                default -> { // command byte
                    out = out.clone();
                    if (out.length > 3) {
                        out[3] = (byte) random.nextInt(256);
                    }
                }
            }
        }
        return out;
    }

    private byte[] recordSoup() {
        ByteArrayOutputStream vars = new ByteArrayOutputStream();
        int n = random.nextInt(12);
        for (int i = 0; i < n; i++) {
            String key = pick(VARS);
            if ((key.equals("key") || key.equals("address")) && random.nextInt(50) != 0) {
                // mostly known keys and addresses, so the table stays small and packets meet existing nodes
                vars.writeBytes(Datagrams.record(key, pick(key.equals("key") ? KEYS : ADDRESSES))
                        .getBytes(StandardCharsets.ISO_8859_1));
                continue;
            }
            String value = switch (random.nextInt(5)) {
                case 0 -> pick(KEYS);
                case 1 -> pick(ADDRESSES);
                case 2 -> Integer.toString(random.nextInt(400));
                case 3 -> "";
                default -> new String(randomBytes(), StandardCharsets.ISO_8859_1);
            };
            vars.writeBytes(Datagrams.record(key, value).getBytes(StandardCharsets.ISO_8859_1));
        }
        return Datagrams.raw(random.nextInt(3), vars.toByteArray());
    }

    private String pick(String[] choices) {
        return choices[random.nextInt(choices.length)];
    }

    /** Everything a packet may change, in a stable order. */
    private String fingerprint() {
        StringBuilder out = new StringBuilder();
        for (SubscriptionSlot slot : table.slots()) {
            out.append(slot.key()).append('{');
            for (SubscriptionNode node : slot.nodes()) {
                out.append(node.name()).append(' ').append(node.weight()).append(' ').append(node.isDead())
                   .append(' ').append(node.modifier1()).append(' ').append(node.modifier2()).append(' ')
                   .append(node.lastCheck()).append(' ').append(node.failures()).append(' ')
                   .append(node.unixCheck()).append(';');
            }
            out.append('}');
        }
        return out.append(table.isAvailable()).toString();
    }
}
