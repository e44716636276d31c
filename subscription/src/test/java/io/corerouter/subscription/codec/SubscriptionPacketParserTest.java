package io.corerouter.subscription.codec;

import static io.corerouter.subscription.testing.Datagrams.raw;
import static io.corerouter.subscription.testing.Datagrams.record;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.subscription.testing.Datagrams;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SubscriptionPacketParserTest {
    static byte[] resource(String name) throws IOException {
        try (InputStream in = SubscriptionPacketParserTest.class.getResourceAsStream("/io/corerouter/subscription/" + name)) {
            return Datagrams.hex(new String(in.readAllBytes(), StandardCharsets.US_ASCII));
        }
    }

    static SubscriptionPacket parse(byte[] datagram) {
        ByteBuf buf = Unpooled.wrappedBuffer(datagram);
        try {
            return SubscriptionPacketParser.parse(buf);
        } finally {
            buf.release();
        }
    }

    static String rejection(byte[] datagram) {
        return assertThrows(InvalidSubscriptionException.class, () -> parse(datagram)).getMessage();
    }

    @Test
    void uwsgiSubscribeToGolden() throws IOException {
        // captured from uwsgi 2.0.21 --subscribe-to 127.0.0.1:PORT:other.test --socket /tmp/subexp/n.sock
        SubscriptionPacket p = parse(resource("uwsgi-2.0.21-subscribe-to.hex"));
        assertFalse(p.unsubscribe());
        assertEquals("other.test", p.key());
        assertEquals("/tmp/subexp/n.sock", p.address());
        assertEquals(0, p.modifier1());
        assertEquals(0, p.modifier2());
        assertEquals(1, p.cores());
        assertEquals(0, p.load());
        assertEquals(0, p.weight());
        assertEquals(1, p.effectiveWeight());
        assertEquals(0, p.unix());
        assertNull(p.notifyPath());
        assertFalse(p.signed());
    }

    @Test
    void uwsgiSignedSubscribe2Golden() throws IOException {
        // uwsgi 2.0.21 --subscribe2 server=...,key=app.test,weight=3,sign=SHA256:priv.pem
        byte[] datagram = resource("uwsgi-2.0.21-signed-subscribe2.hex");
        SubscriptionPacket p = parse(datagram);
        assertEquals("app.test", p.key());
        assertEquals(3, p.weight());
        assertEquals(1795226982L, p.unix());
        assertEquals(256, p.signature().length); // a 2048-bit RSA signature
        // the signed base is every var byte before the sign record
        int base = datagram.length - 4 - (2 + 4 + 2 + 256);
        assertArrayEquals(Arrays.copyOfRange(datagram, 4, 4 + base), p.signedBase());
    }

    @Test
    void specExample() {
        // spec §1.6
        byte[] datagram = raw(0, record("key", "fed.example"), record("address", "127.0.0.1:18070"),
                record("modifier1", "5"), record("modifier2", "0"), record("cores", "0"), record("load", "0"),
                record("weight", "0"), record("sni_key", "/k"), record("sni_crt", "/c"));
        SubscriptionPacket p = parse(datagram);
        assertEquals("fed.example", p.key());
        assertEquals("127.0.0.1:18070", p.address());
        assertEquals(5, p.modifier1());
        assertEquals("/k", p.sniKey());
        assertEquals("/c", p.sniCrt());
        assertNull(p.sniCa());
    }

    @Test
    void headerModifier1AndDatasizeAreIgnoredModifier2DecidesTheCommand() {
        byte[] datagram = raw(2, record("key", "a"), record("address", "/s"));
        datagram[0] = 5;
        datagram[1] = 0; // wrong datasize
        datagram[2] = 0;
        SubscriptionPacket p = parse(datagram);
        assertTrue(p.unsubscribe());
        assertEquals("a", p.key());
    }

    @Test
    void laterVarsWinAndUnknownVarsAreIgnored() {
        SubscriptionPacket p = parse(raw(0, record("key", "a"), record("algo", "iphash"), record("address", "/s"),
                record("key", "b"), record("weight", "7")));
        assertEquals("b", p.key());
        assertEquals(7, p.weight());
    }

    @Test
    void writerRoundTrip() {
        SubscriptionPacket sent = new SubscriptionPacket(true, "k\u00e9y", "[::1]:3031", 5, 9, 4, 2, 3, 0,
                "/tmp/notify", "/k", "/c", "/ca", null, null, "puwsgi");
        SubscriptionPacket read = parse(Datagrams.of(sent));
        assertEquals(sent, read);
    }

    @Test
    void anUnknownProtoIsMalformed() {
        SubscriptionPacket sent = SubscriptionPacket.of(false, "k", "127.0.0.1:1").withProto("gopher");
        assertThrows(InvalidSubscriptionException.class, () -> parse(Datagrams.of(sent)));
    }

    @Test
    void keyOf255BytesIsAccepted() {
        String key = "k".repeat(255);
        assertEquals(key, parse(raw(0, record("key", key), record("address", "/s"))).key());
    }

    @Test
    void signMustBeLast() {
        String sign = record("sign", "xx");
        assertEquals("sign is not the last var",
                rejection(raw(0, record("key", "a"), sign, record("address", "/s"))));
        assertTrue(parse(raw(0, record("key", "a"), record("address", "/s"), sign)).signed());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3})
    void shorterThanTheHeader(int length) {
        assertTrue(rejection(new byte[length]).contains("shorter than the uwsgi header"));
    }

    @Test
    void oversize() {
        byte[] big = raw(0, record("key", "a"), record("address", "/s"), record("x", "y".repeat(4096)));
        assertTrue(rejection(big).contains("max 4096"));
    }

    @Test
    void rejectedWhole() {
        String key = record("key", "a");
        String address = record("address", "/s");
        // truncated record after key: uWSGI would still create the slot
        assertTrue(rejection(raw(0, key, "\u0007\u0000addr")).contains("overruns"));
        assertTrue(rejection(raw(0, key, address, "\u0001")).contains("truncated"));
        assertTrue(rejection(raw(0, key, address, "\u0000\u0000")).contains("zero-length key"));
        assertEquals("no key", rejection(raw(0, address)));
        assertEquals("no address", rejection(raw(0, key)));
        assertTrue(rejection(raw(0, record("key", ""), address)).startsWith("key of 0 bytes"));
        assertTrue(rejection(raw(0, record("key", "k".repeat(256)), address)).startsWith("key of 256 bytes"));
        assertTrue(rejection(raw(0, key, record("address", ""))).startsWith("address of 0 bytes"));
        assertTrue(rejection(raw(0, key, record("address", "a".repeat(256)))).startsWith("address of 256"));
        assertTrue(rejection(raw(0, key, address, record("weight", "3x"))).contains("not a decimal number"));
        assertTrue(rejection(raw(0, key, address, record("weight", "-1"))).contains("not a decimal number"));
        assertTrue(rejection(raw(0, key, address, record("weight", ""))).contains("weight"));
        assertTrue(rejection(raw(0, key, address, record("load", "99999999999999999999"))).contains("load"));
        assertTrue(rejection(raw(0, key, address, record("modifier1", "256"))).contains("modifier1: 256"));
        assertTrue(rejection(raw(0, key, address, record("notify", "n".repeat(102)))).startsWith("notify of 102"));
    }
}
