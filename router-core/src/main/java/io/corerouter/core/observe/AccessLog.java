package io.corerouter.core.observe;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Logger;
import org.jctools.queues.MpscArrayQueue;

/**
 * A router's access log ({@code --R-access-log PATH}, issue 12): event loops format a line and offer
 * it to a bounded lock-free queue ({@link MpscArrayQueue}); one background thread writes the lines to
 * the file. An event loop never waits for the disk: when the queue is full the line is dropped and
 * counted ({@link #dropped()}), and the writer logs one warning per {@link #WARN_INTERVAL_SECONDS}
 * while lines are being dropped.
 *
 * <p>{@link #reopen()} (SIGUSR1, logrotate's {@code postrotate}) closes and reopens the file between
 * two lines, on the writer thread: lines waiting in the queue go to the new file, none is lost.
 * {@code -} writes to standard output, which is never reopened.
 */
public final class AccessLog implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(AccessLog.class.getName());
    /** Lines the queue holds by default (about 16 MB of 250-byte lines at most). */
    public static final int DEFAULT_QUEUE = 65536;
    static final long WARN_INTERVAL_SECONDS = 10;
    /** How long the idle writer sleeps before looking at the queue again. */
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final byte[] NEWLINE = {'\n'};

    /** Opens the log's output, again on each reopen. */
    @FunctionalInterface
    public interface Opener {
        OutputStream open() throws IOException;
    }

    private final String name;
    private final AccessLogFormat format;
    private final Opener opener;
    private final MpscArrayQueue<String> queue;
    private final LongAdder dropped = new LongAdder();
    private final LongAdder written = new LongAdder();
    private final LongAdder reopens = new LongAdder();
    private final Thread writer;
    private volatile boolean reopen;
    private volatile boolean closed;
    private OutputStream out;
    private long droppedWarned;
    private long nextWarn;

    /**
     * @param name   for the thread and log lines ({@code http})
     * @param queue  lines the queue holds before dropping
     */
    public AccessLog(String name, AccessLogFormat format, Opener opener, int queue) throws IOException {
        this.name = name;
        this.format = format;
        this.opener = opener;
        this.queue = new MpscArrayQueue<>(Math.max(2, queue));
        this.out = opener.open(); // fail at start-up when the file cannot be opened
        this.writer = new Thread(this::run, name + "-access-log");
        writer.setDaemon(true);
    }

    /** The log of {@code path} ({@code -}: standard output), appended to. */
    public static AccessLog open(String name, String path, AccessLogFormat format, int queue) throws IOException {
        Opener opener = "-".equals(path)
                ? () -> new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 65536) {
                    @Override
                    public void close() throws IOException {
                        flush(); // standard output stays open
                    }
                }
                : () -> new BufferedOutputStream(new FileOutputStream(Path.of(path).toFile(), true), 65536);
        return new AccessLog(name, format, opener, queue);
    }

    /** Starts the writer thread. */
    public AccessLog start() {
        nextWarn = System.nanoTime() + TimeUnit.SECONDS.toNanos(WARN_INTERVAL_SECONDS);
        writer.start();
        return this;
    }

    public AccessLogFormat format() {
        return format;
    }

    /** Formats the line of {@code e} and queues it; drops and counts it when the queue is full. */
    void log(Exchange e, long durationNanos) {
        StringBuilder line = new StringBuilder(200);
        format.format(e, durationNanos, System.currentTimeMillis(), line);
        offer(line.toString());
    }

    /** Queues {@code line} (without newline); false when the queue was full and it was dropped. */
    public boolean offer(String line) {
        if (!queue.offer(line)) {
            dropped.increment();
            return false;
        }
        return true;
    }

    /** Asks the writer to reopen the file before its next line (SIGUSR1). */
    public void reopen() {
        reopen = true;
        LockSupport.unpark(writer);
    }

    /** Lines dropped because the queue was full. */
    public long dropped() {
        return dropped.sum();
    }

    /** Lines written. */
    public long written() {
        return written.sum();
    }

    /** Lines waiting in the queue. */
    public int queued() {
        return queue.size();
    }

    /** Times the file was reopened. */
    public long reopens() {
        return reopens.sum();
    }

    private void run() {
        while (true) {
            if (reopen) {
                reopenNow();
            }
            String line = queue.poll();
            if (line == null) {
                flushQuietly();
                warnDrops();
                if (closed && queue.isEmpty()) {
                    break;
                }
                LockSupport.parkNanos(IDLE_PARK_NANOS);
                continue;
            }
            write(line);
        }
        try {
            out.close();
        } catch (IOException e) {
            LOG.warning(name + " access log: close failed: " + e);
        }
    }

    private void write(String line) {
        try {
            out.write(line.getBytes(StandardCharsets.UTF_8));
            out.write(NEWLINE);
            written.increment();
        } catch (IOException e) {
            dropped.increment();
            warnDrops();
        }
    }

    private void reopenNow() {
        reopen = false;
        try {
            out.close();
        } catch (IOException e) {
            LOG.warning(name + " access log: close before reopen failed: " + e);
        }
        try {
            out = opener.open();
            reopens.increment();
            LOG.info(() -> name + " access log reopened");
        } catch (IOException e) {
            // keep trying on the next reopen; lines meanwhile are counted as dropped by write()
            out = OutputStream.nullOutputStream();
            LOG.warning(name + " access log: reopen failed, lines are dropped until the next SIGUSR1: " + e);
        }
    }

    private void flushQuietly() {
        try {
            out.flush();
        } catch (IOException e) {
            LOG.fine(() -> name + " access log: flush failed: " + e);
        }
    }

    private void warnDrops() {
        long now = System.nanoTime();
        if (now - nextWarn < 0) {
            return;
        }
        nextWarn = now + TimeUnit.SECONDS.toNanos(WARN_INTERVAL_SECONDS);
        long total = dropped.sum();
        long fresh = total - droppedWarned;
        if (fresh > 0) {
            droppedWarned = total;
            LOG.warning(name + " access log: queue full, dropped=" + fresh + " lines in the last "
                    + WARN_INTERVAL_SECONDS + "s (total=" + total + "; the disk is slower than the requests)");
        }
    }

    /** Writes what is queued, closes the file and stops the writer (waits up to 5 s). */
    @Override
    public void close() {
        closed = true;
        if (writer.isAlive()) {
            LockSupport.unpark(writer);
            try {
                writer.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else {
            try {
                out.close();
            } catch (IOException e) {
                LOG.fine(() -> name + " access log: close failed: " + e);
            }
        }
    }
}
