package io.corerouter.core.backend;

import io.corerouter.core.error.ErrorKind;
import io.corerouter.core.error.RouterException;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Connects one session to a node with uWSGI's retry rules (spec §3.6): on a failed connect the node is
 * marked failed, the failure is logged (unless {@code --R-quiet}), and the {@link NodeSelector} names
 * the next node (a fallback, or the mapper again) until attempts run out. Shared by the routers that
 * connect once per session (fastrouter, rawrouter).
 *
 * <p>Runs on the client channel's event loop; the node connection is opened on that loop too. One
 * instance per session. {@link #cancel} when the client goes away: a connect that completes later is
 * closed and its node released.
 */
public final class ConnectAttempts implements ChannelFutureListener {
    private static final Logger LOG = Logger.getLogger(ConnectAttempts.class.getName());

    /** The outcome of the attempts. */
    public interface Callback {
        /** Connected to {@code node} (already counted with {@link BackendNode#connected()}); the session owns both. */
        void connected(BackendNode node, Channel channel);

        /** No attempt succeeded; every node tried was released. */
        void failed(RouterException failure);
    }

    private final BackendConnector connector;
    private final NodeSelector selector;
    private final EventLoop loop;
    private final boolean quiet;
    private final String routerName;
    private final Channel client;
    private final Callback callback;
    private CharSequence key;
    private BackendNode node;
    private boolean cancelled;

    /**
     * @param routerName and {@code client} start every log line ({@code [fastrouter] [id: ...]}); the line is
     *     only built when something is logged
     */
    public ConnectAttempts(BackendConnector connector, NodeSelector selector, EventLoop loop, boolean quiet,
            String routerName, Channel client, Callback callback) {
        this.connector = connector;
        this.selector = selector;
        this.loop = loop;
        this.quiet = quiet;
        this.routerName = routerName;
        this.client = client;
        this.callback = callback;
    }

    /** Connects to {@code first}, the node the mapper picked for {@code key}. */
    public void start(CharSequence key, BackendNode first) {
        this.key = key;
        this.node = first;
        connector.connect(loop, first.address()).addListener(this);
    }

    /** The client went away: whatever completes from now on is closed and released. */
    public void cancel() {
        cancelled = true;
    }

    @Override
    public void operationComplete(ChannelFuture future) {
        BackendNode current = node;
        if (cancelled) {
            future.channel().close();
            if (current != null) {
                current.release();
                node = null;
            }
            return;
        }
        if (future.isSuccess()) {
            node = null;
            current.connected();
            callback.connected(current, future.channel());
            return;
        }
        current.connectFailed();
        current.release();
        Throwable cause = future.cause();
        String reason = cause.getMessage() != null ? cause.getMessage() : cause.toString();
        if (!quiet && LOG.isLoggable(Level.WARNING)) {
            LOG.warning("[" + routerName + "] " + client + " key=" + key + " unable to connect() to node \"" + current.name() + "\" ("
                    + selector.retries() + " retries): " + reason + "; marking it as failed");
        }
        BackendNode next = selector.retry(key, false);
        if (next == null) {
            node = null;
            callback.failed(new RouterException(ErrorKind.CONNECT_FAILED, "no node accepted the connection (last tried "
                    + current.name() + ": " + reason + ")", true));
            return;
        }
        node = next;
        connector.connect(loop, next.address()).addListener(this);
    }
}
