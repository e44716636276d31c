package io.corerouter.http;

import io.corerouter.core.server.HandlerNames;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.ProtocolDetectionState;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * {@code --http-enable-proxy-protocol} (spec §4.10): a connection <em>may</em> start with a PROXY
 * header, as in uWSGI, which looks for one only when the bytes start with {@code PROXY }. When the
 * first bytes are a v1 or v2 signature this handler replaces itself with Netty's
 * {@link HAProxyMessageDecoder} (which decodes one header, passes an
 * {@link io.netty.handler.codec.haproxy.HAProxyMessage} on and removes itself); otherwise it just
 * removes itself. Either way the bytes it held go on unchanged.
 *
 * <p>uWSGI parses v1 only; v2 is an addition. Like uWSGI there is no list of trusted senders: only
 * enable it on listeners that a proxy alone can reach.
 */
final class ProxyProtocolDetector extends ByteToMessageDecoder {
    private static final byte[] V1 = "PROXY ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] V2 = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        ProtocolDetectionState state = HAProxyMessageDecoder.detectProtocol(in).state();
        if (state == ProtocolDetectionState.NEEDS_MORE_DATA && (startsLike(in, V1) || startsLike(in, V2))) {
            return;
        }
        if (state == ProtocolDetectionState.DETECTED) {
            ctx.pipeline().replace(this, HandlerNames.PROXY_PROTOCOL, new HAProxyMessageDecoder());
        } else {
            ctx.pipeline().remove(this);
        }
    }

    /** Whether the readable bytes (fewer than a signature) could still be the start of {@code prefix}. */
    private static boolean startsLike(ByteBuf in, byte[] prefix) {
        int n = Math.min(in.readableBytes(), prefix.length);
        for (int i = 0; i < n; i++) {
            if (in.getByte(in.readerIndex() + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
