package io.corerouter.core.error;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;

/**
 * A complete HTTP/1.1 error response as raw bytes, for routers whose client stream is HTTP but that
 * have no HTTP codec in their pipeline: the fastrouter answers nginx (or any uwsgi client) this way,
 * since a uwsgi response is a raw HTTP response (spec §1.4; deviations.md, "Errors are answered").
 *
 * <p>Same content as the HTTP router's answers: the kind's status, {@code Content-Type: text/plain},
 * {@code Content-Length}, {@code Connection: close} and {@link RouterException#responseText()} as body.
 */
public final class HttpErrorBytes {
    private HttpErrorBytes() {
    }

    /** The response for {@code failure}, in a buffer from {@code alloc} that the caller writes (or releases). */
    public static ByteBuf of(ByteBufAllocator alloc, RouterException failure) {
        byte[] body = failure.responseText().getBytes(StandardCharsets.UTF_8);
        ErrorKind kind = failure.kind();
        String head = "HTTP/1.1 " + kind.status() + ' ' + kind.reasonPhrase() + "\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: " + body.length + "\r\n"
                + "Connection: close\r\n\r\n";
        ByteBuf out = alloc.buffer(head.length() + body.length);
        ByteBufUtil.writeAscii(out, head);
        out.writeBytes(body);
        return out;
    }
}
