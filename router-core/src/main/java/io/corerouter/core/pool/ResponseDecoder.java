package io.corerouter.core.pool;

import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Netty's response decoder for a node's answer, told whether the request was a HEAD, whose response
 * has a head only (the job {@code HttpClientCodec} does for a client that also encodes its requests;
 * here requests leave as uwsgi packets or pre-built HTTP heads, so a flag is enough). On a pooled
 * connection the flag is set again for every request ({@link #headRequest(boolean)}), and
 * {@link #hasLeftover()} tells whether the node sent bytes beyond the response that just ended.
 *
 * <p>A status line saying {@code HTTP/2.0} is read as HTTP/1.1: uWSGI writes the request's
 * {@code SERVER_PROTOCOL} there, which is {@code HTTP/2.0} for a request that came over HTTP/2 (issue
 * 11), but what follows is framed as in HTTP/1.1 (Content-Length, chunked, or the end of the
 * connection); taken as written, Netty would refuse the {@code Transfer-Encoding} of a chunked answer
 * (RFC 9112 §6.1 allows it in HTTP/1.1 only) and the client would get a 502.
 */
public final class ResponseDecoder extends HttpResponseDecoder {
    private boolean headRequest;

    public ResponseDecoder(HttpDecoderConfig config, boolean headRequest) {
        super(config);
        this.headRequest = headRequest;
    }

    /** The next response answers a HEAD request (or not). */
    public void headRequest(boolean head) {
        this.headRequest = head;
    }

    /** Whether bytes are buffered that no complete message used yet. */
    public boolean hasLeftover() {
        return actualReadableBytes() > 0;
    }

    @Override
    protected HttpMessage createMessage(String[] initialLine) {
        HttpMessage message = super.createMessage(initialLine);
        if (message.protocolVersion().majorVersion() == 2) {
            message.setProtocolVersion(HttpVersion.HTTP_1_1);
        }
        return message;
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage msg) {
        if (headRequest && msg instanceof HttpResponse response
                && response.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
            return true;
        }
        return super.isContentAlwaysEmpty(msg);
    }
}
