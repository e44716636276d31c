package io.corerouter.core.pool;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * One kept connection to a {@code puwsgi://} or {@code http://} node, and the last handler of its
 * pipeline (behind its {@link ResponseDecoder}). While leased it hands the decoded response and the
 * channel's events to its {@link PoolUser}; between requests it is idle in its {@link LoopPool} with a
 * read pending, so a node that closes it is noticed at once, and a node that sends anything at all
 * while nobody asked loses the connection: a byte of one response never reaches another request.
 *
 * <p>Going back to the pool waits for the end of the node's read batch ({@code RELEASING}): only when
 * the decoder holds nothing beyond the response that ended is the connection reused.
 */
public final class PooledConnection extends ChannelInboundHandlerAdapter {
    enum State { LEASED, RELEASING, IDLE, CLOSED }

    private final Channel channel;
    private final LoopPool pool;
    private final ResponseDecoder decoder;
    private PoolUser user;
    private State state = State.IDLE;
    private int requests;
    private long idleSince;
    private boolean reused;
    /** The response in flight answers a HEAD (uWSGI sends the body anyway: the connection is then dropped quietly). */
    private boolean head;
    /** Inside a read batch of the node: a release waits for its end. */
    private boolean inRead;

    PooledConnection(Channel channel, LoopPool pool, ResponseDecoder decoder) {
        this.channel = channel;
        this.pool = pool;
        this.decoder = decoder;
    }

    /** The node channel (write the request here; read it when the client can take more). */
    public Channel channel() {
        return channel;
    }

    ResponseDecoder decoder() {
        return decoder;
    }

    /** Whether this connection served a request before this lease. */
    public boolean reused() {
        return reused;
    }

    /** Requests served on this connection, this one included once released. */
    int requests() {
        return requests;
    }

    long idleSince() {
        return idleSince;
    }

    /** Whether the connection can take another request. */
    boolean reusable() {
        return state != State.CLOSED && channel.isActive() && !decoder.hasLeftover();
    }

    void lease(PoolUser newUser) {
        reused = requests > 0;
        user = newUser;
        state = State.LEASED;
    }

    void markIdle(long nanos) {
        idleSince = nanos;
        state = State.IDLE;
        channel.read(); // a close or stray bytes from the node are noticed while idle
    }

    /** The next response answers a HEAD request (its Content-Length announces no body). Call before writing it. */
    public void expectHeadResponse(boolean head) {
        this.head = head;
        decoder.headRequest(head);
    }

    boolean headRequest() {
        return head;
    }

    /**
     * The user is done: with {@code reusable} the response ended exactly where its framing said and the
     * whole request went out, so the connection goes back to the pool once the node's read batch is
     * over; otherwise it is closed. The user gets nothing more from this connection.
     */
    public void release(boolean reusable) {
        if (state != State.LEASED) {
            return;
        }
        user = null;
        requests++;
        if (!reusable) {
            close();
            return;
        }
        state = State.RELEASING;
        if (!inRead) {
            finishRelease();
        }
    }

    private void finishRelease() {
        if (decoder.hasLeftover()) {
            pool.dropped(this, "node sent bytes after the end of its response");
            close();
        } else {
            pool.released(this);
        }
    }

    /** Closes the connection; the user (if any) gets nothing more from it. */
    public void discard() {
        user = null;
        close();
    }

    /**
     * Takes the connection out of the pool for good (a {@code 101} or a raw-mode request turns it into
     * a tunnel, whose relay replaces this handler and the decoder): it is never reused, and it still
     * counts against the node's cap until it closes, since it still holds one of the node's workers.
     */
    public Channel takeOut() {
        user = null;
        state = State.CLOSED;
        return channel;
    }

    void close() {
        state = State.CLOSED;
        user = null;
        channel.close();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        inRead = true;
        if (state == State.LEASED) {
            user.poolRead(this, msg);
            return;
        }
        ReferenceCountUtil.release(msg);
        if (state == State.RELEASING || state == State.IDLE) {
            pool.dropped(this, state == State.IDLE ? "node sent bytes on an idle connection"
                    : "node sent bytes after the end of its response");
            close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        inRead = false;
        switch (state) {
            case LEASED -> user.poolReadComplete(this);
            case RELEASING -> finishRelease();
            case IDLE -> channel.read();
            default -> {
                // CLOSED
            }
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (state == State.LEASED) {
            user.poolWritabilityChanged(this);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        PoolUser leased = state == State.LEASED ? user : null;
        state = State.CLOSED;
        user = null;
        if (leased != null) {
            leased.poolInactive(this);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (state == State.LEASED) {
            user.poolError(this, cause);
        } else {
            pool.idleError(this, cause);
        }
        channel.close();
    }
}
