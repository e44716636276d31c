package io.corerouter.http;

import io.corerouter.core.config.NodeProtocol;
import io.corerouter.core.error.ErrorKind;
import io.corerouter.core.error.RouterException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * The node-to-client half of an {@link HttpSession}: writes the response the {@link io.corerouter.core.pool.ResponseDecoder}
 * decodes to the client, framed for it (spec §4.6, §4.7), and flushes once per read batch of the node.
 *
 * <p>It drops what the client must not see (the node's {@code 100} after the router sent its own, the
 * body of interim responses), decides the response's framing and whether the connection can stay open
 * ({@link #keepAlive()}), gzips with {@code --http-auto-gzip}, and reads the node again only while the
 * client is writable. The outcomes go back to the session, which decides what follows: a response that
 * is complete ({@link HttpSession#finishResponse}), a node that failed before answering
 * ({@link HttpSession#backendFailed}) or in the middle ({@link HttpSession#abort}), a {@code 101} whose
 * tunnel can open ({@link HttpSession#tunnel}).
 *
 * <p>One per connection, {@link #reset()} per request, used only on the connection's event loop.
 */
final class ResponseRelay {
    private final HttpSession session;
    private final ChannelHandlerContext ctx;
    private final HttpFeatures features;
    private final CurrentRequest current;

    private boolean responseStarted;
    private boolean interimResponse;
    private boolean responseKeepAlive;
    private boolean upgraded;
    private ResponseGzip gzip;
    private long fromNode;
    private NodeProtocol nodeProtocol = NodeProtocol.UWSGI;
    private boolean nodeReusable;

    ResponseRelay(HttpSession session, ChannelHandlerContext ctx, HttpFeatures features, CurrentRequest current) {
        this.session = session;
        this.ctx = ctx;
        this.features = features;
        this.current = current;
    }

    /** Whether part of the final response (or a {@code 101}) went to the client: it can no longer get an error answer. */
    boolean started() {
        return responseStarted;
    }

    /** Whether the response allows the connection to stay open (valid once {@link #started()}). */
    boolean keepAlive() {
        return responseKeepAlive;
    }

    /** The response comes from a node speaking {@code protocol} (set when forwarding starts). */
    void fromProtocol(NodeProtocol protocol) {
        nodeProtocol = protocol;
    }

    /**
     * Whether a pooled node connection can take another request after this response: its framing
     * tells its end exactly, the node did not say it closes, and the whole request had gone out before
     * the response began (valid once the response ended).
     */
    boolean nodeReusable() {
        return nodeReusable;
    }

    /** Response body bytes received from the node since the last {@link #clearFromNode()}. */
    long fromNode() {
        return fromNode;
    }

    void clearFromNode() {
        fromNode = 0;
    }

    /** One message of the current node's response. */
    void onMessage(Object msg) {
        if (msg instanceof HttpResponse response) {
            onResponseHead(response);
        } else if (msg instanceof HttpContent content) {
            onResponseContent(content);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onResponseHead(HttpResponse response) {
        if (response.decoderResult().isFailure()) {
            ReferenceCountUtil.release(response);
            session.backendFailed(new RouterException(ErrorKind.BAD_RESPONSE, "invalid response from node "
                    + session.nodeName() + ": " + response.decoderResult().cause().getMessage(), current.replayable));
            return;
        }
        HttpResponseStatus status = response.status();
        if (status.code() == 101) {
            if (current.rawMode != RawMode.WEBSOCKET) {
                ReferenceCountUtil.release(response);
                session.backendFailed(new RouterException(ErrorKind.BAD_RESPONSE, "node " + session.nodeName()
                        + " switched protocols without an upgrade request"));
                return;
            }
            responseStarted = true;
            upgraded = true; // the tunnel opens once the (empty) body of the 101 has passed
            ctx.write(response, ctx.voidPromise());
            return;
        }
        if (status.codeClass() == HttpStatusClass.INFORMATIONAL) {
            interimResponse = true; // 100 Continue and friends; the final head follows
            if (current.sentContinue && status.code() == 100) {
                ReferenceCountUtil.release(response); // the client had ours already
            } else {
                // whole, as HTTP/2 streams need it (its empty body from the node is dropped below)
                ctx.write(new DefaultFullHttpResponse(response.protocolVersion(), status, Unpooled.EMPTY_BUFFER,
                        response.headers(), EmptyHttpHeaders.INSTANCE), ctx.voidPromise());
            }
            return;
        }
        if (nodeProtocol.pooled() && !pooledHead(response)) {
            return;
        }
        responseStarted = true;
        responseKeepAlive = frame(response);
        ctx.write(response, ctx.voidPromise());
    }

    /**
     * A final response head from a pooled node: decides whether the connection can be reused, and takes
     * the node's hop-by-hop headers out of an HTTP node's response (the client gets its own framing).
     *
     * @return false if the response was refused (a success before the whole request went out: 502)
     */
    private boolean pooledHead(HttpResponse response) {
        int code = response.status().code();
        boolean bodyless = current.headRequest || code == 204 || code == 304;
        boolean framed = bodyless || HttpUtil.isContentLengthSet(response) || HttpUtil.isTransferEncodingChunked(response);
        // after a HEAD, uWSGI writes the app's body anyway, maybe in a later read: never reuse such a connection
        boolean reusable = framed && !current.headRequest;
        if (nodeProtocol == NodeProtocol.HTTP) {
            // uWSGI's puwsgi nodes keep the connection whatever the app's head says; an HTTP node may not
            String connection = response.headers().get(HttpHeaderNames.CONNECTION);
            reusable &= response.protocolVersion() == HttpVersion.HTTP_1_1
                    && (connection == null || !HttpHeaderValues.CLOSE.contentEqualsIgnoreCase(connection));
            response.headers().remove(HttpHeaderNames.CONNECTION).remove(HttpHeaderNames.KEEP_ALIVE);
        }
        if (!current.requestDone) {
            if (code < 400) {
                ReferenceCountUtil.release(response);
                session.backendFailed(new RouterException(ErrorKind.BAD_RESPONSE, "node " + session.nodeName()
                        + " answered " + code + " before the whole request was sent"));
                return false;
            }
            reusable = false; // an early error answer: the node may not have read the rest
        }
        nodeReusable = reusable;
        return true;
    }

    /**
     * Spec §4.6 and §4.7, response side: decides keepalive and the framing the client gets. A
     * response without length is gzipped ({@code --http-auto-gzip}) or chunked
     * ({@code --http-auto-chunked}) when it has a body and the client speaks HTTP/1.1, and otherwise
     * gets {@code Connection: close}. HEAD, 204 and 304 are never touched (deviations.md).
     *
     * @return whether the connection stays open after this response
     */
    private boolean frame(HttpResponse response) {
        boolean responseHttp11 = response.protocolVersion() == HttpVersion.HTTP_1_1;
        boolean keep = current.keepAlive && !session.inputClosed() && !session.draining() && responseHttp11;
        String connection = response.headers().get(HttpHeaderNames.CONNECTION);
        if (connection != null && HttpHeaderValues.CLOSE.contentEqualsIgnoreCase(connection)) {
            keep = false;
        }
        int code = response.status().code();
        boolean bodyless = current.headRequest || code == 204 || code == 304;
        boolean framed = bodyless || HttpUtil.isContentLengthSet(response) || HttpUtil.isTransferEncodingChunked(response);
        boolean canChunk = current.http11 && responseHttp11 && !bodyless;
        if (features.autoGzip() && ResponseGzip.applies(current.acceptEncoding, current.method, response)) {
            gzip = ResponseGzip.start(response);
            if (canChunk) {
                HttpUtil.setTransferEncodingChunked(response, true);
                framed = true;
            }
        } else if (!framed && features.autoChunked() && canChunk) {
            HttpUtil.setTransferEncodingChunked(response, true);
            framed = true;
        }
        if (!framed) {
            keep = false;
        }
        if (!keep && connection == null && responseHttp11) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return keep;
    }

    private void onResponseContent(HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        if (interimResponse) {
            if (last) {
                interimResponse = false;
            }
            content.release();
            return;
        }
        if (upgraded) {
            content.release();
            if (last) {
                session.tunnel();
            }
            return;
        }
        if (last && content.decoderResult().isFailure()) {
            content.release();
            session.abort("response of node " + session.nodeName() + " has invalid framing: "
                    + content.decoderResult().cause().getMessage());
            return;
        }
        fromNode += content.content().readableBytes();
        if (gzip != null) {
            content = gzipped(content, last);
        }
        if (last) {
            ChannelFuture written = ctx.write(content);
            session.finishResponse(written);
        } else {
            ctx.write(content, ctx.voidPromise());
        }
    }

    private HttpContent gzipped(HttpContent content, boolean last) {
        ByteBuf out = gzip.encode(ctx.alloc(), content.content());
        if (!last) {
            return new DefaultHttpContent(out);
        }
        ByteBuf end = gzip.finish(ctx.alloc());
        gzip = null;
        return new DefaultLastHttpContent(Unpooled.wrappedBuffer(out, end));
    }

    /**
     * A node's read batch ended: flush it to the client, and read the node again if it is still the
     * session's current one and the client can take more.
     */
    void readComplete(Channel node) {
        ctx.flush();
        if (session.relaying(node) && ctx.channel().isWritable()) {
            node.read();
        }
    }

    /** Drops the gzip state of an unfinished response. */
    void close() {
        if (gzip != null) {
            gzip.close();
            gzip = null;
        }
    }

    /** Forgets the previous response (the gzip state must be closed already). */
    void reset() {
        responseStarted = false;
        interimResponse = false;
        responseKeepAlive = false;
        upgraded = false;
        fromNode = 0;
        nodeProtocol = NodeProtocol.UWSGI;
        nodeReusable = false;
    }
}
