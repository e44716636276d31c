package io.corerouter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The spool's hand-offs between the event loop and the offload pool when either has stopped: no
 * buffer is lost (the leak check of every test class fails on one).
 */
class SpooledBodyTest {
    private static final PooledByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    /** Runs tasks only when told to (the offload pool, frozen mid-write). */
    private static final class HeldExecutor implements java.util.concurrent.Executor {
        final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
        }
    }

    private static ByteBuf bytes(int n) {
        return ALLOC.directBuffer(n).writeZero(n);
    }

    private static <T> T on(EventLoop loop, Callable<T> task) throws Exception {
        return loop.submit(task).get(10, TimeUnit.SECONDS);
    }

    @Test
    void aWriteThatFinishesAfterTheLoopStoppedReleasesItsBuffer() throws Exception {
        EventLoop loop = new DefaultEventLoop();
        HeldExecutor offload = new HeldExecutor();
        List<IOException> failures = new ArrayList<>();
        SpooledBody body = on(loop, () -> new SpooledBody(ALLOC, 16, offload, loop, () -> { }, failures::add));
        on(loop, () -> {
            body.append(bytes(8));   // memory
            body.append(bytes(64));  // past the limit: queued for the file, write handed to the offload pool
            return null;
        });
        assertEquals(1, offload.tasks.size());
        on(loop, () -> {
            body.close(); // the session ends; the in-flight write still owns its buffer
            return null;
        });
        loop.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();

        offload.tasks.poll().run(); // the write completes, the loop is gone: the buffer must not leak
        assertTrue(failures.isEmpty());
    }

    @Test
    void anOffloadPoolThatStoppedFailsTheBodyAndReleasesIt() throws Exception {
        EventLoop loop = new DefaultEventLoop();
        List<IOException> failures = new ArrayList<>();
        java.util.concurrent.Executor stopped = task -> {
            throw new java.util.concurrent.RejectedExecutionException("stopped");
        };
        try {
            SpooledBody body = on(loop, () -> new SpooledBody(ALLOC, 16, stopped, loop, () -> { }, failures::add));
            boolean busy = on(loop, () -> {
                body.append(bytes(64));
                return body.busy();
            });
            assertFalse(busy, "nothing in flight");
            assertEquals(1, failures.size());
            assertTrue(failures.get(0).getMessage().contains("offload pool stopped"), failures.toString());
            on(loop, () -> {
                body.close();
                return null;
            });
        } finally {
            loop.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
