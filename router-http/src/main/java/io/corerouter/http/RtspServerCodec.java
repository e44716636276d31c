package io.corerouter.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The client codec of a listener with {@code --http-manage-rtsp}: Netty's {@code HttpServerCodec}
 * with one difference, a request line may end in {@code RTSP/1.0} (Netty's request decoder accepts
 * {@code HTTP/x.y} only). RTSP requests become byte relays (spec §4.8), so only their head is decoded.
 *
 * <p>{@code HttpServerCodec} is final and its decoder private, so this repeats the one thing it adds
 * over the plain decoder and encoder: responses to HEAD requests are encoded without a body, matched
 * to their requests in order.
 */
final class RtspServerCodec extends CombinedChannelDuplexHandler<HttpRequestDecoder, HttpResponseEncoder> {
    static final HttpVersion RTSP_1_0 = HttpVersion.valueOf("RTSP/1.0");
    private static final String RTSP_1_0_TEXT = "RTSP/1.0";

    /** Whether each decoded request, oldest first, was a HEAD. */
    private final ArrayDeque<Boolean> heads = new ArrayDeque<>(2);

    RtspServerCodec(HttpDecoderConfig config) {
        init(new Decoder(config), new Encoder());
    }

    private final class Decoder extends HttpRequestDecoder {
        Decoder(HttpDecoderConfig config) {
            super(config);
        }

        @Override
        protected HttpMessage createMessage(String[] initialLine) throws Exception {
            if (RTSP_1_0_TEXT.equals(initialLine[2])) {
                return new DefaultHttpRequest(RTSP_1_0, HttpMethod.valueOf(initialLine[0]), initialLine[1],
                        headersFactory);
            }
            return super.createMessage(initialLine);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
            int before = out.size();
            super.decode(ctx, buffer, out);
            for (int i = before; i < out.size(); i++) {
                if (out.get(i) instanceof HttpRequest request) {
                    heads.add(HttpMethod.HEAD.equals(request.method()));
                }
            }
        }
    }

    private final class Encoder extends HttpResponseEncoder {
        @Override
        protected boolean isContentAlwaysEmpty(HttpResponse msg) {
            if (msg.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                return super.isContentAlwaysEmpty(msg);
            }
            Boolean head = heads.poll();
            return (head != null && head) || super.isContentAlwaysEmpty(msg);
        }
    }
}
