package io.corerouter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.corerouter.core.backend.StaticNode;
import io.corerouter.core.observe.Http2Counters;
import io.corerouter.core.pool.NodePools;
import io.corerouter.http.H2RawClient.Frame;
import io.corerouter.http.H2RawClient.Response;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.PoolArenaMetric;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Flags;
import io.netty.handler.codec.http2.Http2FrameTypes;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 clients that attack the router (issue 11, item 4, and the flow-control bound of item 3), each
 * over raw frames ({@link H2RawClient}) against an in-process router with {@code --http2} and a counting
 * node ({@link H2TestNode}): rapid reset, CONTINUATION floods, SETTINGS and PING floods from a client that
 * does not read, empty DATA floods, oversized header lists, too many concurrent streams, streams that never
 * end, and a client that does not open its flow-control windows for huge responses. Each test asserts the
 * defence (GOAWAY, 431, REFUSED_STREAM, 408/504, bounded node traffic and memory) and that the router
 * serves a normal request on a new connection afterwards, with its node not marked failed.
 *
 * <p>The floods that expect a GOAWAY send a few times their limit in one write ({@link #floodThenGoAway});
 * the control-frame floods write until the router cuts them, as they must.
 */
class Http2HostileClientTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** {@code --http2-max-resets} in the rapid-reset test. */
    private static final int RESETS = 50;

    @TempDir
    Path dir;

    private static Routers.Started start(H2TestNode node, String... options) throws Exception {
        return start(node.address(), options);
    }

    private static Routers.Started start(String node, String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("--http", "127.0.0.1:0", "--http-to", node, "--http2"));
        args.addAll(List.of(options));
        return Routers.start(args.toArray(String[]::new));
    }

    private static Http2Counters counters(Routers.Started router) {
        Http2Counters counters = router.router().runtime().observer().listeners().get(0).http2();
        assertNotNull(counters, "HTTP/2 counters of the listener");
        return counters;
    }

    private static Http2Counters counters(Routers.Started router, String listener) {
        return router.router().runtime().observer().listeners().stream().filter(l -> l.name().equals(listener))
                .findFirst().orElseThrow().http2();
    }

    /** A normal request on a new connection is served, and the node was never marked failed. */
    private static void assertHealthy(Routers.Started router) throws Exception {
        Response response = H2RawClient.get(router.address(), "/after");
        assertEquals(200, response.status(), () -> response.status() + " " + response.bodyText());
        assertEquals("/after", response.bodyText());
        for (StaticNode node : router.router().runtime().staticNodes().nodes()) {
            assertEquals(0, node.failures(), () -> "node " + node.name() + " marked failed");
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for: " + what);
            }
            Thread.sleep(20); // polling the router's or the node's state; bounded by the deadline
        }
    }

    private static byte[] repeat(byte[] frame, int times) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(frame.length * times);
        for (int i = 0; i < times; i++) {
            out.write(frame, 0, frame.length);
        }
        return out.toByteArray();
    }

    /**
     * Writes a flood in one go and returns the router's GOAWAY, after which the connection must end. One
     * write, a few times the limit: the router reads it whole, so it closes with nothing unread and its
     * GOAWAY is not lost to the reset a close over unread bytes sends (a client that goes on writing after
     * the GOAWAY gets that reset, and with it may lose the GOAWAY it had not read yet).
     */
    private static Frame floodThenGoAway(H2RawClient client, ByteArrayOutputStream flood) throws Exception {
        client.writeRaw(flood.toByteArray());
        Frame goAway = client.awaitGoAway(WAIT);
        assertNotNull(goAway, "GOAWAY before the close");
        client.awaitClose(WAIT);
        return goAway;
    }

    /**
     * The connections the router cut have been counted closed (the client may see the end first), with
     * at least {@code goAways} GOAWAY frames sent in all.
     */
    private static void awaitClosed(Routers.Started router, int goAways) throws InterruptedException {
        Http2Counters counters = counters(router);
        await("the router closed the HTTP/2 connection", () -> counters.open() == 0);
        assertTrue(counters.goaways() >= goAways, "GOAWAY frames sent: " + counters.goaways());
    }

    // ------------------------------------------------------------------ 1. rapid reset

    @Test
    void rapidResetGetsGoAwayAndBoundsTheNodeConnects() throws Exception {
        try (H2TestNode node = new H2TestNode(dir);
                Routers.Started router = start(node, "--http2-max-resets", RESETS + "/30")) {
            int opened = RESETS + 10;
            try (H2RawClient client = H2RawClient.connect(router.address())) {
                ByteArrayOutputStream flood = new ByteArrayOutputStream();
                for (int i = 0; i < opened; i++) {
                    int stream = 1 + 2 * i;
                    flood.writeBytes(H2RawClient.frame(Http2FrameTypes.HEADERS,
                            Http2Flags.END_HEADERS | Http2Flags.END_STREAM, stream,
                            client.encode(stream, H2RawClient.request("GET", "/hold"))));
                    flood.writeBytes(H2RawClient.frame(Http2FrameTypes.RST_STREAM, 0, stream,
                            H2RawClient.int32(Http2Error.CANCEL.code())));
                }
                Frame goAway = floodThenGoAway(client, flood);
                assertEquals(Http2Error.ENHANCE_YOUR_CALM.code(), goAway.errorCode());
            }
            awaitClosed(router, 1);
            Http2Counters counters = counters(router);
            await("the node connections of the reset streams closed", () -> node.open() == 0);
            System.out.printf("rapid reset: streams opened by the client=%d, resets counted=%d, goaways=%d,"
                    + " node connections=%d%n", opened, counters.resets(), counters.goaways(), node.accepted());
            assertTrue(counters.resets() >= RESETS && counters.resets() <= RESETS + 1,
                    "resets before GOAWAY: " + counters.resets());
            assertTrue(node.accepted() <= RESETS + 2, "node connections: " + node.accepted());
            assertHealthy(router);
        }
    }

    /**
     * "MadeYouReset" (CVE-2025-8671): the client makes the router reset each stream (a WINDOW_UPDATE of 0
     * is a stream error) instead of resetting it itself; the resets the router sends are bounded by the
     * same {@code --http2-max-resets}.
     */
    @Test
    void resetsTheClientProvokesAreBoundedToo() throws Exception {
        try (H2TestNode node = new H2TestNode(dir);
                Routers.Started router = start(node, "--http2-max-resets", RESETS + "/30")) {
            int opened = 4 * RESETS;
            int resetsSeen = 0;
            try (H2RawClient client = H2RawClient.connect(router.address())) {
                ByteArrayOutputStream flood = new ByteArrayOutputStream();
                for (int i = 0; i < opened; i++) {
                    int stream = 1 + 2 * i;
                    flood.writeBytes(H2RawClient.frame(Http2FrameTypes.HEADERS,
                            Http2Flags.END_HEADERS | Http2Flags.END_STREAM, stream,
                            client.encode(stream, H2RawClient.request("GET", "/hold"))));
                    flood.writeBytes(H2RawClient.frame(Http2FrameTypes.WINDOW_UPDATE, 0, stream, H2RawClient.int32(0)));
                }
                Frame goAway = floodThenGoAway(client, flood);
                assertEquals(Http2Error.ENHANCE_YOUR_CALM.code(), goAway.errorCode());
                for (int i = 0; i < opened; i++) {
                    Frame reset;
                    while ((reset = client.poll(1 + 2 * i, Duration.ZERO)) != null) {
                        if (reset.is(Http2FrameTypes.RST_STREAM)) {
                            resetsSeen++;
                        }
                    }
                }
            }
            awaitClosed(router, 1);
            await("the node connections of the reset streams closed", () -> node.open() == 0);
            System.out.printf("provoked resets: streams opened by the client=%d, RST_STREAM received=%d,"
                    + " node connections=%d%n", opened, resetsSeen, node.accepted());
            assertTrue(resetsSeen <= RESETS + 1, "resets sent before GOAWAY: " + resetsSeen);
            assertTrue(node.accepted() <= RESETS + 2, "node connections: " + node.accepted());
            assertHealthy(router);
        }
    }

    /**
     * Rapid reset against a pooled {@code http://} node capped at 4 connections: whatever point each reset
     * catches (a lease awaited, a request written, a response relayed), no lease is kept, so the pool is
     * all idle after and requests that need all 4 connections at once are served, not 503 after
     * {@code --http-pool-wait}.
     */
    @Test
    void rapidResetLeavesNoPooledConnectionLeased() throws Exception {
        try (HostilePooledNodeTest.ScriptedNode node = new HostilePooledNodeTest.ScriptedNode(dir,
                (n, head) -> HostilePooledNodeTest.ok("pooled"));
                Routers.Started router = start(node.address(), "--http2-max-resets", RESETS + "/30",
                        "--http-node-connections", "4", "--http-pool-wait", "2")) {
            try (H2RawClient client = H2RawClient.connect(router.address())) {
                ByteArrayOutputStream flood = new ByteArrayOutputStream();
                for (int i = 0; i < RESETS + 10; i++) {
                    int stream = 1 + 2 * i;
                    flood.writeBytes(H2RawClient.frame(Http2FrameTypes.HEADERS,
                            Http2Flags.END_HEADERS | Http2Flags.END_STREAM, stream,
                            client.encode(stream, H2RawClient.request("GET", "/pooled"))));
                    flood.writeBytes(H2RawClient.frame(Http2FrameTypes.RST_STREAM, 0, stream,
                            H2RawClient.int32(Http2Error.CANCEL.code())));
                }
                Frame goAway = floodThenGoAway(client, flood);
                assertEquals(Http2Error.ENHANCE_YOUR_CALM.code(), goAway.errorCode());
            }
            awaitClosed(router, 1);
            await("no pooled connection leased", () -> {
                NodePools.Stats pool = router.router().runtime().nodePools().snapshot().get(0);
                return pool.open() == pool.idle() && pool.waiting() == 0;
            });
            NodePools.Stats pool = router.router().runtime().nodePools().snapshot().get(0);
            System.out.printf("rapid reset, pooled node: node connections=%d, pool %s%n", node.connections.get(), pool);
            assertTrue(pool.open() <= 4, pool.toString());
            try (H2RawClient client = H2RawClient.connect(router.address())) {
                for (int stream = 1; stream <= 15; stream += 2) { // 8 at once: all 4 connections, twice
                    client.headers(stream, H2RawClient.request("GET", "/after-reset"), true);
                }
                for (int stream = 1; stream <= 15; stream += 2) {
                    Response response = client.response(stream, WAIT);
                    assertEquals(200, response.status(), "stream " + stream + ": " + response.bodyText());
                    assertEquals("pooled", response.bodyText());
                }
            }
            for (StaticNode n : router.router().runtime().staticNodes().nodes()) {
                assertEquals(0, n.failures(), () -> "node " + n.name() + " marked failed");
            }
        }
    }

    @Test
    void streamsResetWhileTheirNodeWorksCloseTheNodeConnectionsWithoutMarkingItFailed() throws Exception {
        try (H2TestNode node = new H2TestNode(dir); Routers.Started router = start(node)) {
            try (H2RawClient client = H2RawClient.connect(router.address())) {
                for (int i = 0; i < 10; i++) {
                    int stream = 1 + 2 * i;
                    client.headers(stream, H2RawClient.request("GET", "/hold"), true);
                    await("stream " + stream + " at the node", () -> node.held() == 1);
                    client.rst(stream, Http2Error.CANCEL.code());
                    await("the node connection of stream " + stream + " closed", () -> node.open() == 0);
                }
                client.headers(21, H2RawClient.request("GET", "/same"), true);
                Response response = client.response(21, WAIT);
                assertEquals(200, response.status());
                assertEquals("/same", response.bodyText());
            }
            assertEquals(10, counters(router).resets());
            assertHealthy(router);
        }
    }

    // ------------------------------------------------------------------ 2. CONTINUATION floods

    @Test
    void smallContinuationFloodGetsGoAway() throws Exception {
        try (H2TestNode node = new H2TestNode(dir);
                Routers.Started router = start(node, "--http2-max-continuations", "16")) {
            try (H2RawClient client = H2RawClient.connect(router.address())) {
                ByteArrayOutputStream flood = new ByteArrayOutputStream();
                flood.writeBytes(H2RawClient.frame(Http2FrameTypes.HEADERS, Http2Flags.END_STREAM, 1,
                        client.encode(1, H2RawClient.request("GET", "/never"))));
                for (int i = 0; i < 64; i++) { // four times the limit, each 1 byte of header block
                    flood.writeBytes(H2RawClient.frame(Http2FrameTypes.CONTINUATION, 0, 1, new byte[] {0}));
                }
                Frame goAway = floodThenGoAway(client, flood);
                assertEquals(Http2Error.ENHANCE_YOUR_CALM.code(), goAway.errorCode());
            }
            awaitClosed(router, 1);
            assertEquals(0, node.accepted(), "the endless head never reached the node");
            assertHealthy(router);
        }
    }

    @Test
    void largeContinuationFloodGetsGoAwayAtTheHeaderListBound() throws Exception {
        try (H2TestNode node = new H2TestNode(dir); Routers.Started router = start(node)) {
            try (H2RawClient client = H2RawClient.connect(router.address())) {
                ByteArrayOutputStream flood = new ByteArrayOutputStream();
                flood.writeBytes(H2RawClient.frame(Http2FrameTypes.HEADERS, Http2Flags.END_STREAM, 1,
                        client.encode(1, H2RawClient.request("GET", "/never"))));
                byte[] fragment = new byte[16384]; // the largest frame the router accepts, not a "small" one
                Arrays.fill(fragment, (byte) '~');
                for (int i = 0; i < 3; i++) { // 48 KiB of header block against a bound of 1.25 x 16 KiB
                    flood.writeBytes(H2RawClient.frame(Http2FrameTypes.CONTINUATION, 0, 1, fragment));
                }
                Frame goAway = floodThenGoAway(client, flood);
                assertNotEquals(Http2Error.NO_ERROR.code(), goAway.errorCode());
            }
            awaitClosed(router, 1);
            assertEquals(0, node.accepted(), "the endless head never reached the node");
            assertHealthy(router);
        }
    }

    // ------------------------------------------------------------------ 3. control frame floods, client not reading

    @Test
    void settingsFloodFromAClientThatDoesNotReadIsCut() throws Exception {
        controlFrameFlood("SETTINGS", H2RawClient.frame(Http2FrameTypes.SETTINGS, 0, 0, new byte[0]));
    }

    @Test
    void pingFloodFromAClientThatDoesNotReadIsCut() throws Exception {
        controlFrameFlood("PING", H2RawClient.frame(Http2FrameTypes.PING, 0, 0, new byte[8]));
    }

    /**
     * Over a UNIX socket: what the kernel holds for a client that does not read is then the router's send
     * buffer (about 200 KiB), where loopback TCP grows it to 4 MiB, which takes a loaded machine long to
     * fill with 9-byte acknowledgements under paranoid leak detection. Netty's limit is the same either way.
     */
    private void controlFrameFlood(String kind, byte[] frame) throws Exception {
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor();
        Path socket = dir.resolve("h2-listener.sock");
        try (H2TestNode node = new H2TestNode(dir);
                Routers.Started router = start(node, "--http", socket.toString(), "--http2-max-control-frames", "100")) {
            Http2Counters counters = counters(router, socket.toString());
            AtomicBoolean gaveUp = new AtomicBoolean();
            long sent = 0;
            try (H2RawClient client = H2RawClient.connect(UnixDomainSocketAddress.of(socket), new Http2Settings(),
                    false, 0)) {
                // a blocking write can only hang if the router stopped reading without closing: a failure too
                watchdog.schedule(() -> {
                    gaveUp.set(true);
                    client.abort();
                    return null;
                }, WAIT.toSeconds(), TimeUnit.SECONDS);
                byte[] batch = repeat(frame, 1000);
                try {
                    while (!gaveUp.get()) {
                        client.writeRaw(batch);
                        sent += 1000;
                    }
                } catch (IOException closed) {
                    // the router closed the connection: the defence
                }
                assertFalse(gaveUp.get(), "the router still took " + kind + " frames after " + sent);
                await("the HTTP/2 connection closed", () -> counters.connections() == 1 && counters.open() == 0);
                client.startReading();
                client.awaitClose(WAIT);
            }
            System.out.printf("%s flood, client not reading: frames written before the close=%d, goaways=%d%n",
                    kind, sent, counters.goaways());
            assertEquals(1, counters.goaways(), "GOAWAY ENHANCE_YOUR_CALM was attempted");
            assertHealthy(router);
        } finally {
            watchdog.shutdownNow();
        }
    }

    // ------------------------------------------------------------------ 4. empty DATA flood

    @Test
    void emptyDataFloodGetsGoAway() throws Exception {
        try (H2TestNode node = new H2TestNode(dir); Routers.Started router = start(node)) {
            try (H2RawClient client = H2RawClient.connect(router.address())) {
                ByteArrayOutputStream flood = new ByteArrayOutputStream();
                flood.writeBytes(H2RawClient.frame(Http2FrameTypes.HEADERS, Http2Flags.END_HEADERS, 1,
                        client.encode(1, H2RawClient.request("POST", "/hold"))));
                for (int i = 0; i < 10; i++) {
                    flood.writeBytes(H2RawClient.frame(Http2FrameTypes.DATA, 0, 1, new byte[0]));
                }
                Frame goAway = floodThenGoAway(client, flood);
                assertEquals(Http2Error.ENHANCE_YOUR_CALM.code(), goAway.errorCode());
            }
            awaitClosed(router, 1);
            await("the node connection closed", () -> node.open() == 0);
            assertHealthy(router);
        }
    }

    // ------------------------------------------------------------------ 5. header list size

    @Test
    void headerListOverTheLimitGets431AndFarOverItClosesTheConnection() throws Exception {
        try (H2TestNode node = new H2TestNode(dir);
                Routers.Started router = start(node, "--http2-max-header-list-size", "4096")) {
            try (H2RawClient client = H2RawClient.connect(router.address())) {
                // '~' has a 13-bit Huffman code: HPACK sends it as is, so the block is as large as the list
                client.headers(1, H2RawClient.request("GET", "/big-head").add("x-big", "~".repeat(4500)), true);
                Response response = client.response(1, WAIT);
                assertEquals(431, response.status());
                client.headers(3, H2RawClient.request("GET", "/next"), true);
                Response next = client.response(3, WAIT);
                assertEquals(200, next.status(), "the connection goes on after a 431");
                assertEquals("/next", next.bodyText());
            }
            assertEquals(1, node.accepted(), "only the normal request reached the node");
            try (H2RawClient client = H2RawClient.connect(router.address())) {
                client.headers(1, H2RawClient.request("GET", "/huge-head").add("x-big", "~".repeat(6000)), true);
                Frame goAway = client.awaitGoAway(WAIT);
                assertNotNull(goAway, "GOAWAY before the close");
                assertNotEquals(Http2Error.NO_ERROR.code(), goAway.errorCode());
                client.awaitClose(WAIT);
            }
            awaitClosed(router, 1);
            assertEquals(1, node.accepted());
            assertHealthy(router);
        }
    }

    // ------------------------------------------------------------------ 6. concurrent streams

    @Test
    void streamsOverTheConcurrentLimitAreRefused() throws Exception {
        try (H2TestNode node = new H2TestNode(dir);
                Routers.Started router = start(node, "--http2-max-concurrent-streams", "5")) {
            try (H2RawClient client = H2RawClient.connect(router.address())) {
                for (int stream = 1; stream <= 9; stream += 2) {
                    client.headers(stream, H2RawClient.request("GET", "/hold"), true);
                }
                await("five streams at the node", () -> node.held() == 5);
                client.headers(11, H2RawClient.request("GET", "/sixth"), true);
                Response refused = client.response(11, WAIT);
                assertEquals(-1, refused.status());
                assertEquals(Http2Error.REFUSED_STREAM.code(), refused.resetCode());
                node.releaseHeld();
                for (int stream = 1; stream <= 9; stream += 2) {
                    Response held = client.response(stream, WAIT);
                    assertEquals(200, held.status());
                    assertEquals("held", held.bodyText());
                }
                client.headers(13, H2RawClient.request("GET", "/after-refusal"), true);
                assertEquals(200, client.response(13, WAIT).status());
            }
            Http2Counters counters = counters(router);
            assertTrue(counters.refused() >= 1, "refused: " + counters.refused());
            assertEquals(6, node.accepted(), "the refused stream never reached the node");
            assertHealthy(router);
        }
    }

    // ------------------------------------------------------------------ 7. streams that never end

    @Test
    void streamsThatNeverEndAreAnsweredOrResetAfterTheStreamTimeout() throws Exception {
        try (H2TestNode node = new H2TestNode(dir);
                Routers.Started router = start(node, "--http2-stream-timeout", "1")) {
            try (H2RawClient client = H2RawClient.connect(router.address())) {
                Http2Headers announced = H2RawClient.request("POST", "/hold-announced").add("content-length", "1000");
                client.headers(1, announced, false);
                client.data(1, new byte[10], false);
                client.headers(3, H2RawClient.request("POST", "/hold-unknown"), false);
                client.data(3, new byte[10], false);
                client.headers(5, H2RawClient.request("GET", "/hold-no-answer"), true);
                Set<Integer> timedOut = Set.of(408, 504, -1);
                for (int stream = 1; stream <= 5; stream += 2) {
                    Response response = client.response(stream, WAIT);
                    System.out.printf("stream timeout: stream %d answered %d (reset code %d)%n", stream,
                            response.status(), response.resetCode());
                    assertTrue(timedOut.contains(response.status()), "stream " + stream + ": " + response.status());
                    if (response.status() > 0) {
                        // the answer names the stream timeout, not --http-timeout
                        assertTrue(response.bodyText().contains(" 1s"), response.bodyText());
                    }
                }
                client.headers(7, H2RawClient.request("GET", "/still-there"), true);
                Response next = client.response(7, WAIT);
                assertEquals(200, next.status(), "the connection outlives its timed-out streams");
            }
            await("the node connections of the timed-out streams closed", () -> node.open() == 0);
            assertHealthy(router);
        }
    }

    // ------------------------------------------------------------------ 8. flow control, request bodies

    @Test
    void requestBodyIsTakenOnlyAsTheNodeReadsIt() throws Exception {
        long length = 100L << 20;
        try (H2TestNode node = new H2TestNode(dir); Routers.Started router = start(node)) {
            long granted = 65535; // the stream's initial window (--http2-initial-window-size)
            long connectionGranted = 65535;
            long sent = 0;
            try (H2RawClient client = H2RawClient.connect(router.address())) {
                client.headers(1, H2RawClient.request("POST", "/stall").add("content-length", Long.toString(length)),
                        false);
                await("the request at the node, which does not read", () -> node.stalled() == 1);
                byte[] chunk = new byte[16384];
                long quietSince = System.nanoTime();
                long deadline = System.nanoTime() + WAIT.toNanos();
                // send as fast as the router grants credit, until it has granted none for two seconds
                while (System.nanoTime() - quietSince < TimeUnit.SECONDS.toNanos(2)) {
                    assertTrue(System.nanoTime() < deadline, "the router kept granting credit: " + granted);
                    int n = (int) Math.min(chunk.length, Math.min(granted, connectionGranted) - sent);
                    if (n > 0) {
                        client.data(1, Arrays.copyOf(chunk, n), false);
                        sent += n;
                        continue;
                    }
                    Frame update = client.poll(0, Duration.ZERO);
                    if (update == null) {
                        update = client.poll(1, Duration.ofMillis(100));
                    }
                    if (update != null) {
                        assertFalse(update.is(Http2FrameTypes.RST_STREAM) || update.is(Http2FrameTypes.HEADERS),
                                "the stream was answered: " + update);
                        if (update.is(Http2FrameTypes.WINDOW_UPDATE)) {
                            if (update.streamId() == 0) {
                                connectionGranted += update.windowIncrement();
                            } else {
                                granted += update.windowIncrement();
                            }
                            quietSince = System.nanoTime();
                        }
                    }
                }
                assertEquals(1, node.stalled(), "the request is still at the node, which does not read");
                System.out.printf("request body: %d MiB announced, node not reading: the router took %d bytes"
                        + " (stream credit %d, connection credit %d)%n", length >> 20, sent, granted, connectionGranted);
                assertTrue(sent < 4L << 20, "request body bytes taken while the node reads none: " + sent);
                // the stalled stream holds its own window only: another stream on the connection goes on
                client.headers(3, H2RawClient.request("GET", "/beside"), true);
                Response beside = client.response(3, WAIT);
                assertEquals(200, beside.status());
                assertEquals("/beside", beside.bodyText());
            }
            node.releaseStalled();
            await("the stalled node connection closed", () -> node.open() == 0);
            assertHealthy(router);
        }
    }

    /**
     * DATA beyond a stream's window is refused, never buffered. The answer RFC 9113 §6.9.1 allows both
     * ways: RST_STREAM FLOW_CONTROL_ERROR, or (what Netty 4.2.18 does: its decoder then refunds the frame
     * twice to the connection window, which fails as "Attempting to return too many bytes for stream 0")
     * GOAWAY INTERNAL_ERROR and the end of the connection.
     */
    @Test
    void dataBeyondTheStreamWindowIsRefused() throws Exception {
        try (H2TestNode node = new H2TestNode(dir);
                Routers.Started router = start(node, "--http2-initial-window-size", "1024")) {
            try (H2RawClient client = H2RawClient.connect(router.address())) {
                // the router's window applies once its SETTINGS are acknowledged (RFC 9113 §6.9.2): our ACK
                // goes out before the request
                client.await(0, f -> f.is(Http2FrameTypes.SETTINGS) && (f.flags() & Http2Flags.ACK) == 0, WAIT);
                client.headers(1, H2RawClient.request("POST", "/stall").add("content-length", "100000"), false);
                client.data(1, new byte[2048], false); // twice the window, before any credit could come
                Frame refusal = null;
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (refusal == null) {
                    assertTrue(System.nanoTime() < deadline, "neither RST_STREAM nor GOAWAY within " + WAIT);
                    Frame frame = client.poll(1, Duration.ofMillis(50));
                    if (frame == null || !frame.is(Http2FrameTypes.RST_STREAM)) {
                        frame = client.poll(0, Duration.ZERO);
                    }
                    if (frame != null && (frame.is(Http2FrameTypes.RST_STREAM) || frame.is(Http2FrameTypes.GO_AWAY))) {
                        refusal = frame;
                    }
                }
                System.out.printf("data beyond the stream window: %s error=%d%n",
                        refusal.is(Http2FrameTypes.RST_STREAM) ? "RST_STREAM" : "GOAWAY", refusal.errorCode());
                if (refusal.is(Http2FrameTypes.RST_STREAM)) {
                    assertEquals(Http2Error.FLOW_CONTROL_ERROR.code(), refusal.errorCode());
                    client.headers(3, H2RawClient.request("GET", "/next"), true);
                    assertEquals(200, client.response(3, WAIT).status(), "the connection goes on");
                } else {
                    assertNotEquals(Http2Error.NO_ERROR.code(), refusal.errorCode());
                    client.awaitClose(WAIT);
                }
            }
            node.releaseStalled();
            await("the node connection closed", () -> node.open() == 0);
            assertHealthy(router);
        }
    }

    // ------------------------------------------------------------------ 8. flow control, responses bounds what is buffered

    @Test
    void clientThatDoesNotOpenItsWindowsHoldsTheNodesBackAndOtherStreamsGoOn() throws Exception {
        int streams = 40;
        // the stream timeout ends the stalled streams once the client is gone (it cannot open their windows)
        try (H2TestNode node = new H2TestNode(dir); Routers.Started router = start(node, "--http2-stream-timeout", "10")) {
            assertHealthy(router); // warm up: pools and arenas as in service
            long directBefore = usedDirect();
            long heapBefore = usedHeap();
            long activeBefore = activeBytes();
            try (H2RawClient client = H2RawClient.connect(router.address())) {
                // the connection window is opened wide, each stream's stays at its initial 65535 bytes
                client.windowUpdate(0, Integer.MAX_VALUE - 65535);
                for (int i = 0; i < streams; i++) {
                    client.headers(1 + 2 * i, H2RawClient.request("GET", "/big"), true);
                }
                for (int i = 0; i < streams; i++) {
                    client.awaitData(1 + 2 * i, 65535, WAIT);
                }
                Thread.sleep(2000); // the slow client being slow: the nodes write what they can meanwhile
                long written = node.bigBytesWritten();
                long direct = usedDirect();
                long heap = usedHeap();
                long active = activeBytes();
                // one stream stalled by its window does not stop another on the same connection
                int small = 1 + 2 * streams;
                client.headers(small, H2RawClient.request("GET", "/small"), true);
                Response response = client.response(small, WAIT);
                assertEquals(200, response.status());
                assertEquals("/small", response.bodyText());
                long stillQueued = 0;
                for (int i = 0; i < streams; i++) {
                    stillQueued += client.dataQueued(1 + 2 * i);
                }
                System.out.printf("flow control: %d streams of %d MiB, node wrote %d bytes (%.1f KiB per stream);"
                        + " extra DATA beyond the windows=%d; allocator active bytes %d -> %d, used direct %d -> %d,"
                        + " heap %d -> %d%n", streams, H2TestNode.BIG >> 20, written, written / 1024.0 / streams,
                        stillQueued, activeBefore, active, directBefore, direct, heapBefore, heap);
                assertEquals(0, stillQueued, "no DATA beyond the stream windows");
                assertTrue(written < streams * (4L << 20), "node bytes written: " + written);
                assertTrue(active - activeBefore < 64L << 20, "active buffer bytes grew by " + (active - activeBefore));
                assertTrue(direct - directBefore < 64L << 20, "direct memory grew by " + (direct - directBefore));
                assertTrue(heap - heapBefore < 64L << 20, "heap buffer memory grew by " + (heap - heapBefore));
            }
            await("the node connections of the abandoned streams closed", () -> node.open() == 0);
            assertHealthy(router);
        }
    }

    @Test
    void clientThatDoesNotReadItsSocketHoldsTheNodesBack() throws Exception {
        int streams = 40;
        try (H2TestNode node = new H2TestNode(dir); Routers.Started router = start(node, "--http2-stream-timeout", "10")) {
            assertHealthy(router);
            long activeBefore = activeBytes();
            long directBefore = usedDirect();
            // windows wide open: only TCP holds the router back, as the client never reads its socket
            Http2Settings wide = new Http2Settings().initialWindowSize(Integer.MAX_VALUE);
            try (H2RawClient client = H2RawClient.connect(router.address(), wide, false, 16384)) {
                client.windowUpdate(0, Integer.MAX_VALUE - 65535);
                for (int i = 0; i < streams; i++) {
                    client.headers(1 + 2 * i, H2RawClient.request("GET", "/big-unread"), true);
                }
                await("every stream at the node", () -> node.accepted() == 1 + streams);
                Thread.sleep(3000); // the client not reading: the nodes write what they can meanwhile
                long written = node.bigBytesWritten();
                long active = activeBytes();
                long direct = usedDirect();
                System.out.printf("client not reading: %d streams of %d MiB, node wrote %d bytes (%.1f KiB per stream);"
                        + " allocator active bytes %d -> %d, used direct %d -> %d%n", streams, H2TestNode.BIG >> 20,
                        written, written / 1024.0 / streams, activeBefore, active, directBefore, direct);
                assertTrue(written < streams * (4L << 20), "node bytes written: " + written);
                assertTrue(active - activeBefore < 64L << 20, "active buffer bytes grew by " + (active - activeBefore));
                assertTrue(direct - directBefore < 64L << 20, "direct memory grew by " + (direct - directBefore));
            }
            await("the node connections of the abandoned streams closed", () -> node.open() == 0);
            assertHealthy(router);
        }
    }

    /** Bytes in buffers the router's pooled allocator handed out and that are not released yet (all arenas). */
    private static long activeBytes() {
        long bytes = 0;
        for (PoolArenaMetric arena : PooledByteBufAllocator.DEFAULT.metric().directArenas()) {
            bytes += arena.numActiveBytes();
        }
        for (PoolArenaMetric arena : PooledByteBufAllocator.DEFAULT.metric().heapArenas()) {
            bytes += arena.numActiveBytes();
        }
        return bytes;
    }

    private static long usedDirect() {
        return PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory() + defaultMetric(true);
    }

    private static long usedHeap() {
        return PooledByteBufAllocator.DEFAULT.metric().usedHeapMemory() + defaultMetric(false);
    }

    /** The memory of {@link ByteBufAllocator#DEFAULT} when it is not the pooled one (the stream channels' allocator). */
    private static long defaultMetric(boolean direct) {
        if (ByteBufAllocator.DEFAULT != PooledByteBufAllocator.DEFAULT
                && ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider provider) {
            ByteBufAllocatorMetric metric = provider.metric();
            return direct ? metric.usedDirectMemory() : metric.usedHeapMemory();
        }
        return 0;
    }
}
