package io.corerouter.launcher;

import io.corerouter.core.testing.RawHttpClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Client threads sending GETs to a router until stopped (bounded to 120 s), four on a connection then a
 * new one, counting the echo app's answers by node and recording every failure: the load the reload
 * tests keep running across a SIGHUP.
 */
final class LoadClients implements AutoCloseable {
    private static final Pattern NODE = Pattern.compile("\"node\": \"([^\"]*)\"");

    final Queue<String> failures = new ConcurrentLinkedQueue<>();
    private final Map<String, AtomicInteger> byNode = new ConcurrentHashMap<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();

    /** {@code clients} threads against 127.0.0.1:{@code port} with {@code Host: app.test}. */
    LoadClients(int port, int clients) {
        this(new InetSocketAddress("127.0.0.1", port), "app.test", clients);
    }

    LoadClients(SocketAddress router, String host, int clients) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120); // bounded even if never stopped
        for (int i = 0; i < clients; i++) {
            Thread thread = new Thread(() -> run(router, host, deadline), "load-" + i);
            threads.add(thread);
            thread.start();
        }
    }

    private void run(SocketAddress router, String host, long deadline) {
        RawHttpClient client = null;
        int sent = 0;
        while (!stop.get() && System.nanoTime() < deadline) {
            try {
                if (client == null) {
                    client = new RawHttpClient(router);
                }
                client.send("GET /load HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
                RawHttpClient.Response response = client.read();
                if (response.status() != 200) {
                    failures.add(response.statusLine());
                } else {
                    Matcher m = NODE.matcher(response.bodyText());
                    byNode.computeIfAbsent(m.find() ? m.group(1) : "?", n -> new AtomicInteger()).incrementAndGet();
                }
                if (++sent % 4 == 0 || "close".equalsIgnoreCase(response.header("Connection"))) {
                    client.close();
                    client = null;
                }
            } catch (IOException e) {
                failures.add(e.toString());
                client = closeQuietly(client);
            }
        }
        closeQuietly(client);
    }

    int count(String node) {
        AtomicInteger n = byNode.get(node);
        return n == null ? 0 : n.get();
    }

    void awaitResponses(String node, int n) throws InterruptedException {
        Running.await(n + " responses from " + node + " (failures so far: " + failures + ")", () -> count(node) >= n);
    }

    void stop() {
        stop.set(true);
        try {
            for (Thread thread : threads) {
                thread.join(TimeUnit.SECONDS.toMillis(30));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
    }

    private static RawHttpClient closeQuietly(RawHttpClient client) {
        if (client != null) {
            try {
                client.close();
            } catch (IOException ignored) {
                // closing a broken connection
            }
        }
        return null;
    }
}
