package io.corerouter.core.codec.uwsgi;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Feeds the same frame to a fresh {@link EmbeddedChannel} in every way a socket could deliver it:
 * whole, split in two at every position, and byte by byte (STYLE.md item 15). Each piece is a
 * tracked buffer from the channel's allocator, so the leak check sees what the handlers do with it.
 */
final class FrameFeeder {
    private FrameFeeder() {
    }

    /**
     * What one way of feeding produced: the inbound messages (released after the check) and the
     * exceptions that reached the end of the pipeline, in order.
     */
    record Fed(String cut, List<Object> messages, List<Throwable> errors) {
        /** The only message, failing if there is not exactly one and it is not a {@code type}. */
        <T> T single(Class<T> type) {
            if (!errors.isEmpty()) {
                throw new AssertionError(cut + ": unexpected error", errors.get(0));
            }
            if (messages.size() != 1 || !type.isInstance(messages.get(0))) {
                throw new AssertionError(cut + ": expected one " + type.getSimpleName() + ", got " + messages);
            }
            return type.cast(messages.get(0));
        }
    }

    /** Feeds {@code frame} whole, in two at every split, and byte by byte; checks each outcome. */
    static void feedAllCuts(byte[] frame, Supplier<ChannelHandler[]> handlers, Consumer<Fed> check) {
        feed(frame, new int[] {frame.length}, "whole", handlers, check);
        for (int split = 1; split < frame.length; split++) {
            feed(frame, new int[] {split, frame.length - split}, "split at " + split, handlers, check);
        }
        feedByteByByte(frame, handlers, check);
    }

    /** Feeds {@code frame} one byte per read. */
    static void feedByteByByte(byte[] frame, Supplier<ChannelHandler[]> handlers, Consumer<Fed> check) {
        int[] ones = new int[frame.length];
        Arrays.fill(ones, 1);
        feed(frame, ones, "byte by byte", handlers, check);
    }

    /** Feeds {@code frame} in pieces of the given sizes (which must add up to its length). */
    static void feed(byte[] frame, int[] pieces, String cut, Supplier<ChannelHandler[]> handlers,
            Consumer<Fed> check) {
        EmbeddedChannel channel = new EmbeddedChannel(handlers.get());
        List<Object> messages = new ArrayList<>();
        List<Throwable> errors = new ArrayList<>();
        try {
            int offset = 0;
            for (int size : pieces) {
                ByteBuf piece = channel.alloc().buffer(size).writeBytes(frame, offset, size);
                offset += size;
                try {
                    channel.writeInbound(piece);
                } catch (Throwable t) {
                    errors.add(t);
                }
                drain(channel, messages);
            }
            if (offset != frame.length) {
                throw new IllegalArgumentException(cut + ": pieces add up to " + offset + ", not " + frame.length);
            }
            check.accept(new Fed(cut, messages, errors));
        } finally {
            messages.forEach(ReferenceCountUtil::release);
            channel.finishAndReleaseAll();
        }
    }

    private static void drain(EmbeddedChannel channel, List<Object> messages) {
        for (Object message; (message = channel.readInbound()) != null; ) {
            messages.add(message);
        }
    }
}
