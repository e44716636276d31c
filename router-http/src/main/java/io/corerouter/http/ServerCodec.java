package io.corerouter.http;

import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import java.util.ArrayDeque;

/**
 * The client codec of every router listener (HTTP, HTTPS, {@code --http-to-https}): the router's
 * {@link StrictRequestDecoder} (obs-fold rejected, {@code RTSP/1.0} request lines with
 * {@code --http-manage-rtsp}) and an {@link HttpResponseEncoder}.
 *
 * <p>Netty's {@code HttpServerCodec} is final and its decoder private, so this repeats what it adds
 * over the plain decoder and encoder, matching responses to their requests in order: a response to a
 * HEAD request is encoded without a body, and a 2xx response to CONNECT without
 * {@code Transfer-Encoding} (RFC 9110 §9.3.6). (Its close after a request with both
 * {@code Transfer-Encoding} and {@code Content-Length} is not needed: the router's decoder settings
 * reject such a request.)
 */
final class ServerCodec extends CombinedChannelDuplexHandler<StrictRequestDecoder, HttpResponseEncoder> {
    /** What a response needs to know about the request it answers. */
    private enum Method { HEAD, CONNECT, OTHER }

    /** The method of the oldest request head decoded and not yet answered, or null. */
    private Method oldest;
    /** The methods of the heads pipelined behind {@link #oldest}, in order; made only for pipelining. */
    private ArrayDeque<Method> later;

    /**
     * @param config     the request decoder settings ({@link HttpRouterContext#requestDecoderConfig})
     * @param acceptRtsp whether {@code RTSP/1.0} request lines are accepted ({@code --http-manage-rtsp})
     */
    ServerCodec(HttpDecoderConfig config, boolean acceptRtsp) {
        init(new Decoder(config, acceptRtsp), new Encoder());
    }

    private final class Decoder extends StrictRequestDecoder {
        Decoder(HttpDecoderConfig config, boolean acceptRtsp) {
            super(config, acceptRtsp);
        }

        @Override
        protected void requestDecoded(HttpRequest request) {
            HttpMethod method = request.method();
            Method m = HttpMethod.HEAD.equals(method) ? Method.HEAD
                    : HttpMethod.CONNECT.equals(method) ? Method.CONNECT : Method.OTHER;
            if (oldest == null) {
                oldest = m;
            } else {
                if (later == null) {
                    later = new ArrayDeque<>(2);
                }
                later.add(m);
            }
        }
    }

    private final class Encoder extends HttpResponseEncoder {
        private Method answering = Method.OTHER;

        @Override
        protected boolean isContentAlwaysEmpty(HttpResponse msg) {
            if (msg.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                // not the final response: the request stays queued
                return super.isContentAlwaysEmpty(msg);
            }
            Method method = oldest;
            oldest = later == null ? null : later.poll();
            answering = method == null ? Method.OTHER : method;
            return answering == Method.HEAD || super.isContentAlwaysEmpty(msg);
        }

        @Override
        protected void sanitizeHeadersBeforeEncode(HttpResponse msg, boolean isAlwaysEmpty) {
            if (!isAlwaysEmpty && answering == Method.CONNECT && msg.status().codeClass() == HttpStatusClass.SUCCESS) {
                msg.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
                return;
            }
            super.sanitizeHeadersBeforeEncode(msg, isAlwaysEmpty);
        }
    }
}
