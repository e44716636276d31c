package io.corerouter.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.HttpConversionUtil;

/**
 * Makes the request Netty decodes from a stream's frames look like an HTTP/1.1 one to the
 * {@link HttpSession} (issue 11): the version becomes {@link #HTTP_2} ({@code SERVER_PROTOCOL=HTTP/2.0},
 * as nginx sends it), Netty's {@code x-http2-*} extension headers ({@link HttpConversionUtil.ExtensionHeaderNames}) go (an app must not see them as
 * {@code HTTP_X_HTTP2_STREAM_ID}), and a request whose HEADERS ended the stream (decoded whole) comes as a
 * head followed by its end, as the HTTP/1.1 decoder delivers it. {@code :authority} is already the
 * {@code Host} header, which the routing key reads. A request without {@code content-length} that
 * goes on after its HEADERS carries {@code Transfer-Encoding: chunked}, so its body is stored before
 * the packet goes out, as a chunked HTTP/1.1 body is.
 */
@ChannelHandler.Sharable
final class Http2RequestAdapter extends ChannelInboundHandlerAdapter {
    static final String NAME = "h2-request";
    static final Http2RequestAdapter INSTANCE = new Http2RequestAdapter();
    /** What {@code SERVER_PROTOCOL} and the access log say for a request that came over HTTP/2. */
    static final HttpVersion HTTP_2 = new HttpVersion("HTTP", 2, 0, true);
    /** The headers Netty's conversion adds (or a client could send to pass for them). */
    private static final HttpConversionUtil.ExtensionHeaderNames[] EXTENSIONS =
            HttpConversionUtil.ExtensionHeaderNames.values();

    private Http2RequestAdapter() {
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        removeExtensions(request.headers());
        if (msg instanceof FullHttpRequest full) {
            HttpRequest head = new DefaultHttpRequest(HTTP_2, full.method(), full.uri(), full.headers());
            LastHttpContent end = full.content().isReadable()
                    ? new io.netty.handler.codec.http.DefaultLastHttpContent(full.content(), full.trailingHeaders())
                    : emptyEnd(full);
            ctx.fireChannelRead(head);
            ctx.fireChannelRead(end);
            return;
        }
        request.setProtocolVersion(HTTP_2);
        ctx.fireChannelRead(request);
    }

    private static LastHttpContent emptyEnd(FullHttpRequest full) {
        full.release();
        return LastHttpContent.EMPTY_LAST_CONTENT;
    }

    private static void removeExtensions(HttpHeaders headers) {
        for (HttpConversionUtil.ExtensionHeaderNames name : EXTENSIONS) {
            headers.remove(name.text());
        }
    }
}
