package io.corerouter.http;

import io.corerouter.core.backend.BackendNode;
import io.corerouter.core.backend.NodeSelector;
import io.corerouter.core.codec.uwsgi.TooLongUwsgiPacketException;
import io.corerouter.core.error.ErrorKind;
import io.corerouter.core.error.RouterException;
import io.corerouter.core.log.Exceptions;
import io.corerouter.core.server.HandlerNames;
import io.corerouter.core.server.HarakiriHandler;
import io.corerouter.ssl.TlsConnection;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One client connection of the HTTP router: HTTP/1.1 requests in, one uwsgi packet plus the body
 * out to a backend per request, the backend's HTTP response relayed back (spec §4, deviations.md).
 *
 * <p>Lifecycle ({@link State}): {@code AWAIT_HEAD} until a request head is decoded, then
 * {@code CONNECTING} (the node is chosen and connected on this channel's event loop, retried on
 * connect failure per spec §3.6), then {@code FORWARDING} (packet and body go out, the response
 * comes back), then {@code AWAIT_HEAD} again for keepalive or {@code CLOSED}.
 *
 * <p>Flow control: both channels run with {@code AUTO_READ} off. The client is read only while a
 * head is awaited or the current body can be forwarded to a writable backend; the backend is read
 * only while the client is writable. Writes are flushed once per read batch. Requests pipelined
 * behind the current one are held in order and answered after it.
 */
