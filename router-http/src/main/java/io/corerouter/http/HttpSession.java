package io.corerouter.http;

import io.corerouter.core.backend.BackendNode;
import io.corerouter.core.config.NodeProtocol;
import io.corerouter.core.error.ErrorKind;
import io.corerouter.core.error.RouterException;
import io.corerouter.core.log.Exceptions;
import io.corerouter.core.observe.Exchange;
import io.corerouter.core.pool.PooledConnection;
import io.corerouter.core.pool.ResponseDecoder;
import io.corerouter.core.server.DrainEvent;
import io.corerouter.core.server.HandlerNames;
import io.corerouter.core.server.HarakiriHandler;
import io.corerouter.core.timer.TimerWheel;
import io.corerouter.http.CurrentRequest.BodyMode;
import io.corerouter.ssl.TlsConnection;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One client connection of the HTTP router: HTTP/1.1 requests in, one uwsgi packet plus the body
 * out to a backend per request, the backend's HTTP response relayed back (spec §4, deviations.md).
 *
 * <p>Lifecycle ({@link State}): {@code AWAIT_HEAD} until a request head is decoded and passes
 * {@link RequestChecks}; {@code BUFFERING} while a chunked body is de-chunked into a
 * {@link SpooledBody} (it needs its length before the packet can be written); {@code CONNECTING}
 * (the node is chosen and connected on this channel's event loop, retried on connect failure per
 * spec §3.6); {@code FORWARDING} (packet and body go out, the response comes back); then
 * {@code AWAIT_HEAD} again for keepalive, {@code CLOSED}, or {@code TUNNEL} when a raw-mode request
 * ({@link RawMode}) hands both channels to a byte relay ({@link Tunnel}) and this handler leaves the
 * pipeline.
 *
 * <p>This class holds the state machine and the decisions (what to answer, when to retry, keep or
 * close); the mechanics are delegated, one job each, to collaborators made for the first request
 * head and kept while requests follow each other:
 * {@link CurrentRequest} (what the head said), {@link RequestForwarder} (packet and body to the node),
 * {@link NodeAttempts} (node choice, connect, connect failures), {@link ResponseRelay} (the response
 * to the client, its framing, gzip) and {@link HeadDeadline} (the head timer). They call back into the
 * session's package-private methods for every outcome and log through it (one logger, one prefix).
 * A keepalive connection that waits {@link #IDLE_SHED_NANOS} for its next head drops them (the head
 * timer tells it, {@link HeadDeadline#armNext}), so an idle connection holds only its channel,
 * pipeline, this session and its timer; the next head makes them again (issue 14,
 * docs/performance.md).
 *
 * <p>Flow control: both channels run with {@code AUTO_READ} off. The client is read only while a
 * head is awaited, a chunked body can be stored, or the current body can be forwarded to a writable
 * backend; the backend is read only while the client is writable. Writes are flushed once per read
 * batch. Requests pipelined behind the current one are held in order and answered after it.
 *
 * <p>Stopping ({@link DrainEvent}, a graceful stop): a connection waiting for its next request closes
 * at once; one with a request in flight finishes it, the response saying {@code Connection: close}
 * (or, if it already went out without, the connection closes after it).
 *
 * <p>Passive health ({@code --http-error-limit}, docs/health.md): a node that fails a request before a
 * complete response head ({@link #backendFailed}, or no response within the idle timeout) is told so
 * through {@link NodeAttempts#requestFailed}; a finished response tells it the request succeeded.
 *
 * <p>Timeouts, each with its own log line: {@code timeout=headers} (a complete head did not arrive
 * in {@code --http-headers-timeout}, the slowloris defence: 408 and close), {@code timeout=connect}
 * ({@code --http-connect-timeout}, then the next node or 502), {@code timeout=idle} (no traffic for
 * {@code --http-timeout}: 504 before the response, close after).
 */
final class HttpSession extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = Logger.getLogger(HttpSession.class.getName());
    /** How long a keep-alive connection waits for its next head before it drops its request helpers. */
    static final long IDLE_SHED_NANOS = TimeUnit.SECONDS.toNanos(1);

    enum State { AWAIT_HEAD, BUFFERING, CONNECTING, FORWARDING, TUNNEL, CLOSED }

    private final HttpRouterContext router;
    private final HttpFeatures features;
    private final HttpToUwsgi studTranslator;
    /** {@code Upgrade: h2c} is honoured on the first request (a plain listener with HTTP/2 on). */
    private final boolean h2cUpgrade;
    /** One HTTP/2 stream: exactly one request, its client address given by the connection (issue 11). */
    private final boolean stream;
    /** The first request asked for h2c and went to Netty's upgrade handler, which may hand it back whole. */
    private boolean upgradeOffered;
    private final BackendHandler backendHandler = new BackendHandler(this);
    /** Messages read behind the request in flight, in order; made only when a client pipelines. */
    private ArrayDeque<Object> pipelined;

    private HttpToUwsgi translator;
    private ChannelHandlerContext ctx;
    private State state = State.AWAIT_HEAD;
    private String remoteAddr = "0.0.0.0";
    private int remotePort;
    private HeadDeadline headDeadline;
    // The request helpers: made for the first request head, dropped when the connection has waited
    // IDLE_SHED_NANOS for its next one (see makeHelpers / shedHelpers). Null while idle.
    private CurrentRequest current;
    private NodeAttempts attempts;
    private RequestForwarder forwarder;
    private ResponseRelay relay;
    private boolean inputClosed;
    /** The router is stopping: no request after the one in flight. */
    private boolean draining;
    private long requests;
    /** The node channel of the request in flight, from connect to the end of its response. */
    private Channel backend;
    /** The pooled connection {@link #backend} belongs to ({@code puwsgi://}, {@code http://} nodes), or null. */
    private PooledConnection pooled;
    /** The request was already sent again on a fresh connection after its reused one was stale. */
    private boolean staleRetried;

    /**
     * @param studTranslator the translator for connections that turn out to come from stud
     *                       ({@code HTTPS=on}), or null
     * @param h2cUpgrade     whether {@code Upgrade: h2c} switches the connection to HTTP/2 ({@link Http2Front})
     */
    HttpSession(HttpRouterContext router, HttpToUwsgi translator, HttpToUwsgi studTranslator, boolean h2cUpgrade) {
        this(router, translator, studTranslator, h2cUpgrade, false);
    }

    private HttpSession(HttpRouterContext router, HttpToUwsgi translator, HttpToUwsgi studTranslator,
            boolean h2cUpgrade, boolean stream) {
        this.router = router;
        this.features = router.features();
        this.translator = translator;
        this.studTranslator = studTranslator;
        this.h2cUpgrade = h2cUpgrade;
        this.stream = stream;
    }

    /**
     * The session of one HTTP/2 stream ({@link Http2StreamInitializer}): one request, answered on the
     * stream, which then closes; the client's address is the connection's (after its PROXY header).
     */
    static HttpSession forStream(HttpRouterContext router, HttpToUwsgi translator, String remoteAddr, int remotePort) {
        HttpSession session = new HttpSession(router, translator, null, false, true);
        session.remoteAddr = remoteAddr;
        session.remotePort = remotePort;
        return session;
    }

    /** The client connection (an HTTP/2 stream's channel in stream mode). */
    Channel channel() {
        return ctx.channel();
    }

    /** The translator this connection's requests use (the stud one once a stud prefix was read). */
    HttpToUwsgi translator() {
        return translator;
    }

    /** The client's address: the peer's, or the PROXY header's source. */
    String remoteAddr() {
        return remoteAddr;
    }

    int remotePort() {
        return remotePort;
    }

    // ---------------------------------------------------------------- client side

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.headDeadline = new HeadDeadline(TimerWheel.of(ctx.executor()), this::onHeadTimeout, this::shedHelpers);
    }

    /** The first head of a connection, or the first after it idled: the collaborators of a request. */
    private void makeHelpers() {
        current = new CurrentRequest();
        attempts = new NodeAttempts(this, router, ctx.channel(), backendHandler);
        forwarder = new RequestForwarder(ctx, router, current, this::onSpoolStored, this::onSpoolFailed);
        relay = new ResponseRelay(this, ctx, features, current);
    }

    /**
     * The connection waited {@link #IDLE_SHED_NANOS} for its next request head: the request helpers go,
     * so an idle keep-alive connection holds only its channel, pipeline and this session (issue 14).
     * A busy connection keeps them from one request to the next and allocates nothing for them.
     */
    private void shedHelpers() {
        if (state != State.AWAIT_HEAD || current == null || (pipelined != null && !pipelined.isEmpty())) {
            return;
        }
        forwarder.close(); // holds nothing between requests; releases what it would
        relay.close();
        attempts.cancel();
        current = null;
        attempts = null;
        forwarder = null;
        relay = null;
        pipelined = null;
    }

    private void hold(Object msg) {
        if (pipelined == null) {
            pipelined = new ArrayDeque<>(2);
        }
        pipelined.add(msg);
    }

    private boolean nothingPipelined() {
        return pipelined == null || pipelined.isEmpty();
    }

    private Object nextPipelined() {
        return pipelined == null ? null : pipelined.poll();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        headDeadline.cancel(); // the connection switched to HTTP/2, or became a tunnel
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        SocketAddress remote = ctx.channel().remoteAddress();
        if (!stream && remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
            remoteAddr = inet.getAddress().getHostAddress();
            remotePort = inet.getPort();
        }
        headDeadline.armFirst(router.headersTimeoutNanos());
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        dispatch(msg);
    }

    private void dispatch(Object msg) {
        if (msg instanceof HAProxyMessage proxy) {
            onProxyHeader(proxy);
            return;
        }
        if (msg instanceof StudPrefixDecoder.StudPrefix prefix) {
            remoteAddr = prefix.client().getHostAddress();
            translator = studTranslator;
            return;
        }
        switch (state) {
            case CLOSED, TUNNEL -> ReferenceCountUtil.release(msg);
            case AWAIT_HEAD -> {
                // only the upgrade handler hands a request over whole; the decoder's whole requests are
                // the ones it failed ("/bad-request"), which startRequest answers 400/414/431
                if (upgradeOffered && msg instanceof FullHttpRequest full && full.decoderResult().isSuccess()) {
                    declinedUpgrade(full);
                } else if (msg instanceof HttpRequest request) {
                    startRequest(request);
                } else {
                    ReferenceCountUtil.release(msg); // stray content after a rejected request
                }
            }
            case BUFFERING -> {
                if (msg instanceof HttpContent content && !(msg instanceof HttpRequest)) {
                    onBufferedContent(content);
                } else {
                    hold(msg);
                }
            }
            case CONNECTING, FORWARDING -> {
                if (current.rawMode != RawMode.NONE) {
                    forwarder.holdRaw(msg);
                } else if (!current.requestDone && msg instanceof HttpContent content && !(msg instanceof HttpRequest)) {
                    onRequestContent(content);
                } else {
                    hold(msg);
                }
            }
        }
    }

    /** Spec §4.10: the PROXY header's source replaces the peer address (TCP over IPv4/IPv6 only). */
    private void onProxyHeader(HAProxyMessage proxy) {
        try {
            HAProxyProxiedProtocol.AddressFamily family = proxy.proxiedProtocol().addressFamily();
            if (proxy.command() == HAProxyCommand.PROXY && proxy.sourceAddress() != null
                    && (family == HAProxyProxiedProtocol.AddressFamily.AF_IPv4
                            || family == HAProxyProxiedProtocol.AddressFamily.AF_IPv6)) {
                remoteAddr = proxy.sourceAddress();
                remotePort = proxy.sourcePort();
            }
        } finally {
            proxy.release();
        }
    }

    private void startRequest(HttpRequest request) {
        headDeadline.disarm();
        if (current == null) {
            makeHelpers();
        }
        HarakiriHandler.restart(ctx.channel());
        requests++;
        if (request.decoderResult().isFailure()) {
            fail(RequestChecks.decoderFailure(request.decoderResult().cause()));
            return;
        }
        resetRequest();
        if (h2cUpgrade && requests == 1 && Http2Front.wantsUpgrade(request)) {
            upgradeToH2c(request);
            return;
        }
        RouterException invalid = RequestChecks.check(request, router.maxHeaderCount(), features.manageRtsp());
        if (invalid == null && stream) {
            invalid = RequestChecks.checkHttp2Head(request, router.config().limits());
        }
        if (invalid != null) {
            fail(invalid);
            return;
        }
        long contentLength = current.read(request, features, router.keepAliveEnabled());
        if (stream && current.rawMode != RawMode.NONE) {
            fail(new RouterException(ErrorKind.NOT_IMPLEMENTED, "a raw relay (" + current.rawMode
                    + ") is not possible over HTTP/2: use HTTP/1.1 for it"));
            return;
        }
        if (features.overPostLimit(contentLength)) {
            fail(new RouterException(ErrorKind.PAYLOAD_TOO_LARGE, "Content-Length " + contentLength
                    + " over limit-post " + features.limitPost()));
            return;
        }
        if (!manageExpect(request, contentLength)) {
            return;
        }
        TlsConnection tls = TlsConnection.of(ctx.channel()); // null on plain listeners
        try {
            current.key = RoutingKey.of(request.headers(), tls == null ? null : tls.sniName(), router.serverName());
        } catch (BadRequestException e) {
            fail(new RouterException(ErrorKind.BAD_REQUEST, e.getMessage()));
            return;
        }
        if (current.rawMode == RawMode.RAW && RequestChecks.isRtsp(request)) {
            current.rtspTarget(request.uri());
        }
        if (current.bodyMode == BodyMode.DECHUNK) {
            if (!current.sentContinue && HttpUtil.is100ContinueExpected(request)) {
                // the node is asked only once the body is here: the client must not wait for its 100
                sendContinue();
            }
            forwarder.spool(request);
            state = State.BUFFERING;
            return; // channelReadComplete reads the body
        }
        route(request);
    }

    /**
     * {@code Upgrade: h2c} (RFC 7540 §3.2) on the first request of a plain connection with HTTP/2 on:
     * Netty's upgrade handler goes behind the codec and gets the request (its end follows from the
     * decoder); it answers {@code 101}, the connection switches ({@link Http2Front}) and the request
     * becomes stream 1. This session leaves the pipeline with the other HTTP/1.1 handlers.
     */
    private void upgradeToH2c(HttpRequest request) {
        log(Level.FINE, "Upgrade: h2c");
        upgradeOffered = true;
        ctx.pipeline().addAfter(HandlerNames.HTTP_CODEC, Http2Front.UPGRADE, router.http2().upgradeHandler(this, router));
        ctx.pipeline().context(HandlerNames.HTTP_CODEC).fireChannelRead(request);
    }

    /**
     * The upgrade handler declined an {@code Upgrade: h2c} request (a bad {@code HTTP2-Settings}) and
     * handed it back whole: it is served as HTTP/1.1, as RFC 7540 §3.2 allows.
     */
    private void declinedUpgrade(FullHttpRequest full) {
        upgradeOffered = false;
        if (ctx.pipeline().get(Http2Front.UPGRADE) != null) {
            ctx.pipeline().remove(Http2Front.UPGRADE);
        }
        HttpRequest head = new DefaultHttpRequest(full.protocolVersion(), full.method(), full.uri(), full.headers());
        full.release();
        requests--; // counted when it first arrived
        head.headers().remove(HttpHeaderNames.UPGRADE);
        startRequest(head);
        dispatch(LastHttpContent.EMPTY_LAST_CONTENT);
    }

    /** Translates the head, picks a node and connects; the body follows in CONNECTING/FORWARDING. */
    private void route(HttpRequest request) {
        forwarder.request(translator, request, remoteAddr, remotePort);
        if (!attempts.first(current.key)) {
            fail(new RouterException(ErrorKind.NO_NODE, "no node available for the key"));
            return;
        }
        state = State.CONNECTING;
        if (current.rawMode != RawMode.NONE) {
            // The client bytes after the head are not HTTP: take the request decoder out now, before it
            // parses them. What it already buffered comes back to us at once as raw bytes (held by the forwarder);
            // the encoder stays for the response head (101, or an error).
            current.requestDone = true; // no more HTTP from the client; raw bytes wait for the tunnel
            ctx.pipeline().replace(HandlerNames.HTTP_CODEC, HandlerNames.HTTP_CODEC, new HttpResponseEncoder());
        }
        connectNode(false);
    }

    /**
     * Sends the request to the picked node: what it gets before the body is built for its protocol, and
     * it is connected (uwsgi) or given a pooled connection (puwsgi, HTTP).
     *
     * @param fresh a new pooled connection, after a reused one turned out stale
     */
    private void connectNode(boolean fresh) {
        NodeProtocol protocol = attempts.protocol();
        if (!protocol.carriesBody() && current.hasBody) {
            fail(new RouterException(ErrorKind.CONNECT_FAILED, "node " + nodeName() + " speaks puwsgi, which carries "
                    + "no request body (uWSGI reads none on --puwsgi-socket): give it as http:// (--http11-socket) "
                    + "or without a scheme (--socket)"));
            return;
        }
        RouterException tooLarge = forwarder.prepare(protocol);
        if (tooLarge != null) {
            fail(tooLarge);
            return;
        }
        attempts.connect(forwarder.head(protocol), fresh);
    }

    /**
     * Spec §4.9, {@code --http-manage-expect[=N]} (and always on an HTTP/2 stream): the router answers
     * {@code 100 Continue} itself, or 413 when the announced body is over N.
     *
     * @return false if the request was answered (413)
     */
    private boolean manageExpect(HttpRequest request, long contentLength) {
        // over HTTP/2 the router always answers it: the stream's window already holds the body back
        if (!(features.manageExpect() || stream) || !HttpUtil.is100ContinueExpected(request)) {
            return true;
        }
        if (features.expectLimit() > 0 && contentLength > features.expectLimit()) {
            fail(new RouterException(ErrorKind.PAYLOAD_TOO_LARGE, "Content-Length " + contentLength
                    + " over http-manage-expect " + features.expectLimit()));
            return false;
        }
        sendContinue();
        return true;
    }

    private void sendContinue() {
        ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
                Unpooled.EMPTY_BUFFER), ctx.voidPromise());
        current.sentContinue = true;
    }

    // ---------------------------------------------------------------- request body

    /** BUFFERING: one piece of a chunked body, stored until the last one. */
    private void onBufferedContent(HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        RouterException failure = forwarder.spoolContent(content);
        if (failure != null) {
            fail(failure);
        } else if (last && !forwarder.spoolBusy()) {
            bodyComplete();
        }
    }

    private void onSpoolStored() {
        if (state != State.BUFFERING) {
            return;
        }
        if (current.requestDone) {
            bodyComplete();
        } else {
            ctx.read();
        }
    }

    private void onSpoolFailed(IOException e) {
        if (state == State.BUFFERING) {
            fail(new RouterException(ErrorKind.INTERNAL, "cannot store the request body: " + e.getMessage()));
        }
    }

    /** The whole chunked body is stored: forward the head with its length instead of the chunking. */
    private void bodyComplete() {
        HttpRequest request = forwarder.dechunkedHead();
        LOG.log(Level.FINE, () -> ctx.channel() + " de-chunked body of " + forwarder.spooledSize() + " bytes"
                + (forwarder.spilled() ? " (spilled to a temporary file)" : ""));
        route(request);
    }

    /** CONNECTING/FORWARDING: a piece of a Content-Length body, or of a chunked one with chunked-input. */
    private void onRequestContent(HttpContent content) {
        // in CONNECTING the backend is null and the piece is held; in FORWARDING it is never null
        RouterException failure = forwarder.forward(content, state == State.CONNECTING ? null : backend);
        if (failure != null) {
            fail(failure);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        switch (state) {
            case AWAIT_HEAD -> ctx.read();
            case BUFFERING -> {
                if (!forwarder.spoolBusy() && !current.requestDone) {
                    ctx.read();
                }
            }
            case FORWARDING -> {
                if (backend != null) {
                    backend.flush();
                    if (!current.requestDone && backend.isWritable()) {
                        ctx.read();
                    } else {
                        keepReadingIdleClient();
                    }
                }
            }
            case CONNECTING -> keepReadingIdleClient(); // a body is read again once the backend is connected
            default -> {
                // CLOSED, TUNNEL: nothing to read for this handler
            }
        }
        ctx.fireChannelReadComplete();
    }

    /**
     * The request is complete and nothing waits behind it: the client stays readable, so the next
     * keepalive request (or the client's close) costs no epoll change to stop and restart reading.
     * What arrives meanwhile is one read batch at most: it is held in {@code pipelined}, and reading
     * stops until the response is done, as it does for a body that cannot be forwarded yet.
     */
    private void keepReadingIdleClient() {
        if (current.requestDone && nothingPipelined() && current.rawMode == RawMode.NONE && !inputClosed) {
            ctx.read();
        }
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
            if (state == State.AWAIT_HEAD && nothingPipelined()) {
                close();
            } else if (current != null && !current.requestDone && current.rawMode == RawMode.NONE
                    && (state == State.BUFFERING || state == State.CONNECTING || state == State.FORWARDING)) {
                abort("client closed its side before the request body was complete");
            }
        } else if (evt instanceof IdleStateEvent) {
            onIdle();
        } else if (evt == DrainEvent.INSTANCE) {
            draining = true;
            if (state == State.AWAIT_HEAD && requests > 0 && nothingPipelined()) {
                log(Level.FINE, "stopping: closing an idle keepalive connection");
                close();
            }
        }
        ReferenceCountUtil.release(evt);
    }

    private void onIdle() {
        long seconds = stream ? router.http2().streamTimeout().toSeconds() : router.idleTimeoutSeconds();
        switch (state) {
            case BUFFERING -> fail(new RouterException(ErrorKind.HEADERS_TIMEOUT,
                    "timeout=idle: no request body bytes for " + seconds + "s"));
            case FORWARDING -> {
                if (!relay.started()) {
                    attempts.requestFailed("no response within " + seconds + "s");
                    fail(new RouterException(ErrorKind.BACKEND_TIMEOUT, "timeout=idle: no response from node "
                            + nodeName() + " within " + seconds + "s"));
                } else {
                    log(Level.INFO, "timeout=idle: nothing relayed for " + seconds + "s from node " + nodeName());
                    close();
                }
            }
            default -> {
                // AWAIT_HEAD has its own timer; CONNECTING has the connect timeout
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        state = State.CLOSED;
        cleanup();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (stream && cause instanceof Http2Exception.StreamException) {
            // the client broke a rule on this stream (a WINDOW_UPDATE of 0, DATA after its end...):
            // Http2MultiplexHandler resets the stream with the error's code right after this, and the
            // router's resets with codes other than CANCEL count against --http2-max-resets (the
            // "MadeYouReset" defence, CVE-2025-8671). Closing here would reset it with CANCEL, which
            // nothing counts: a client could then make the router open node connections without limit
            log(Level.FINE, "h2 stream error, reset: " + cause.getMessage());
            return;
        }
        if (Exceptions.isExpected(cause)) {
            LOG.log(Level.FINE, () -> ctx.channel() + " client error: " + cause);
        } else if (state == State.AWAIT_HEAD && requests == 0) {
            // a bad PROXY header or stud prefix: nothing to answer in
            log(Level.INFO, "closing: " + cause);
        } else {
            LOG.log(Level.WARNING, ctx.channel() + " client error", cause);
        }
        close();
    }

    // ---------------------------------------------------------------- connecting

    /** Whether a node connect is awaited ({@link NodeAttempts} closes one that completes later). */
    boolean connecting() {
        return state == State.CONNECTING;
    }

    /** The node accepted the connection: the packet and the body so far go out, the response is awaited. */
    void connected(Channel channel) {
        pooled = null;
        if (current.rawMode != RawMode.RAW) {
            channel.pipeline()
                    .addLast(HandlerNames.BACKEND_DECODER, new ResponseDecoder(router.responseDecoderConfig(), current.headRequest))
                    .addLast(HandlerNames.BACKEND, backendHandler);
        }
        forward(channel, NodeProtocol.UWSGI);
    }

    /** A pooled connection to a puwsgi or HTTP node is the request's: as {@link #connected}, on a kept connection. */
    void leased(PooledConnection connection) {
        pooled = connection;
        connection.expectHeadResponse(current.headRequest);
        forward(connection.channel(), attempts.protocol());
    }

    private void forward(Channel channel, NodeProtocol protocol) {
        backend = channel;
        Exchange.node(ctx.channel(), attempts.nodeName(), current.key);
        forwarder.writeHead(channel, protocol);
        if (current.rawMode == RawMode.RAW) {
            tunnel(); // spec §4.8: no HTTP response parsing in raw mode
            return;
        }
        relay.fromProtocol(protocol);
        state = State.FORWARDING;
        forwarder.writeBody(channel);
        channel.flush();
        channel.read();
        if (!current.requestDone && channel.isWritable()) {
            ctx.read();
        }
    }

    /**
     * The node connect was closed on our side before it completed, not refused by the node: Netty's epoll
     * loop can hand a stale event of a just-closed descriptor to a new connect that reuses its number
     * (many clients leaving at once), which closes it. The same node is tried again; it is not marked failed.
     */
    void reconnect() {
        state = State.CONNECTING;
        connectNode(false);
    }

    /** A connect failed or a node died before answering a replayable request: the next node, or the answer. */
    void retryOrFail(RouterException failure) {
        if (!attempts.retry(current.key)) {
            fail(failure);
            return;
        }
        state = State.CONNECTING;
        connectNode(false);
    }

    /** Hands both channels to a byte relay; this handler leaves the client pipeline. */
    void tunnel() {
        Channel peer = backend;
        if (pooled != null) {
            pooled.takeOut(); // a tunnel never goes back to the pool
            pooled = null;
        }
        BackendNode tunnelNode = attempts.take();
        backend = null;
        state = State.TUNNEL;
        log(Level.FINE, "relaying raw bytes (" + current.rawMode + ") with node " + tunnelNode.name());
        tunnelNode.addTraffic(relay.fromNode(), forwarder.toNode());
        headDeadline.cancel();
        forwarder.releasePacket();
        Tunnel.start(ctx, peer, forwarder.held(), inputClosed, tunnelNode);
    }

    // ---------------------------------------------------------------- backend side

    /** Whether {@code channel} is the node channel of the response being relayed (not a stale one). */
    boolean relaying(Channel channel) {
        return channel == backend && state == State.FORWARDING;
    }

    void onBackendMessage(Channel channel, Object msg) {
        if (!relaying(channel)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        relay.onMessage(msg);
    }

    void onBackendReadComplete(Channel channel) {
        if (relay != null) { // null: a node channel of an earlier request, after the session idled
            relay.readComplete(channel);
        }
    }

    void onBackendWritabilityChanged(Channel channel) {
        if (channel == backend && channel.isWritable() && state == State.FORWARDING && !current.requestDone) {
            ctx.read();
        }
    }

    void onBackendInactive(Channel channel) {
        if (channel != backend || state != State.FORWARDING) {
            return;
        }
        if (!relay.started() && pooled != null && pooled.reused() && current.replayable && !staleRetried) {
            retryStale();
            return;
        }
        if (!relay.started()) {
            backendFailed(new RouterException(ErrorKind.BAD_RESPONSE, "node " + nodeName()
                    + " closed the connection before a complete response head", current.replayable && current.requestDone));
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

    /**
     * A reused pooled connection was closed by its node before any response byte (its keep-alive timeout
     * met our reuse): the request goes again, once, on a new connection to the same node, which is not
     * marked failed for it.
     */
    private void retryStale() {
        staleRetried = true;
        router.pools().countStaleRetry(attempts.node());
        log(Level.FINE, "reused connection to node " + nodeName() + " was closed by the node; sending the request "
                + "again on a new connection");
        backend = null;
        pooled = null;
        relay.clearFromNode();
        forwarder.clearToNode();
        state = State.CONNECTING;
        connectNode(true);
    }

    /** Whether the client half-closed: no keepalive after this response. */
    boolean inputClosed() {
        return inputClosed;
    }

    /** Whether the router is stopping: no keepalive after this response. */
    boolean draining() {
        return draining;
    }

    /** The backend failed before any response byte: retry a replayable request, else answer. */
    void backendFailed(RouterException failure) {
        Channel failedChannel = backend;
        backend = null;
        closeBackend(failedChannel);
        attempts.requestFailed(failure.getMessage());
        releaseNode();
        if (failure.retryable() && forwarder.replayable()) {
            log(Level.INFO, failure.getMessage() + "; retrying the request on another node");
            retryOrFail(failure);
        } else {
            fail(failure);
        }
    }

    /**
     * The response is complete ({@code lastWrite} carries its end): close or keep the connection, and
     * if kept, go on with the requests pipelined behind it, in order.
     */
    void finishResponse(ChannelFuture lastWrite) {
        Channel finished = backend;
        backend = null;
        attempts.requestSucceeded();
        releaseNode();
        if (pooled != null) {
            pooled.release(relay.nodeReusable());
            pooled = null;
        } else if (finished != null) {
            finished.close();
        }
        boolean persist = !stream && relay.keepAlive() && current.requestDone && !draining
                && (!inputClosed || !nothingPipelined());
        ctx.flush();
        if (!persist) {
            state = State.CLOSED;
            lastWrite.addListener(stream ? Http2StreamInitializer.CLOSE_STREAM : ChannelFutureListener.CLOSE);
            cleanup();
            return;
        }
        state = State.AWAIT_HEAD;
        resetRequest();
        HarakiriHandler.stop(ctx.channel()); // waiting for the next request is not being stuck
        Object next;
        while ((state == State.AWAIT_HEAD || (state != State.CLOSED && state != State.TUNNEL && !current.requestDone))
                && (next = nextPipelined()) != null) {
            dispatch(next);
        }
        if (state == State.AWAIT_HEAD) {
            if (inputClosed) {
                close();
                return;
            }
            headDeadline.armNext(router.keepAliveIdleNanos(), IDLE_SHED_NANOS);
            ctx.read();
        }
    }

    // ---------------------------------------------------------------- errors and cleanup

    /** Answers the client with the error's status and text (or closes if a response already began). */
    void fail(RouterException failure) {
        log(failure.kind().status() >= 500 ? Level.WARNING : Level.INFO,
                "status=" + failure.kind().status() + " reason=\"" + failure.getMessage() + "\"");
        Exchange.failed(ctx.channel(), failure.kind());
        boolean canAnswer = (relay == null || !relay.started()) && state != State.CLOSED && ctx.channel().isActive();
        state = State.CLOSED;
        cleanup();
        if (canAnswer) {
            ctx.writeAndFlush(ErrorResponses.of(ctx.alloc(), failure))
                    .addListener(stream ? Http2StreamInitializer.CLOSE_STREAM : ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
    }

    /** Something broke after the response began: log and close, there is nothing left to answer with. */
    void abort(String reason) {
        log(Level.WARNING, "aborting: " + reason);
        close();
    }

    private void close() {
        state = State.CLOSED;
        cleanup();
        ctx.flush();
        ctx.close();
    }

    /** The head deadline passed (a slowloris on the first head, an idle keepalive connection after). */
    private void onHeadTimeout() {
        if (state != State.AWAIT_HEAD) {
            return;
        }
        if (requests == 0) {
            // the slowloris defence: the first head has a deadline, whatever trickles in
            fail(new RouterException(ErrorKind.HEADERS_TIMEOUT, "timeout=headers: no complete request head within "
                    + router.headersTimeoutSeconds() + "s"));
        } else {
            log(Level.FINE, "timeout=keepalive: no further request");
            close();
        }
    }

    /** Closes the node channel of a failed or abandoned request (a pooled one leaves its pool). */
    private void closeBackend(Channel channel) {
        if (pooled != null) {
            pooled.discard();
            pooled = null;
        } else if (channel != null) {
            channel.close();
        }
    }

    private void resetRequest() {
        staleRetried = false;
        forwarder.reset();
        relay.close();
        attempts.reset();
        current.reset();
        relay.reset();
    }

    private void releaseNode() {
        attempts.release(relay.fromNode(), forwarder.toNode());
        relay.clearFromNode();
        forwarder.clearToNode();
    }

    private void cleanup() {
        headDeadline.cancel();
        if (current != null) {
            forwarder.releasePacket();
            forwarder.releaseBody();
            relay.close();
            releaseNode();
            attempts.cancel();
            closeBackend(backend);
            backend = null;
            forwarder.close();
        }
        Object msg;
        while ((msg = nextPipelined()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }

    /** The current node's name for log lines and error texts, or {@code ?}. */
    String nodeName() {
        return attempts == null ? "?" : attempts.nodeName();
    }

    /** Logs {@code message} with the channel, the client's address and the routing key first (STYLE.md 14). */
    void log(Level level, String message) {
        if (LOG.isLoggable(level)) {
            LOG.log(level, ctx.channel() + " client=" + remoteAddr + ":" + remotePort + " key=" + (current == null ? null : current.key) + " " + message);
        }
    }
}
