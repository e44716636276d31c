package io.corerouter.core.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The access log's queue and writer thread: a slow disk drops and counts, a reopen loses nothing. */
class AccessLogTest {
    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(30);

    @TempDir
    Path dir;

    @Test
    void fullQueueDropsAndCountsWithoutBlocking() throws Exception {
        CountDownLatch writerStuck = new CountDownLatch(1);
        CountDownLatch diskBack = new CountDownLatch(1);
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        // a disk that hangs on the first write until the test lets it go
        OutputStream slowDisk = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                writerStuck.countDown();
                try {
                    diskBack.await();
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                synchronized (written) {
                    written.write(b, off, len);
                }
            }
        };
        AccessLog log = new AccessLog("test", AccessLogFormat.parse("%(uri)"), () -> slowDisk, 16).start();
        try {
            assertTrue(log.offer("line-0"));
            assertTrue(writerStuck.await(30, TimeUnit.SECONDS), "the writer took the first line");
            int accepted = 1;
            int total = 1000;
            long before = System.nanoTime();
            for (int i = 1; i < total; i++) {
                if (log.offer("line-" + i)) {
                    accepted++;
                }
            }
            // never blocked: a thousand offers while the disk hangs all returned
            assertTrue(System.nanoTime() - before < WAIT_NANOS);
            assertEquals(16, accepted - 1, "the queue holds its capacity, the rest is dropped");
            assertEquals(total - accepted, log.dropped());
            diskBack.countDown();
            long deadline = System.nanoTime() + WAIT_NANOS;
            while (log.written() < accepted && System.nanoTime() < deadline) {
                Thread.sleep(10); // the writer thread drains; bounded by the deadline
            }
            assertEquals(accepted, log.written());
        } finally {
            diskBack.countDown();
            log.close();
        }
        String text;
        synchronized (written) {
            text = written.toString(StandardCharsets.UTF_8);
        }
        assertEquals(accepted(text), 17);
        assertTrue(text.startsWith("line-0\nline-1\n"), text);
    }

    private static int accepted(String text) {
        return text.isEmpty() ? 0 : text.split("\n").length;
    }

    @Test
    void reopenAfterRenameLosesNoLine() throws Exception {
        Path file = dir.resolve("access.log");
        Path rotated = dir.resolve("access.log.1");
        AccessLog log = AccessLog.open("test", file.toString(), AccessLogFormat.parse("%(uri)"), 65536).start();
        List<String> sent = new ArrayList<>();
        try {
            for (int i = 0; i < 5000; i++) {
                String line = "line-" + i;
                assertTrue(log.offer(line));
                sent.add(line);
                if (i == 2500) {
                    Files.move(file, rotated); // logrotate renames, then signals
                    log.reopen();
                }
            }
        } finally {
            log.close();
        }
        assertEquals(0, log.dropped());
        assertEquals(1, log.reopens());
        List<String> all = new ArrayList<>(Files.readAllLines(rotated));
        List<String> fresh = Files.readAllLines(file);
        assertFalse(fresh.isEmpty(), "lines after the reopen go to the new file");
        all.addAll(fresh);
        assertEquals(sent, all, "every line once, in order, across the two files");
    }
}
