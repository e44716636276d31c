package io.corerouter.http;

import io.corerouter.core.backend.BackendNode;
import io.corerouter.core.backend.NodeSelector;
import io.corerouter.core.config.NodeProtocol;
import io.corerouter.core.pool.LeaseCallback;
import io.corerouter.core.pool.PoolRequest;
import io.corerouter.core.pool.PooledConnection;
import io.corerouter.core.error.ErrorKind;
import io.corerouter.core.error.RouterException;
import io.corerouter.core.log.Exceptions;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ConnectTimeoutException;
import java.nio.channels.ClosedChannelException;
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
 * <p>A {@code puwsgi://} or {@code http://} node is not connected but asked for a pooled connection
 * ({@link io.corerouter.core.pool.NodePools}): an idle one is reused, a new one is made under the
 * node's cap, or the request waits for one up to {@code --http-pool-wait} (then 503). A connect the
 * pool makes that fails is handled as any failed connect.
 *
 * <p>One per connection, {@link #reset()} per request, used only on the connection's event loop.
 */
final class NodeAttempts implements ChannelFutureListener, LeaseCallback {
    private final HttpSession session;
    private final HttpRouterContext router;
    private final NodeSelector selector;
    private final Channel client;
    private final BackendHandler poolUser;
    private BackendNode node;
    private PoolRequest pending;
    /** The classic (uwsgi) node connect in flight, until it completes. */
    private Channel connectingChannel;
    /** The request's connect was already retried once after a local close ({@link #closedLocally}). */
    private boolean reconnected;

    NodeAttempts(HttpSession session, HttpRouterContext router, Channel client, BackendHandler poolUser) {
        this.session = session;
        this.router = router;
        this.selector = router.newSelector();
        this.client = client;
        this.poolUser = poolUser;
    }

    /** What the picked node speaks. */
    NodeProtocol protocol() {
        return node.protocol();
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
    void connect(ByteBuf packet, boolean fresh) {
        NodeProtocol protocol = node.protocol();
        if (protocol != NodeProtocol.HTTP) {
            int at = packet.readerIndex();
            packet.setByte(at, router.modifier1() != 0 ? router.modifier1() : node.modifier1());
            packet.setByte(at + 3, router.modifier2() != 0 ? router.modifier2() : node.modifier2());
        }
        if (protocol.pooled()) {
            pending = router.pools().acquire(client.eventLoop(), node, poolUser, this, fresh);
            return;
        }
        ChannelFuture connect = router.connector().connect(client.eventLoop(), node.address());
        connectingChannel = connect.channel();
        connect.addListener(this);
    }

    @Override
    public void leased(PooledConnection connection) {
        pending = null;
        if (!session.connecting()) {
            connection.release(true); // nothing was written on it: it goes back as it came
            return;
        }
        node.connected();
        session.leased(connection);
    }

    @Override
    public void connectFailed(Throwable cause) {
        pending = null;
        if (session.connecting()) {
            if (closedLocally(cause)) {
                session.reconnect();
                return;
            }
            session.retryOrFail(markFailed(cause));
        }
    }

    /**
     * Whether a connect failed because its channel was closed here, not by the node (which refuses, resets
     * or times out): once per request the same node is tried again and not marked failed (see
     * {@link HttpSession#reconnect}); a second time it counts as the node's failure.
     */
    private boolean closedLocally(Throwable cause) {
        if (cause instanceof ClosedChannelException && !reconnected) {
            reconnected = true;
            session.log(Level.FINE, "connect to node " + nodeName() + " closed before it completed; connecting again");
            return true;
        }
        return false;
    }

    @Override
    public void waitTimedOut(long waitedMillis) {
        pending = null;
        if (!session.connecting()) {
            return;
        }
        BackendNode busy = node;
        node = null;
        busy.release();
        session.fail(new RouterException(ErrorKind.OVERLOADED, "no free connection to node " + busy.name() + " within "
                + waitedMillis + "ms (--http-pool-wait): all the connections its cap allows are busy "
                + "(--http-node-connections, or its announced cores)"));
    }

    /** The session went away or moved on: a pooled connection still awaited is not wanted any more. */
    void cancel() {
        if (pending != null) {
            pending.cancel();
            pending = null;
        }
        Channel connecting = connectingChannel;
        if (connecting != null) {
            // a client gone while its node connect is in flight (a reset HTTP/2 stream, a closed socket):
            // the connect is dropped, and the node is not marked failed for it (operationComplete). Closed
            // after this loop's batch of events, so its descriptor cannot be reused by a connect made in
            // the same batch while an event for it is still to come.
            connectingChannel = null;
            connecting.eventLoop().execute(connecting::close);
        }
    }

    @Override
    public void operationComplete(ChannelFuture future) {
        Channel channel = future.channel();
        if (channel == connectingChannel) {
            connectingChannel = null;
        }
        if (!session.connecting()) {
            channel.close();
            return;
        }
        if (!future.isSuccess()) {
            if (closedLocally(future.cause())) {
                session.reconnect();
                return;
            }
            session.retryOrFail(markFailed(future.cause()));
            return;
        }
        node.connected();
        session.connected(channel);
    }

    /** Marks the node failed, releases it, logs (unless {@code --http-quiet}), and says why for a 502. */
    private RouterException markFailed(Throwable cause) {
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

    /**
     * The request failed on the current node before a complete response head (passive health,
     * {@code --http-error-limit}).
     */
    void requestFailed(String reason) {
        if (node != null) {
            node.requestFailed(reason);
        }
    }

    /** The current node answered the request. */
    void requestSucceeded() {
        if (node != null) {
            node.requestSucceeded();
        }
    }

    /** The current node. */
    BackendNode node() {
        return node;
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

    /** Starts a new request: the retry count starts again, on the router's routes now. */
    void reset() {
        reconnected = false;
        selector.reset(router.routes());
    }
}
