package io.corerouter.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.AsciiString;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

/**
 * {@code --http-auto-gzip} for one response (spec §4.7): the JDK's {@link GZIPOutputStream} (zlib's
 * deflate, gzip header and CRC32/ISIZE trailer) in sync-flush mode, so every backend read becomes one
 * self-contained chunk the client can inflate at once, as uWSGI does with {@code Z_SYNC_FLUSH}.
 *
 * <p>The stream writes into whatever buffer the current call supplies; {@link #close} frees zlib's
 * native memory and must run on every path (the session does it in its cleanup).
 */
final class ResponseGzip {
    private static final AsciiString UWSGI_ENCODING = AsciiString.cached("uWSGI-Encoding");
    private static final String GZIP = "gzip";

    private final Sink sink = new Sink();
    private final GZIPOutputStream gzip;
    private boolean closed;

    private ResponseGzip() {
        try {
            gzip = new GZIPOutputStream(sink, 8192, true);
        } catch (IOException impossible) {
            throw new UncheckedIOException(impossible);
        }
    }

    /**
     * Spec §4.7: the request accepts gzip (case-sensitive substring, as uWSGI), the response asks for it
     * with {@code uWSGI-Encoding: gzip} and has no Content-Length, Transfer-Encoding or
     * Content-Encoding. Never for HEAD, 204 or 304, which have no body.
     */
    static boolean applies(String acceptEncoding, HttpMethod method, HttpResponse response) {
        if (acceptEncoding == null || !acceptEncoding.contains(GZIP) || HttpMethod.HEAD.equals(method)) {
            return false;
        }
        int code = response.status().code();
        if (code < 200 || code == 204 || code == 304) {
            return false;
        }
        HttpHeaders headers = response.headers();
        return GZIP.equals(headers.get(UWSGI_ENCODING))
                && !headers.contains(HttpHeaderNames.CONTENT_LENGTH)
                && !headers.contains(HttpHeaderNames.TRANSFER_ENCODING)
                && !headers.contains(HttpHeaderNames.CONTENT_ENCODING);
    }

    /** Marks the head ({@code Content-Encoding: gzip}; the caller frames it) and returns the encoder. */
    static ResponseGzip start(HttpResponse response) {
        response.headers().set(HttpHeaderNames.CONTENT_ENCODING, HttpHeaderValues.GZIP);
        return new ResponseGzip();
    }

    /** Compresses and sync-flushes {@code data} (released); the result may be empty. */
    ByteBuf encode(ByteBufAllocator alloc, ByteBuf data) {
        ByteBuf out = alloc.buffer(data.readableBytes() / 2 + 64);
        sink.target = new ByteBufOutputStream(out);
        try {
            sink.drainHeader();
            data.readBytes(gzip, data.readableBytes());
            gzip.flush();
            return out;
        } catch (IOException e) {
            out.release();
            throw new UncheckedIOException(e);
        } finally {
            sink.target = null;
            data.release();
        }
    }

    /** The deflate end and the gzip trailer; frees the deflater. */
    ByteBuf finish(ByteBufAllocator alloc) {
        ByteBuf out = alloc.buffer(32);
        sink.target = new ByteBufOutputStream(out);
        try {
            sink.drainHeader();
            gzip.finish();
            return out;
        } catch (IOException e) {
            out.release();
            throw new UncheckedIOException(e);
        } finally {
            sink.target = null;
            close();
        }
    }

    /** Frees zlib's memory; idempotent. */
    void close() {
        if (!closed) {
            closed = true;
            try {
                gzip.close(); // ends the deflater; the sink discards what close() writes
            } catch (IOException ignored) {
                // the sink never throws
            }
        }
    }

    /**
     * Where the gzip stream writes: the current call's buffer. The 10-byte gzip header, written by the
     * stream's constructor before any buffer exists, waits here for the first call; what
     * {@link #close} writes outside a call is dropped.
     */
    private static final class Sink extends OutputStream {
        OutputStream target;
        private byte[] header = new byte[0];

        void drainHeader() throws IOException {
            if (header != null) {
                target.write(header);
                header = null;
            }
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (target != null) {
                target.write(b, off, len);
            } else if (header != null) {
                header = Arrays.copyOf(header, header.length + len);
                System.arraycopy(b, off, header, header.length - len, len);
            }
        }
    }
}
