package io.corerouter.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.corerouter.core.testing.RawHttpClient;
import io.corerouter.core.testing.UwsgiProcess;
import io.corerouter.subscription.codec.SubscriptionPacket;
import io.corerouter.subscription.codec.SubscriptionPacketWriter;
import io.corerouter.subscription.table.SubscriptionCounters;
import io.corerouter.subscription.table.SubscriptionCounters.Drop;
import io.corerouter.subscription.table.SubscriptionNode;
import io.corerouter.subscription.table.SubscriptionSlot;
import io.corerouter.subscription.table.SubscriptionTable;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The subscription server under hostile traffic (issue 15), end to end: a flood of 300,000 valid
 * subscriptions for distinct keys against {@code --subscription-max-keys 1000}, a real uWSGI node
 * ({@code --subscribe2}) that keeps serving through the router during the flood, and the
 * {@code --subscription-allow} list with packets from 127.0.0.1 and 127.0.0.2.
 *
 * <p>Every flood datagram is accounted for: read by the router (counted in
 * {@code subscription_counters}) or dropped by the kernel because the socket's receive queue was
 * full (the {@code drops} column of {@code /proc/net/udp}).
 *
 * <p>The two flood tests lower Netty's leak detection from paranoid to simple while they run: paranoid
 * records a stack trace at every access of every buffer, about 400 µs per datagram on this path, so
 * the router would read 2,500 datagrams a second instead of the 130,000+ it reads in production, and
 * the tests would measure the leak detector. Leaks are still detected (sampled), and every other
 * test of this path runs at paranoid.
 */
class SubscriptionFloodTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int FLOOD = 300_000;
    private static final int MAX_KEYS = 1000;
    private static final Logger SUBSCRIPTION_LOG = Logger.getLogger("io.corerouter.subscription");

    @TempDir
    Path dir;

    private final Running running = new Running();
    private final AtomicLong logLines = new AtomicLong();
    private final AtomicLong logBytes = new AtomicLong();
    private final Handler countLines = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logLines.incrementAndGet();
            logBytes.addAndGet(String.valueOf(record.getMessage()).length());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private ResourceLeakDetector.Level leakLevel;

    @BeforeEach
    void captureLog() {
        SUBSCRIPTION_LOG.addHandler(countLines);
        leakLevel = ResourceLeakDetector.getLevel();
    }

    @AfterEach
    void stopEverything() {
        SUBSCRIPTION_LOG.removeHandler(countLines);
        running.close();
        ResourceLeakDetector.setLevel(leakLevel);
    }

    /** For the load tests only (see the class comment). */
    private static void sampleLeaks() {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
    }

    private static InetSocketAddress subscriptionServer(Corerouter router) {
        return (InetSocketAddress) router.httpSubscriptions().channels().get(0).localAddress();
    }

    private static SubscriptionTable table(Corerouter router) {
        return router.httpSubscriptions().table();
    }

    private static List<String> nodes(Corerouter router, String key) {
        return table(router).slot(key).map(SubscriptionSlot::nodes).orElse(List.of()).stream()
                .map(SubscriptionNode::name).toList();
    }

    private static JsonNode stats(Corerouter router) throws IOException {
        SocketAddress address = router.httpStats().channel().localAddress();
        try (Socket socket = new Socket()) {
            socket.connect(address, 10_000);
            socket.setSoTimeout(30_000);
            return JSON.readTree(socket.getInputStream().readAllBytes());
        }
    }

    /**
     * Sends {@link #FLOOD} subscriptions for distinct keys {@code flood-0000000.test} ... as fast as
     * one thread can, each a valid uWSGI datagram announcing {@code 127.0.0.1:9}.
     *
     * @return the nanoseconds it took
     */
    private static long flood(InetSocketAddress server) throws IOException {
        return flood(server, FLOOD, 0);
    }

    /**
     * Sends at least {@code count} subscriptions for distinct keys, and goes on (new keys still) until
     * {@code minNanos} have passed.
     *
     * @return the nanoseconds it took
     */
    private static long flood(InetSocketAddress server, int count, long minNanos) throws IOException {
        String template = "flood-0000000.test";
        ByteBuf out = Unpooled.buffer(128);
        SubscriptionPacketWriter.write(out, SubscriptionPacket.of(false, template, "127.0.0.1:9"));
        byte[] datagram = ByteBufUtil.getBytes(out);
        out.release();
        int digits = new String(datagram, StandardCharsets.ISO_8859_1).indexOf("0000000");
        ByteBuffer buffer = ByteBuffer.wrap(datagram);
        long start = System.nanoTime();
        try (DatagramChannel channel = DatagramChannel.open()) {
            channel.connect(server);
            for (int i = 0; i < count || System.nanoTime() - start < minNanos; i++) {
                int n = i;
                for (int d = 6; d >= 0; d--) {
                    datagram[digits + d] = (byte) ('0' + n % 10);
                    n /= 10;
                }
                buffer.clear();
                channel.write(buffer);
            }
        }
        return System.nanoTime() - start;
    }

    /**
     * Datagrams the kernel dropped for the UDP socket bound on 127.0.0.1:{@code local}'s port: the last
     * column of /proc/net/udp, or of /proc/net/udp6 for a dual-stack socket (::ffff:127.0.0.1).
     */
    private static long kernelDrops(InetSocketAddress local) throws IOException {
        String port = String.format(Locale.ROOT, ":%04X", local.getPort());
        List<String> addresses = List.of("0100007F" + port, "0000000000000000FFFF00000100007F" + port);
        for (String table : List.of("/proc/net/udp", "/proc/net/udp6")) {
            for (String line : Files.readAllLines(Path.of(table))) {
                String[] columns = line.trim().split("\\s+");
                if (columns.length > 2 && addresses.contains(columns[1])) {
                    return Long.parseLong(columns[columns.length - 1]);
                }
            }
        }
        throw new AssertionError("no socket " + addresses + " in /proc/net/udp or udp6");
    }

    /** Waits until the router read or the kernel dropped {@code expected} datagrams. */
    private static void awaitAccounted(SubscriptionCounters counters, InetSocketAddress server, long expected)
            throws InterruptedException {
        Running.await("every flood datagram to be read or dropped", () -> {
            try {
                return counters.receivedCount() + kernelDrops(server) >= expected;
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
    }

    private static long usedHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    @Test
    void aFloodOfDistinctKeysStopsAtTheKeyLimitAndEveryDatagramIsCounted() throws Exception {
        sampleLeaks();
        Corerouter router = running.router("--http", "127.0.0.1:0", "--http-subscription-server", "127.0.0.1:0",
                "--http-stats", "127.0.0.1:0", "--subscription-max-keys", Integer.toString(MAX_KEYS));
        InetSocketAddress server = subscriptionServer(router);
        SubscriptionCounters counters = table(router).counters();
        long heapBefore = usedHeap();

        long nanos = flood(server);
        awaitAccounted(counters, server, FLOOD);
        long kernelDrops = kernelDrops(server);
        long received = counters.receivedCount();
        long heapAfter = usedHeap();

        assertEquals(FLOOD, received + kernelDrops, "every datagram read by the router or dropped by the kernel");
        assertEquals(MAX_KEYS, table(router).size());
        assertEquals(MAX_KEYS, counters.newKeys());
        assertEquals(received - MAX_KEYS, counters.droppedCount(Drop.KEY_LIMIT));
        assertEquals(received - MAX_KEYS, counters.droppedTotal(), "no other reason");

        JsonNode stats = stats(router);
        assertEquals(MAX_KEYS, stats.get("subscriptions").size());
        JsonNode json = stats.get("subscription_counters");
        assertEquals(received, json.get("received").asLong());
        assertEquals(received - MAX_KEYS, json.get("drops").get("key_limit").asLong());
        assertEquals(received - MAX_KEYS, json.get("dropped").asLong());

        // 2000 table events (1000 keys, 1000 nodes) in a second or two: a handful of lines
        assertTrue(logLines.get() < 50, logLines + " log lines");
        System.out.printf(Locale.ROOT, "flood: %d datagrams sent in %d ms, %d read by the router, %d dropped by "
                + "the kernel; %d keys; %d log lines (%d bytes); heap %+d KB%n", FLOOD,
                TimeUnit.NANOSECONDS.toMillis(nanos), received, kernelDrops, table(router).size(), logLines.get(),
                logBytes.get(), (heapAfter - heapBefore) / 1024);
    }

    @Test
    void aRealUwsgiNodeKeepsServingDuringTheFlood() throws Exception {
        sampleLeaks();
        // tolerance 3 s, announces every second: the node dies unless one of three announces gets
        // through, and the flood lasts more than twice the tolerance
        Corerouter router = running.router("--http", "127.0.0.1:0", "--http-subscription-server", "127.0.0.1:0",
                "--subscription-max-keys", Integer.toString(MAX_KEYS), "--subscription-tolerance", "3");
        InetSocketAddress server = subscriptionServer(router);
        UwsgiProcess node = running.node(dir, "real", "--subscribe2",
                "server=127.0.0.1:" + server.getPort() + ",key=app.test", "--subscribe-freq", "1");
        Running.await("the real node", () -> nodes(router, "app.test").contains(node.address()));
        SocketAddress http = router.http().listeners().get(0).localAddress();
        SubscriptionCounters counters = table(router).counters();

        AtomicBoolean flooding = new AtomicBoolean(true);
        AtomicLong served = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        StringBuilder failures = new StringBuilder();
        Thread client = new Thread(() -> {
            while (flooding.get()) {
                try {
                    RawHttpClient.Response response = RawHttpClient.exchange(http,
                            "GET /x HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n");
                    if (response.status() == 200) {
                        served.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                        synchronized (failures) {
                            failures.append(response.status()).append(' ');
                        }
                    }
                } catch (IOException e) {
                    failed.incrementAndGet();
                    synchronized (failures) {
                        failures.append(e).append(' ');
                    }
                }
            }
        }, "flood-test-client");
        long refreshedBefore = counters.refreshed();
        long servedBefore;
        long refreshedDuring;
        client.start();
        long nanos;
        try {
            Running.await("requests to flow", () -> served.get() > 0);
            servedBefore = served.get();
            nanos = flood(server, FLOOD, TimeUnit.SECONDS.toNanos(7));
            refreshedDuring = counters.refreshed() - refreshedBefore;
            // and the node is still routed to after it
            long servedAfterFlood = served.get();
            Running.await("requests after the flood", () -> served.get() > servedAfterFlood + 10);
        } finally {
            flooding.set(false);
            client.join(TimeUnit.SECONDS.toMillis(60));
        }
        assertFalse(client.isAlive());
        assertEquals(0, failed.get(), "failed requests during the flood: " + failures);
        assertTrue(served.get() > servedBefore + 10);
        assertTrue(refreshedDuring >= 3, refreshedDuring + " announces of the real node read during the flood");
        assertTrue(nodes(router, "app.test").contains(node.address()));
        assertEquals(MAX_KEYS, table(router).size(), "the real key and 999 flood keys");
        long received = counters.receivedCount();
        long kernelDrops = kernelDrops(server);
        System.out.printf(Locale.ROOT, "flood with a real node: %d datagrams sent in %d ms, %d read, %d dropped by "
                + "the kernel; %d requests served, %d failed; %d announces of the real node read during the flood%n",
                received + kernelDrops, TimeUnit.NANOSECONDS.toMillis(nanos), received, kernelDrops, served.get(),
                failed.get(), refreshedDuring);
    }

    @Test
    void onlyAllowedSourcesAreRead() throws Exception {
        for (String allowed : List.of("127.0.0.1", "127.0.0.2")) {
            String other = allowed.equals("127.0.0.1") ? "127.0.0.2" : "127.0.0.1";
            Corerouter router = running.router("--http", "127.0.0.1:0", "--http-subscription-server",
                    "127.0.0.1:0", "--subscription-allow", allowed + "/32");
            InetSocketAddress server = subscriptionServer(router);
            SubscriptionCounters counters = table(router).counters();
            send(other, server, "denied.test");
            send(allowed, server, "allowed.test");
            Running.await("the allowed packet", () -> table(router).slot("allowed.test").isPresent());
            Running.await("the denied packet to be counted", () -> counters.droppedCount(Drop.SOURCE) == 1);
            assertFalse(table(router).slot("denied.test").isPresent(), "allowed " + allowed);

            // a real uWSGI node announces from 127.0.0.1
            UwsgiProcess node = running.node(dir, "n" + allowed.replace('.', '_'), "--subscribe2",
                    "server=127.0.0.1:" + server.getPort() + ",key=uwsgi.test", "--subscribe-freq", "1");
            if (allowed.equals("127.0.0.1")) {
                Running.await("the uWSGI node", () -> nodes(router, "uwsgi.test").contains(node.address()));
            } else {
                Running.await("two uWSGI announces dropped", () -> counters.droppedCount(Drop.SOURCE) >= 3);
                assertFalse(table(router).slot("uwsgi.test").isPresent());
            }
        }
    }

    /** One subscription for {@code key} sent from source address {@code from}. */
    private static void send(String from, InetSocketAddress server, String key) throws IOException {
        ByteBuf out = Unpooled.buffer(128);
        SubscriptionPacketWriter.write(out, SubscriptionPacket.of(false, key, "127.0.0.1:9"));
        byte[] datagram = ByteBufUtil.getBytes(out);
        out.release();
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(from), 0))) {
            socket.send(new DatagramPacket(datagram, datagram.length, server));
        }
    }
}
