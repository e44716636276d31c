package io.corerouter.http;

import io.corerouter.core.error.RouterException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/**
 * The one table from {@link RouterException} to what an HTTP client receives: the kind's status, a
 * short {@code text/plain} body naming the reason, and {@code Connection: close} (deviations.md,
 * "Errors are answered, not swallowed").
 */
final class ErrorResponses {
    private ErrorResponses() {
    }

    static FullHttpResponse of(ByteBufAllocator alloc, RouterException failure) {
        ByteBuf body = ByteBufUtil.writeUtf8(alloc, failure.responseText());
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(failure.kind().status(), failure.kind().reasonPhrase()), body);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return response;
    }
}
