package io.corerouter.core.config;

/**
 * Size limits of an HTTP request head. Over a limit the HTTP router answers 414 (request line) or 431
 * (head, header count) instead of uWSGI's silent close (deviations.md, "Errors are answered").
 *
 * <p>Defaults ({@link #forBufferSize}): uWSGI grows the client buffer up to 64 KiB and drops a head
 * that does not fit (spec §4.1); corerouter derives the head limit from {@code --http-buffer-size} as
 * {@code bufferSize * 16}, so the default 4096 gives uWSGI's 65536, with a floor of 8192. The request
 * line only has to fit in the head, as in uWSGI. uWSGI has no header count limit (the 65535-byte vars
 * block bounds it at a few thousand); corerouter stops at {@value #DEFAULT_MAX_HEADER_COUNT}, far above
 * any real client.
 *
 * @param maxHeadSize          request line + headers + final CRLF, in bytes
 * @param maxInitialLineLength request line, in bytes; at most {@code maxHeadSize}
 * @param maxHeaderCount       header lines
 */
public record Limits(int maxHeadSize, int maxInitialLineLength, int maxHeaderCount) {
    /** The head limit is this many buffers. */
    public static final int HEAD_BUFFERS = 16;
    /** Smallest head limit derived from a buffer size. */
    public static final int MIN_HEAD_SIZE = 8192;
    /** Default header count limit. */
    public static final int DEFAULT_MAX_HEADER_COUNT = 1024;

    public Limits {
        if (maxHeadSize < 1) {
            throw new IllegalArgumentException("maxHeadSize: " + maxHeadSize + " (expected: > 0)");
        }
        if (maxInitialLineLength < 1 || maxInitialLineLength > maxHeadSize) {
            throw new IllegalArgumentException("maxInitialLineLength: " + maxInitialLineLength
                    + " (expected: 1-" + maxHeadSize + ")");
        }
        if (maxHeaderCount < 1) {
            throw new IllegalArgumentException("maxHeaderCount: " + maxHeaderCount + " (expected: > 0)");
        }
    }

    /** The defaults for a {@code --http-buffer-size}: head {@code max(8192, bufferSize * 16)}. */
    public static Limits forBufferSize(int bufferSize) {
        int head = (int) Math.min(Integer.MAX_VALUE, Math.max(MIN_HEAD_SIZE, (long) bufferSize * HEAD_BUFFERS));
        return new Limits(head, head, DEFAULT_MAX_HEADER_COUNT);
    }
}