final class HttpSession extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = Logger.getLogger(HttpSession.class.getName());

    enum State { AWAIT_HEAD, CONNECTING, FORWARDING, CLOSED }

    private final HttpRouterContext router;
    private final HttpToUwsgi translator;
    private final NodeSelector selector;
    private final ArrayDeque<ByteBuf> bodyBacklog = new ArrayDeque<>(2);
    private final ArrayDeque<Object> pipelined = new ArrayDeque<>(2);
    private final ChannelFutureListener connectListener = this::onConnect;
    private final Runnable headTimeoutTask = this::onHeadTimeout;

    private ChannelHandlerContext ctx;
    private State state = State.AWAIT_HEAD;
    private String remoteAddr = "0.0.0.0";
    private int remotePort;
    private ScheduledFuture<?> headTimer;
    private boolean inputClosed;

    // the request in flight
    private String key;
    private ByteBuf packet;
    private boolean headRequest;
    private boolean replayable;
    private boolean keepAlive;
    private boolean requestDone;
    private boolean responseStarted;
    private boolean interimResponse;
    private boolean responseKeepAlive;
    private long toNode;
    private long fromNode;
    private BackendNode node;
    private Channel backend;

    HttpSession(HttpRouterContext router, HttpToUwsgi translator) {
        this.router = router;
        this.translator = translator;
        this.selector = router.newSelector();
    }

    // ---------------------------------------------------------------- client side

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        SocketAddress remote = ctx.channel().remoteAddress();
        if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
            remoteAddr = inet.getAddress().getHostAddress();
            remotePort = inet.getPort();
        }
        armHeadTimer(router.headersTimeoutNanos());
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        dispatch(msg);
    }

    private void dispatch(Object msg) {
        switch (state) {
            case CLOSED -> ReferenceCountUtil.release(msg);
            case AWAIT_HEAD -> {
                if (msg instanceof HttpRequest request) {
                    startRequest(request);
                } else {
                    ReferenceCountUtil.release(msg); // stray content after a rejected request
                }
            }
            case CONNECTING, FORWARDING -> {
                if (!requestDone && msg instanceof HttpContent content && !(msg instanceof HttpRequest)) {
                    onRequestContent(content);
                } else {
                    pipelined.add(msg);
                }
            }
        }
    }

    private void startRequest(HttpRequest request) {
        cancelHeadTimer();
        HarakiriHandler.restart(ctx.channel());
        if (request.decoderResult().isFailure()) {
            fail(decoderFailure(request.decoderResult().cause()));
            return;
        }
        resetRequest();
        headRequest = HttpMethod.HEAD.equals(request.method());
        if (HttpUtil.isTransferEncodingChunked(request)) {
            fail(new RouterException(ErrorKind.LENGTH_REQUIRED, "chunked request body without Content-Length"));
            return;
        }
        long contentLength = HttpUtil.getContentLength(request, 0L);
        replayable = contentLength == 0 && isIdempotent(request.method());
        keepAlive = router.keepAliveEnabled() && isPersistent(request);
        TlsConnection tls = TlsConnection.of(ctx.channel()); // null on plain listeners
        try {
            key = RoutingKey.of(request.headers(), tls == null ? null : tls.sniName(), router.serverName());
        } catch (BadRequestException e) {
            fail(new RouterException(ErrorKind.BAD_REQUEST, e.getMessage()));
            return;
        }
        ByteBuf out = ctx.alloc().directBuffer(1024);
        try {
            translator.write(request, remoteAddr, remotePort, tls, out, router.modifier1(), router.modifier2());
        } catch (TooLongUwsgiPacketException e) {
            out.release();
            fail(new RouterException(ErrorKind.HEADERS_TOO_LARGE, "request does not fit a uwsgi packet (" + e.getMessage() + ")"));
            return;
        }
        packet = out;
        node = selector.first(key);
        if (node == null) {
            fail(new RouterException(ErrorKind.NO_NODE, "no node available for the key"));
            return;
        }
        state = State.CONNECTING;
        connect();
    }

    private static boolean isIdempotent(HttpMethod method) {
        return HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method) || HttpMethod.OPTIONS.equals(method)
                || HttpMethod.TRACE.equals(method) || HttpMethod.PUT.equals(method) || HttpMethod.DELETE.equals(method);
    }

    /** Spec §4.6: HTTP/1.1 exactly, and no Connection header whose whole value is close or upgrade. */
    private static boolean isPersistent(HttpRequest request) {
        if (request.protocolVersion() != HttpVersion.HTTP_1_1) {
            return false;
        }
        String connection = request.headers().get(HttpHeaderNames.CONNECTION);
        return connection == null
                || !(HttpHeaderValues.CLOSE.contentEqualsIgnoreCase(connection)
                        || HttpHeaderValues.UPGRADE.contentEqualsIgnoreCase(connection));
    }

    private void onRequestContent(HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        if (last && content.decoderResult().isFailure()) {
            content.release();
            abort("request body ended early: " + content.decoderResult().cause().getMessage());
            return;
        }
        if (last) {
            requestDone = true;
        }
        ByteBuf data = content.content();
        if (!data.isReadable()) {
            data.release();
        } else if (state == State.CONNECTING) {
            bodyBacklog.add(data);
        } else if (backend != null && backend.isActive()) {
            toNode += data.readableBytes();
            backend.write(data, backend.voidPromise());
        } else {
            data.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        switch (state) {
            case AWAIT_HEAD -> ctx.read();
            case FORWARDING -> {
                if (backend != null) {
                    backend.flush();
                    if (!requestDone && backend.isWritable()) {
                        ctx.read();
                    }
                }
            }
            default -> {
                // CONNECTING: the client is read again once the backend is connected
            }
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && state == State.FORWARDING && backend != null) {
            backend.read();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputClosed = true;
            if (state == State.AWAIT_HEAD && pipelined.isEmpty()) {
                close();
            }
        } else if (evt instanceof IdleStateEvent) {
            onIdle();
        }
        ReferenceCountUtil.release(evt);
    }

    private void onIdle() {
        if (state == State.FORWARDING) {
            if (!responseStarted) {
                fail(new RouterException(ErrorKind.BACKEND_TIMEOUT, "no response from node " + nodeName()
                        + " within " + router.idleTimeoutSeconds() + "s"));
            } else {
                log(Level.INFO, "idle timeout while relaying the response of node " + nodeName());
                close();
            }
        }
        // AWAIT_HEAD has its own timer; CONNECTING has the connect timeout
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        state = State.CLOSED;
        cleanup();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (Exceptions.isExpected(cause)) {
            LOG.log(Level.FINE, () -> ctx.channel() + " client error: " + cause);
        } else {
            LOG.log(Level.WARNING, ctx.channel() + " client error", cause);
        }
        close();
    }

    // ---------------------------------------------------------------- connecting

    private void connect() {
        // spec §1.5: the node's modifiers (a subscription's), unless --http-modifier1/2 set their own
        int at = packet.readerIndex();
        packet.setByte(at, router.modifier1() != 0 ? router.modifier1() : node.modifier1());
        packet.setByte(at + 3, router.modifier2() != 0 ? router.modifier2() : node.modifier2());
        router.connector().connect(ctx.channel().eventLoop(), node.address()).addListener(connectListener);
    }

    private void onConnect(ChannelFuture future) {
        Channel channel = future.channel();
        if (state != State.CONNECTING) {
            channel.close();
            return;
        }
        if (!future.isSuccess()) {
            connectFailed(future.cause());
            return;
        }
        node.connected();
        backend = channel;
        channel.pipeline()
                .addLast(HandlerNames.BACKEND_DECODER, new BackendResponseDecoder(router.responseDecoderConfig(), headRequest))
                .addLast(HandlerNames.BACKEND, new BackendHandler(this));
        state = State.FORWARDING;
        toNode += packet.readableBytes();
        channel.write(packet.retainedDuplicate(), channel.voidPromise());
        ByteBuf early;
        while ((early = bodyBacklog.poll()) != null) {
            toNode += early.readableBytes();
            channel.write(early, channel.voidPromise());
        }
        channel.flush();
        channel.read();
        if (!requestDone && channel.isWritable()) {
            ctx.read();
        }
    }

    private void connectFailed(Throwable cause) {
        BackendNode failed = node;
        node = null;
        failed.connectFailed();
        failed.release();
        if (!router.quiet()) {
            log(Level.WARNING, "unable to connect() to node \"" + failed.name() + "\" (" + selector.retries()
                    + " retries): " + Exceptions.describe(cause) + "; marking it as failed");
        }
        retryOrFail(new RouterException(ErrorKind.CONNECT_FAILED, "no node accepted the connection (last tried "
                + failed.name() + ": " + Exceptions.describe(cause) + ")", true));
    }

    private void retryOrFail(RouterException failure) {
        BackendNode next = selector.retry(key, false);
        if (next == null) {
            fail(failure);
            return;
        }
        node = next;
        state = State.CONNECTING;
        connect();
    }

    // ---------------------------------------------------------------- backend side

    void onBackendMessage(Channel channel, Object msg) {
        if (channel != backend || state != State.FORWARDING) {
            ReferenceCountUtil.release(msg);
            return;
        }
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
            backendFailed(new RouterException(ErrorKind.BAD_RESPONSE, "invalid response from node " + nodeName()
                    + ": " + response.decoderResult().cause().getMessage(), replayable));
            return;
        }
        HttpResponseStatus status = response.status();
        if (status.codeClass() == HttpStatusClass.INFORMATIONAL && status.code() != 101) {
            interimResponse = true; // 100 Continue and friends go to the client; the final head follows
            ctx.write(response, ctx.voidPromise());
            return;
        }
        responseStarted = true;
        releasePacket();
        responseKeepAlive = decideKeepAlive(response);
        ctx.write(response, ctx.voidPromise());
    }

    /** Spec §4.6, response side; a response without framing gets {@code Connection: close}. */
    private boolean decideKeepAlive(HttpResponse response) {
        boolean keep = keepAlive && !inputClosed && response.protocolVersion() == HttpVersion.HTTP_1_1;
        String connection = response.headers().get(HttpHeaderNames.CONNECTION);
        if (connection != null && HttpHeaderValues.CLOSE.contentEqualsIgnoreCase(connection)) {
            keep = false;
        }
        int code = response.status().code();
        boolean framed = headRequest || code == 204 || code == 304 || code == 101
                || HttpUtil.isContentLengthSet(response) || HttpUtil.isTransferEncodingChunked(response);
        if (!framed) {
            keep = false;
        }
        if (!keep && connection == null && response.protocolVersion() == HttpVersion.HTTP_1_1) {
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
        if (last && content.decoderResult().isFailure()) {
            content.release();
            abort("response of node " + nodeName() + " ended early");
            return;
        }
        fromNode += content.content().readableBytes();
        if (last) {
            ChannelFuture written = ctx.write(content);
            finishResponse(written);
        } else {
            ctx.write(content, ctx.voidPromise());
        }
    }

    void onBackendReadComplete(Channel channel) {
        ctx.flush();
        if (channel == backend && state == State.FORWARDING && ctx.channel().isWritable()) {
            channel.read();
        }
    }

    void onBackendWritabilityChanged(Channel channel) {
        if (channel == backend && channel.isWritable() && state == State.FORWARDING && !requestDone) {
            ctx.read();
        }
    }

    void onBackendInactive(Channel channel) {
        if (channel != backend || state != State.FORWARDING) {
            return;
        }
        if (!responseStarted) {
            backendFailed(new RouterException(ErrorKind.BAD_RESPONSE, "node " + nodeName()
                    + " closed the connection before a complete response head", replayable && requestDone));
        } else {
            abort("node " + nodeName() + " closed the connection in the middle of the response");
        }
    }

    void onBackendError(Channel channel, Throwable cause) {
        if (channel != backend) {
            return;
        }
        if (Exceptions.isExpected(cause)) {
            LOG.log(Level.FINE, () -> channel + " backend error: " + cause);
        } else {
            LOG.log(Level.WARNING, channel + " backend error", cause);
        }
        channel.close(); // onBackendInactive decides what the client gets
    }

    /** The backend failed before any response byte: retry a replayable request, else answer. */
    private void backendFailed(RouterException failure) {
        Channel failedChannel = backend;
        backend = null;
        if (failedChannel != null) {
            failedChannel.close();
        }
        releaseNode();
        if (failure.retryable() && packet != null) {
            log(Level.INFO, failure.getMessage() + "; retrying the request on another node");
            retryOrFail(failure);
        } else {
            fail(failure);
        }
    }

    private void finishResponse(ChannelFuture lastWrite) {
        Channel finished = backend;
        backend = null;
        releaseNode();
        if (finished != null) {
            finished.close();
        }
        boolean persist = responseKeepAlive && requestDone && (!inputClosed || !pipelined.isEmpty());
        ctx.flush();
        if (!persist) {
            state = State.CLOSED;
            lastWrite.addListener(ChannelFutureListener.CLOSE);
            cleanup();
            return;
        }
        state = State.AWAIT_HEAD;
        resetRequest();
        HarakiriHandler.stop(ctx.channel()); // waiting for the next request is not being stuck
        Object next;
        while ((state == State.AWAIT_HEAD || (state != State.CLOSED && !requestDone))
                && (next = pipelined.poll()) != null) {
            dispatch(next);
        }
        if (state == State.AWAIT_HEAD) {
            if (inputClosed) {
                close();
                return;
            }
            armHeadTimer(router.keepAliveIdleNanos());
            ctx.read();
        }
    }

    // ---------------------------------------------------------------- errors and cleanup

    private static RouterException decoderFailure(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            return new RouterException(ErrorKind.URI_TOO_LONG, "request line too long");
        }
        if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
            return new RouterException(ErrorKind.HEADERS_TOO_LARGE, "request head too large");
        }
        return new RouterException(ErrorKind.BAD_REQUEST, "malformed request: " + cause.getMessage());
    }

    /** Answers the client with the error's status and text (or closes if a response already began). */
    private void fail(RouterException failure) {
        log(failure.kind().status() >= 500 ? Level.WARNING : Level.INFO,
                "status=" + failure.kind().status() + " reason=\"" + failure.getMessage() + "\"");
        boolean canAnswer = !responseStarted && state != State.CLOSED && ctx.channel().isActive();
        state = State.CLOSED;
        cleanup();
        if (canAnswer) {
            ctx.writeAndFlush(ErrorResponses.of(ctx.alloc(), failure)).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
    }

    private void abort(String reason) {
        log(Level.WARNING, "aborting: " + reason);
        close();
    }

    private void close() {
        state = State.CLOSED;
        cleanup();
        ctx.flush();
        ctx.close();
    }

    private void onHeadTimeout() {
        headTimer = null;
        if (state == State.AWAIT_HEAD) {
            LOG.log(Level.FINE, () -> ctx.channel() + " closing: no request head within the timeout");
            close();
        }
    }

    private void armHeadTimer(long nanos) {
        cancelHeadTimer();
        headTimer = ctx.executor().schedule(headTimeoutTask, nanos, TimeUnit.NANOSECONDS);
    }

    private void cancelHeadTimer() {
        if (headTimer != null) {
            headTimer.cancel(false);
            headTimer = null;
        }
    }

    private void resetRequest() {
        releasePacket();
        selector.reset();
        key = null;
        headRequest = false;
        replayable = false;
        keepAlive = false;
        requestDone = false;
        responseStarted = false;
        interimResponse = false;
        responseKeepAlive = false;
        toNode = 0;
        fromNode = 0;
    }

    private void releasePacket() {
        if (packet != null) {
            packet.release();
            packet = null;
        }
    }

    private void releaseNode() {
        if (node != null) {
            node.addTraffic(fromNode, toNode);
            node.release();
            node = null;
        }
        fromNode = 0;
        toNode = 0;
    }

    private void cleanup() {
        cancelHeadTimer();
        releasePacket();
        releaseNode();
        if (backend != null) {
            backend.close();
            backend = null;
        }
        ByteBuf buf;
        while ((buf = bodyBacklog.poll()) != null) {
            buf.release();
        }
        Object msg;
        while ((msg = pipelined.poll()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }

    private String nodeName() {
        return node != null ? node.name() : "?";
    }

    private void log(Level level, String message) {
        if (LOG.isLoggable(level)) {
            LOG.log(level, ctx.channel() + " client=" + remoteAddr + ":" + remotePort + " key=" + key + " " + message);
        }
    }
}
