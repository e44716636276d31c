package io.corerouter.fast;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.EventLoop;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * {@code --fastrouter-post-buffering N} (spec §3.10): the request body is read completely before the
 * node is connected, so a slow client never holds a worker. A body of up to N bytes is kept in memory;
 * a larger one goes to an unlinked temporary file, written on the offload executor so the event loop
 * never touches the disk, and is later sent with a {@link DefaultFileRegion} ({@code sendfile}).
 *
 * <p>Backpressure: in file mode one write is in flight at a time and the client is read again only when
 * it completed ({@link Listener#readMore}). Event-loop confined, except the file writes themselves,
 * which hand their result back to the loop.
 */
final class PostBuffer {
    /** What the session hears from the buffer, on its event loop. */
    interface Listener {
        /** The buffer can take more: read the client again. */
        void readMore();

        /** The whole body is buffered. */
        void complete();

        /** Writing the temporary file failed. */
        void failed(IOException e);
    }

    private final long contentLength;
    private final EventLoop loop;
    private final Executor offload;
    private final Path dir;
    private final Listener listener;
    private final CompositeByteBuf memory;
    private final List<ByteBuf> pending = new ArrayList<>();
    private long received;
    private long written;
    private FileChannel file;
    private boolean writing;
    private boolean closed;
    private boolean completed;

    /**
     * @param memoryLimit bodies up to this many bytes stay in memory
     * @param dir         directory of the temporary file
     */
    PostBuffer(long contentLength, long memoryLimit, ByteBufAllocator alloc, EventLoop loop, Executor offload,
            Path dir, Listener listener) {
        this.contentLength = contentLength;
        this.loop = loop;
        this.offload = offload;
        this.dir = dir;
        this.listener = listener;
        this.memory = contentLength <= memoryLimit ? alloc.compositeBuffer(Integer.MAX_VALUE) : null;
    }

    /** True when the body goes to a temporary file. */
    boolean inFile() {
        return memory == null;
    }

    /** Takes ownership of {@code body}. */
    void add(ByteBuf body) {
        if (closed) {
            body.release();
            return;
        }
        received += body.readableBytes();
        if (memory != null) {
            memory.addComponent(true, body);
        } else {
            pending.add(body);
        }
    }

    /** The end of one read batch: completes, writes what arrived, or asks for more. */
    void readComplete() {
        if (closed || completed) {
            return;
        }
        if (memory != null) {
            if (received >= contentLength) {
                completed = true;
                listener.complete();
            } else {
                listener.readMore();
            }
            return;
        }
        if (!writing) {
            flushToFile();
        }
    }

    private void flushToFile() {
        if (pending.isEmpty()) {
            listener.readMore();
            return;
        }
        List<ByteBuf> batch = new ArrayList<>(pending);
        pending.clear();
        writing = true;
        try {
            offload.execute(() -> writeBatch(batch));
        } catch (RejectedExecutionException e) {
            writing = false;
            batch.forEach(ByteBuf::release);
            listener.failed(new IOException("offload pool stopped", e));
        }
    }

    /** On the offload thread: append the batch to the file, then report back on the loop. */
    private void writeBatch(List<ByteBuf> batch) {
        IOException error = null;
        long bytes = 0;
        try {
            if (file == null) {
                file = openUnlinked(dir);
            }
            for (ByteBuf buf : batch) {
                int index = buf.readerIndex();
                int length = buf.readableBytes();
                while (length > 0) {
                    int n = buf.getBytes(index, file, written + bytes, length);
                    index += n;
                    length -= n;
                    bytes += n;
                }
            }
        } catch (IOException e) {
            error = e;
        } finally {
            batch.forEach(ByteBuf::release);
        }
        long done = bytes;
        IOException failure = error;
        try {
            loop.execute(() -> onWritten(done, failure));
        } catch (RejectedExecutionException stopped) {
            closed = true; // the router stopped while this batch was written: nobody takes the body
            closeFile();
        }
    }

    private static FileChannel openUnlinked(Path dir) throws IOException {
        Path path = Files.createTempFile(dir, "corerouter-post-", ".body");
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        Files.delete(path); // like uWSGI: nobody else can find it, and it vanishes with the descriptor
        return channel;
    }

    private void onWritten(long bytes, IOException error) {
        writing = false;
        written += bytes;
        if (closed) {
            closeFile();
            return;
        }
        if (error != null) {
            listener.failed(error);
            return;
        }
        if (!pending.isEmpty()) {
            flushToFile();
        } else if (written >= contentLength) {
            completed = true;
            listener.complete();
        } else {
            listener.readMore();
        }
    }

    /** True once the whole body is buffered. */
    boolean isComplete() {
        return completed;
    }

    /**
     * Hands the body over as one message to write: a {@link ByteBuf} or a {@link DefaultFileRegion}
     * that closes the file when released. Call once, after {@link Listener#complete()}.
     */
    Object takeBody() {
        closed = true;
        if (memory != null) {
            return memory;
        }
        FileChannel body = file;
        file = null;
        return new DefaultFileRegion(body, 0, written);
    }

    /** Bytes buffered so far. */
    long received() {
        return received;
    }

    /** Releases what is held (the session is gone). */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (memory != null) {
            memory.release();
        }
        pending.forEach(ByteBuf::release);
        pending.clear();
        if (!writing) {
            closeFile(); // else the write in flight closes it when it reports back
        }
    }

    private void closeFile() {
        if (file != null) {
            try {
                file.close();
            } catch (IOException e) {
                // unlinked already: nothing is left behind
            }
            file = null;
        }
    }
}
