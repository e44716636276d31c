package io.corerouter.launcher;

import io.corerouter.core.config.RouterConfig;
import io.corerouter.core.testing.UwsgiProcess;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * What a launcher integration test started: corerouter processes (in-process, exactly as
 * {@code bin/corerouter} would run with the same options) and real uWSGI nodes, stopped in reverse
 * order by {@link #close()} (call it from {@code @AfterEach}), also when the test failed.
 */
final class Running implements AutoCloseable {
    /** How long a test waits for another process's progress. */
    static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final List<AutoCloseable> started = new ArrayList<>();

    /** Starts a corerouter with {@code args}. */
    Corerouter router(String... args) throws Exception {
        Corerouter corerouter = new Corerouter(RouterConfig.parse(args));
        started.add(corerouter);
        corerouter.start();
        return corerouter;
    }

    /** Starts the echo app as a uWSGI node with a master (uWSGI subscribes from its master only). */
    UwsgiProcess node(Path dir, String name, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("--master"));
        all.addAll(List.of(args));
        UwsgiProcess node = UwsgiProcess.startEcho(dir, name, all.toArray(new String[0]));
        started.add(node);
        return node;
    }

    /** Stops {@code resource} with everything else. */
    <T extends AutoCloseable> T add(T resource) {
        started.add(resource);
        return resource;
    }

    /** Polls {@code condition} until it holds, failing after {@link #WAIT_NANOS}. */
    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20); // polling other processes' progress, bounded by the deadline
        }
    }

    @Override
    public void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                // best effort: every process and router is still stopped
            }
        }
        started.clear();
    }
}
