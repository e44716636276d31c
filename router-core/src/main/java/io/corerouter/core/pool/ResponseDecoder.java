package io.corerouter.core.pool;

import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpStatusClass;

/**
 * Netty's response decoder for a node's answer, told whether the request was a HEAD, whose response
 * has a head only (the job {@code HttpClientCodec} does for a client that also encodes its requests;
 * here requests leave as uwsgi packets or pre-built HTTP heads, so a flag is enough). On a pooled
 * connection the flag is set again for every request ({@link #headRequest(boolean)}), and
 * {@link #hasLeftover()} tells whether the node sent bytes beyond the response that just ended.
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
    protected boolean isContentAlwaysEmpty(HttpMessage msg) {
        if (headRequest && msg instanceof HttpResponse response
                && response.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
            return true;
        }
        return super.isContentAlwaysEmpty(msg);
    }
}
