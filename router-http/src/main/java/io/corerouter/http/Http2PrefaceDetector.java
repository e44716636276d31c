package io.corerouter.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * On a plain HTTP listener with HTTP/2 on: reads the first bytes of a connection and, when they are the
 * HTTP/2 client preface ({@code PRI * HTTP/2.0...}, RFC 9113 §3.3: h2c with prior knowledge), switches it
 * to HTTP/2 ({@link Http2Front#switchTo}); at the first byte that differs it leaves the HTTP/1.1
 * handlers as they are. Either way it leaves the pipeline, handing on what it read (the codec reads the
 * preface itself). Netty's {@code CleartextHttp2ServerUpgradeHandler} does the same but needs Netty's
 * own HTTP server codec, which the router replaces with its strict one.
 */
final class Http2PrefaceDetector extends ByteToMessageDecoder {
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final Http2Front front;
    private final HttpRouterContext router;

    Http2PrefaceDetector(Http2Front front, HttpRouterContext router) {
        this.front = front;
        this.router = router;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int length = PREFACE.length;
        int n = Math.min(in.readableBytes(), length);
        if (!startsWith(in, n)) {
            ctx.pipeline().remove(this);
        } else if (n == length) {
            front.switchTo(ctx, router);
            ctx.pipeline().remove(this);
        }
        // else: a prefix of the preface so far, wait for more
    }

    private static boolean startsWith(ByteBuf in, int n) {
        int at = in.readerIndex();
        for (int i = 0; i < n; i++) {
            if (in.getByte(at + i) != PREFACE[i]) {
                return false;
            }
        }
        return true;
    }
}
