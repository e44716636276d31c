package io.corerouter.fast;

import io.corerouter.core.backend.BackendNode;
import io.corerouter.core.codec.uwsgi.UwsgiPacket;
import io.corerouter.core.codec.uwsgi.UwsgiPacketEncoder;
import io.corerouter.core.codec.uwsgi.UwsgiVars;
import io.corerouter.core.error.ErrorKind;
import io.corerouter.core.error.RouterException;
import io.corerouter.core.log.Exceptions;
import io.corerouter.core.pool.LeaseCallback;
import io.corerouter.core.pool.PoolRequest;
import io.corerouter.core.pool.PoolUser;
import io.corerouter.core.pool.PooledConnection;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One fastrouter request to a {@code puwsgi://} node over a pooled connection (issue 10): the client's
 * uwsgi packet goes out on a kept connection, the node's response is decoded to find its end
 * (Content-Length, chunked, or none for HEAD/1xx/204/304) and written to the client re-encoded, and
 * the client connection closes at the end as the uwsgi protocol wants (spec §1.4: nginx's
 * {@code uwsgi_pass} reads until the close). The node connection goes back to its pool when the
 * response ended exactly.
 *
 * <p>A reused connection the node closed before answering is replaced once by a new one (the request
 * has no body, so sending it again is safe). puwsgi carries no request body (uWSGI reads none on a
 * {@code --puwsgi-socket}), so a packet with {@code CONTENT_LENGTH} gets a 502 that says so.
 * Runs on the client's event loop; one per request.
 */
final class PooledExchange implements PoolUser, LeaseCallback {
    private static final Logger LOG = Logger.getLogger(PooledExchange.class.getName());
    private static final String ENCODER = "http-response-encoder";

    /** What the exchange tells its session. */
    interface Session {
        void failed(RouterException failure);

        void finished();
    }

    private final FastRouterContext router;
    private final ChannelHandlerContext ctx;
    private final BackendNode node;
    private final Session session;
    private UwsgiPacket packet;
    private PoolRequest pending;
    private PooledConnection connection;
    private boolean headRequest;
    private boolean responseStarted;
    private boolean reusable;
    private boolean staleRetried;
    private boolean done;
    private long toNode;
    private long fromNode;

    /** @param packet the client's packet, owned from here on */
    PooledExchange(FastRouterContext router, ChannelHandlerContext ctx, BackendNode node, UwsgiPacket packet, Session session) {
        this.router = router;
        this.ctx = ctx;
        this.node = node;
        this.packet = packet;
        this.session = session;
    }

    void start() {
        headRequest = "HEAD".equals(packet.get("REQUEST_METHOD"));
        pending = router.pools().acquire(ctx.channel().eventLoop(), node, this, this, false);
    }

    @Override
    public void leased(PooledConnection leased) {
        pending = null;
        if (done) {
            leased.release(true);
            return;
        }
        node.connected();
        connection = leased;
        leased.expectHeadResponse(headRequest);
        UwsgiPacket outgoing = packet.withModifiers(node.modifier1(), node.modifier2());
        ByteBuf out = leased.channel().alloc().ioBuffer(UwsgiVars.HEADER_LENGTH + outgoing.datasize());
        try {
            UwsgiPacketEncoder.write(outgoing, out);
        } finally {
            outgoing.release();
        }
        toNode += out.readableBytes();
        leased.channel().writeAndFlush(out, leased.channel().voidPromise());
        leased.channel().read();
    }

    @Override
    public void connectFailed(Throwable cause) {
        pending = null;
        node.connectFailed();
        if (!router.quiet()) {
            LOG.warning("[fastrouter] " + ctx.channel() + " unable to connect() to node \"" + node.name() + "\": "
                    + Exceptions.describe(cause) + "; marking it as failed");
        }
        fail(new RouterException(ErrorKind.CONNECT_FAILED, "no node accepted the connection (last tried "
                + node.name() + ": " + Exceptions.describe(cause) + ")"));
    }

    @Override
    public void waitTimedOut(long waitedMillis) {
        pending = null;
        fail(new RouterException(ErrorKind.OVERLOADED, "no free connection to node " + node.name() + " within "
                + waitedMillis + "ms (--fastrouter-pool-wait): all the connections its cap allows are busy "
                + "(--fastrouter-node-connections, or its announced cores)"));
    }

    @Override
    public void poolRead(PooledConnection from, Object msg) {
        if (done) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpResponse response) {
            if (response.decoderResult().isFailure()) {
                ReferenceCountUtil.release(msg);
                fail(new RouterException(ErrorKind.BAD_RESPONSE, "invalid response from node " + node.name() + ": "
                        + response.decoderResult().cause().getMessage()));
                return;
            }
            int code = response.status().code();
            if (code == 101) {
                ReferenceCountUtil.release(msg);
                fail(new RouterException(ErrorKind.BAD_RESPONSE, "node " + node.name()
                        + " switched protocols: not possible on a pooled puwsgi connection (use a classic socket)"));
                return;
            }
            if (response.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
                int status = code;
                // after a HEAD, uWSGI writes the app's body anyway, maybe in a later read: never reused
                reusable = !headRequest && (status == 204 || status == 304 || HttpUtil.isContentLengthSet(response)
                        || HttpUtil.isTransferEncodingChunked(response));
            }
            if (!responseStarted) {
                responseStarted = true;
                ctx.pipeline().addBefore(ctx.name(), ENCODER, new HttpResponseEncoder());
            }
            ctx.write(msg, ctx.voidPromise());
            return;
        }
        if (msg instanceof HttpContent content) {
            if (content instanceof LastHttpContent && content.decoderResult().isFailure()) {
                content.release();
                abort("response of node " + node.name() + " has invalid framing: " + content.decoderResult().cause().getMessage());
                return;
            }
            fromNode += content.content().readableBytes();
            if (content instanceof LastHttpContent && !responseStarted) {
                content.release(); // the end of an interim response's (empty) body: the final head follows
                return;
            }
            if (content instanceof LastHttpContent) {
                finish(ctx.writeAndFlush(content));
                return;
            }
            ctx.write(content, ctx.voidPromise());
            return;
        }
        ReferenceCountUtil.release(msg);
    }

    private void finish(ChannelFuture lastWrite) {
        done = true;
        node.requestSucceeded();
        PooledConnection finished = connection;
        connection = null;
        finished.release(reusable);
        countTraffic();
        lastWrite.addListener(ChannelFutureListener.CLOSE); // spec §1.4: the response ends with the close
        session.finished();
    }

    @Override
    public void poolReadComplete(PooledConnection from) {
        ctx.flush();
        if (!done && ctx.channel().isWritable()) {
            from.channel().read();
        }
    }

    @Override
    public void poolWritabilityChanged(PooledConnection from) {
        // the client is what throttles: see clientWritable
    }

    /** The client can take more: read the node again. */
    void clientWritable() {
        if (connection != null && !done) {
            connection.channel().read();
        }
    }

    @Override
    public void poolInactive(PooledConnection from) {
        if (done) {
            return;
        }
        PooledConnection stale = connection;
        connection = null;
        if (!responseStarted && stale != null && stale.reused() && !staleRetried) {
            staleRetried = true;
            router.pools().countStaleRetry(node);
            LOG.log(Level.FINE, () -> "[fastrouter] " + ctx.channel() + " reused connection to " + node.name()
                    + " was closed by the node; sending the packet again on a new connection");
            pending = router.pools().acquire(ctx.channel().eventLoop(), node, this, this, true);
            return;
        }
        if (!responseStarted) {
            fail(new RouterException(ErrorKind.BAD_RESPONSE, "node " + node.name()
                    + " closed the connection before a complete response head"));
        } else {
            abort("node " + node.name() + " closed the connection in the middle of the response");
        }
    }

    @Override
    public void poolError(PooledConnection from, Throwable cause) {
        LOG.log(Exceptions.isExpected(cause) ? Level.FINE : Level.WARNING,
                () -> "[fastrouter] " + from.channel() + " backend error: " + cause);
    }

    private void fail(RouterException failure) {
        if (done) {
            return;
        }
        if (responseStarted) {
            abort(failure.getMessage());
            return;
        }
        if (failure.kind() == ErrorKind.BAD_RESPONSE) {
            node.requestFailed(failure.getMessage()); // passive health; a failed connect was counted already
        }
        close();
        session.failed(failure);
    }

    private void abort(String reason) {
        LOG.log(Level.WARNING, () -> "[fastrouter] " + ctx.channel() + " aborting: " + reason);
        close();
        ctx.close();
    }

    /** The client went away or the exchange failed: nothing goes back to the pool half-used. */
    void close() {
        if (done) {
            return;
        }
        done = true;
        if (pending != null) {
            pending.cancel();
            pending = null;
        }
        if (connection != null) {
            connection.discard();
            connection = null;
        }
        countTraffic();
        releasePacket();
    }

    private void countTraffic() {
        node.addTraffic(fromNode, toNode);
        node.release();
        releasePacket();
    }

    private void releasePacket() {
        if (packet != null) {
            packet.release();
            packet = null;
        }
    }
}
