package io.corerouter.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.core.config.RouterConfig;
import io.corerouter.core.transport.Transport;
import io.corerouter.subscription.codec.SubscriptionPacket;
import io.corerouter.subscription.codec.SubscriptionPacketParser;
import io.corerouter.subscription.testing.ManualClock;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client side (spec §2.13): what the Subscriber sends, against a plain UDP socket. */
class SubscriberTest {
    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock();
    private EventLoopGroup loop;
    private DatagramSocket server;

    @BeforeEach
    void setUp() throws Exception {
        loop = Transport.detect().newGroup(1, "subscriber-test");
        server = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        server.setSoTimeout(30_000);
    }

    @AfterEach
    void tearDown() {
        server.close();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }

    private SubscriptionPacket receive() throws Exception {
        DatagramPacket datagram = new DatagramPacket(new byte[4096], 4096);
        server.receive(datagram);
        ByteBuf buf = Unpooled.wrappedBuffer(datagram.getData(), 0, datagram.getLength());
        try {
            return SubscriptionPacketParser.parse(buf);
        } finally {
            buf.release();
        }
    }

    private Subscriber subscriber(String... args) throws Exception {
        SubscriberOptions options = RouterConfig.parse(SubscriptionConfigTest.SECTIONS, args)
                .get(SubscriberSection.INSTANCE).orElseThrow();
        return new Subscriber(options, Transport.detect(), loop.next(), clock);
    }

    @Test
    void announcesAtStartAndUnsubscribesOnClose() throws Exception {
        Path maintenance = dir.resolve("maintenance");
        Subscriber subscriber = subscriber("--subscribe2", "server=127.0.0.1:" + server.getLocalPort()
                + ",key=app.test,addr=127.0.0.1:3031,weight=3,modifier1=5,sni_key=/k,sni_crt=/c",
                "--subscription-notify-socket", "/run/ack.sock",
                "--subscribe2", "server=127.0.0.1:" + server.getLocalPort() + ",key=skipped.test,addr=/s,check="
                        + maintenance);
        Files.writeString(maintenance, "down for maintenance");
        subscriber.start();
        SubscriptionPacket first = receive();
        assertFalse(first.unsubscribe());
        assertEquals("app.test", first.key());
        assertEquals("127.0.0.1:3031", first.address());
        assertEquals(3, first.weight());
        assertEquals(5, first.modifier1());
        assertEquals("/k", first.sniKey());
        assertEquals("/c", first.sniCrt());
        assertEquals("/run/ack.sock", first.notifyPath());
        assertFalse(first.signed());
        subscriber.close();
        // the start round may still be in the socket; the last datagram is the unsubscribe
        SubscriptionPacket last = receive();
        while (!last.unsubscribe()) {
            assertEquals("app.test", last.key(), "the check file keeps skipped.test quiet");
            last = receive();
        }
        assertEquals("app.test", last.key());
        assertEquals("127.0.0.1:3031", last.address());
        assertTrue(Files.exists(maintenance));
    }
}
