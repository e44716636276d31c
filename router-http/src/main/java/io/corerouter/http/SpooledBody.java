package io.corerouter.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.DefaultFileRegion;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * A de-chunked request body held until it is complete, so it can go to the node with a
 * {@code CONTENT_LENGTH} (deviations.md, "Nothing accepted is lost"; uWSGI drops such bodies).
 *
 * <p>The first {@code memoryLimit} bytes stay in memory; the rest is appended to an unlinked temporary
 * file. File work (create, write, close) runs on the offload executor, one write at a time in
 * arrival order: while writes are queued or in flight {@link #busy()} is true and the session stops
 * reading the client, which is the backpressure (what one read batch decoded is all that queues). The body is sent with {@link #writeTo}: the memory part as a buffer, the file
 * part as a {@link DefaultFileRegion} (sendfile on epoll), which closes the file once written.
 *
 * <p>Every method but the offloaded tasks runs on the session's event loop.
 */
final class SpooledBody {
    private final CompositeByteBuf memory;
    private final int memoryLimit;
    private final Executor offload;
    private final EventExecutor loop;
    private final Runnable onStored;
    private final Consumer<IOException> onFailed;
    private long size;
    private FileChannel file;
    private long fileSize;
    private final ArrayDeque<ByteBuf> queued = new ArrayDeque<>(4);
    private boolean busy;
    private boolean closed;

    /**
     * @param onStored called on the loop when an append that went to the file is done
     * @param onFailed called on the loop when the file could not be written; the body is unusable
     */
    SpooledBody(ByteBufAllocator alloc, int memoryLimit, Executor offload, EventExecutor loop,
            Runnable onStored, Consumer<IOException> onFailed) {
        this.memory = alloc.compositeBuffer(Integer.MAX_VALUE);
        this.memoryLimit = memoryLimit;
        this.offload = offload;
        this.loop = loop;
        this.onStored = onStored;
        this.onFailed = onFailed;
    }

    /** Body bytes received so far. */
    long size() {
        return size;
    }

    /** File writes are queued or in flight: do not read more of the body until {@code onStored}. */
    boolean busy() {
        return busy;
    }

    /** Whether part of the body is in the temporary file. */
    boolean spilled() {
        return file != null || busy;
    }

    /**
     * Takes ownership of {@code data}. In memory it is stored at once; past the memory limit it is
     * queued for the file, written in order on the offload executor, and {@code onStored} follows
     * once the queue is empty.
     */
    void append(ByteBuf data) {
        assert loop.inEventLoop() && !closed;
        size += data.readableBytes();
        if (!spilled() && memory.readableBytes() + (long) data.readableBytes() <= memoryLimit) {
            memory.addComponent(true, data);
            return;
        }
        queued.add(data);
        if (!busy) {
            busy = true;
            writeNext();
        }
    }

    private void writeNext() {
        ByteBuf data = queued.poll();
        FileChannel current = file;
        try {
            offload.execute(() -> write(current, data));
        } catch (RejectedExecutionException stopped) {
            data.release();
            busy = false;
            releaseQueued();
            onFailed.accept(new IOException("offload pool stopped", stopped));
        }
    }

    /** On the offload thread: appends {@code data} to the file, then reports back on the loop. */
    private void write(FileChannel current, ByteBuf data) {
        FileChannel channel = current;
        IOException error = null;
        try {
            if (channel == null) {
                channel = openUnlinkedTempFile();
            }
            ByteBuffer[] buffers = data.nioBuffers();
            long remaining = data.readableBytes();
            while (remaining > 0) {
                remaining -= channel.write(buffers);
            }
        } catch (IOException e) {
            error = e;
        }
        FileChannel opened = channel;
        IOException failure = error;
        try {
            loop.execute(() -> stored(opened, data, failure));
        } catch (RejectedExecutionException stopped) {
            // the router stopped while the write was in flight: nobody is left to hand the data to
            data.release();
            closeQuietly(opened);
        }
    }

    private static FileChannel openUnlinkedTempFile() throws IOException {
        Path path = Files.createTempFile("corerouter-body-", ".tmp");
        try {
            return FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } finally {
            // unlinked at once: the space is freed when the channel closes, whatever happens to us
            Files.deleteIfExists(path);
        }
    }

    private void stored(FileChannel channel, ByteBuf data, IOException error) {
        int n = data.readableBytes();
        data.release();
        if (closed) {
            busy = false;
            releaseQueued();
            closeOffloaded(channel);
            return;
        }
        file = channel;
        if (error != null) {
            busy = false;
            releaseQueued();
            onFailed.accept(error);
            return;
        }
        fileSize += n;
        if (!queued.isEmpty()) {
            writeNext();
            return;
        }
        busy = false;
        onStored.run();
    }

    private void releaseQueued() {
        ByteBuf buf;
        while ((buf = queued.poll()) != null) {
            buf.release();
        }
    }

    /** Writes the whole body to {@code backend} (not flushed) and hands the buffers and file over. */
    void writeTo(Channel backend) {
        assert !busy && !closed;
        closed = true;
        if (memory.isReadable()) {
            backend.write(memory, backend.voidPromise());
        } else {
            memory.release();
        }
        if (file != null) {
            backend.write(new DefaultFileRegion(file, 0, fileSize), backend.voidPromise());
            file = null;
        }
    }

    /** Drops the body: releases the memory part and closes the file (an in-flight write closes it when done). */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        memory.release();
        releaseQueued();
        if (file != null && !busy) {
            closeOffloaded(file);
        }
        file = null;
    }

    private void closeOffloaded(FileChannel channel) {
        if (channel != null) {
            offload.execute(() -> closeQuietly(channel));
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // unlinked already: nothing is left behind
            }
        }
    }
}
