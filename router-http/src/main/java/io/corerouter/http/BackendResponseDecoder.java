package io.corerouter.http;

import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpStatusClass;

/**
 * Netty's response decoder told whether the request was a HEAD, whose response has a head only
 * (the job {@code HttpClientCodec} does for a client that also encodes its requests; here requests
 * leave as uwsgi packets, one per backend connection, so a flag is enough).
 */
final class BackendResponseDecoder extends HttpResponseDecoder {
    private final boolean headRequest;

    BackendResponseDecoder(HttpDecoderConfig config, boolean headRequest) {
        super(config);
        this.headRequest = headRequest;
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
