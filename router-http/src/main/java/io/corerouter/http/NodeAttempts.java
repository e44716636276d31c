package io.corerouter.http;

import io.corerouter.core.backend.BackendNode;
import io.corerouter.core.backend.NodeSelector;
import io.corerouter.core.error.ErrorKind;
import io.corerouter.core.error.RouterException;
import io.corerouter.core.log.Exceptions;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ConnectTimeoutException;
import java.util.logging.Level;

/**
 * The node of an {@link HttpSession}'s request in flight: picks it with the connection's
 * {@link NodeSelector}, connects to it on the client's event loop, marks it failed when the connect
 * fails and names the next one (spec §3.6: fallbacks, or the mapper again, up to
 * {@link HttpRouterContext#MAX_RETRIES} retries), and releases it with the request's traffic.
 *
 * <p>The session decides: it is told of a connected node ({@link HttpSession#connected}) and, when a
 * connect fails, gets the failure to retry or answer ({@link HttpSession#retryOrFail}); a connect that
 * completes after the session moved on is closed here. Core's {@code ConnectAttempts} does the same for
 * the fastrouter, but retries on its own and logs in its own format; here a retry also follows a node
 * that died before answering a replayable request, and every line carries the client and key.
 *
 * <p>One per connection, {@link #reset()} per request, used only on the connection's event loop.
 */
final class NodeAttempts implements ChannelFutureListener {
    private final HttpSession session;
    private final HttpRouterContext router;
    private final NodeSelector selector;
    private final Channel client;
    private BackendNode node;

    NodeAttempts(HttpSession session, HttpRouterContext router, Channel client) {
        this.session = session;
        this.router = router;
        this.selector = router.newSelector();
        this.client = client;
    }

    /** Picks the first node for {@code key}; false when the mapper has none. */
    boolean first(String key) {
        node = selector.first(key);
        return node != null;
    }

    /** Picks the next node after a failure; false when retries or fallbacks ran out. */
    boolean retry(String key) {
        BackendNode next = selector.retry(key, false);
        if (next == null) {
            return false;
        }
        node = next;
        return true;
    }

    /**
     * Connects to the picked node, after writing its modifiers into {@code packet}'s header (spec §1.5:
     * the node's, a subscription's, unless {@code --http-modifier1/2} set their own).
     */
    void connect(ByteBuf packet) {
        int at = packet.readerIndex();
        packet.setByte(at, router.modifier1() != 0 ? router.modifier1() : node.modifier1());
        packet.setByte(at + 3, router.modifier2() != 0 ? router.modifier2() : node.modifier2());
        router.connector().connect(client.eventLoop(), node.address()).addListener(this);
    }

    @Override
    public void operationComplete(ChannelFuture future) {
        Channel channel = future.channel();
        if (!session.connecting()) {
            channel.close();
            return;
        }
        if (!future.isSuccess()) {
            session.retryOrFail(connectFailed(future.cause()));
            return;
        }
        node.connected();
        session.connected(channel);
    }

    /** Marks the node failed, releases it, logs (unless {@code --http-quiet}), and says why for a 502. */
    private RouterException connectFailed(Throwable cause) {
        BackendNode failed = node;
        node = null;
        failed.connectFailed();
        failed.release();
        boolean timeout = cause instanceof ConnectTimeoutException;
        if (!router.quiet()) {
            session.log(Level.WARNING, (timeout ? "timeout=connect: " : "") + "unable to connect() to node \"" + failed.name()
                    + "\" (" + selector.retries() + " retries): " + Exceptions.describe(cause) + "; marking it as failed");
        }
        return new RouterException(ErrorKind.CONNECT_FAILED, "no node accepted the connection (last tried "
                + failed.name() + ": " + (timeout ? "connect timeout" : Exceptions.describe(cause)) + ")", true);
    }

    /** The name of the current node for log lines, or {@code ?}. */
    String nodeName() {
        return node != null ? node.name() : "?";
    }

    /** Hands the current node over (to a tunnel, which releases it). */
    BackendNode take() {
        BackendNode taken = node;
        node = null;
        return taken;
    }

    /** Releases the current node, if any, after counting the request's traffic on it. */
    void release(long fromNode, long toNode) {
        if (node != null) {
            node.addTraffic(fromNode, toNode);
            node.release();
            node = null;
        }
    }

    /** Starts a new request: the retry count starts again. */
    void reset() {
        selector.reset();
    }
}
