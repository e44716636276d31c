package io.corerouter.core.pool;

import io.corerouter.core.backend.BackendConnector;
import io.corerouter.core.config.PoolOptions;
import io.corerouter.core.log.Exceptions;
import io.corerouter.core.server.HandlerNames;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.util.concurrent.Future;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The connections of one node on one event loop: the idle ones (most recently used first, so the
 * fewest stay warm and the oldest time out), and the requests of this loop waiting for a slot under
 * the node's cap ({@link NodeLimit}). Confined to its loop: nothing here is touched from another
 * thread except {@link #wake()}, {@link #shedOneIdle()}, {@link #hasWaiters()} and {@link #hasIdle()},
 * which only read a volatile count or post a task to the loop.
 */
final class LoopPool {
    private static final Logger LOG = Logger.getLogger(LoopPool.class.getName());

    private final NodeLimit limit;
    private final EventLoop loop;
    private final SocketAddress address;
    private final BackendConnector connector;
    private final HttpDecoderConfig decoderConfig;
    private final PoolOptions options;
    /** Called with this pool when it holds nothing any more (transient nodes' pools are then forgotten), or null. */
    private final java.util.function.Consumer<LoopPool> onEmpty;
    private final ArrayDeque<PooledConnection> idle = new ArrayDeque<>(4);
    private final ArrayDeque<PoolRequest> waiters = new ArrayDeque<>(2);
    private volatile int idleCount;
    private volatile int waiterCount;
    /** Connections of this node opened by this loop (and connects in flight): the share it holds of the cap. */
    private volatile int openHere;
    private Future<?> sweep;

    LoopPool(NodeLimit limit, EventLoop loop, SocketAddress address, BackendConnector connector,
            HttpDecoderConfig decoderConfig, PoolOptions options, java.util.function.Consumer<LoopPool> onEmpty) {
        this.onEmpty = onEmpty;
        this.limit = limit;
        this.loop = loop;
        this.address = address;
        this.connector = connector;
        this.decoderConfig = decoderConfig;
        this.options = options;
    }

    NodeLimit limit() {
        return limit;
    }

    EventLoop loop() {
        return loop;
    }

    // ---------------------------------------------------------------- acquiring

    void acquire(PoolRequest request, boolean fresh) {
        request.pool = this;
        if (!fresh) {
            PooledConnection connection;
            while ((connection = pollIdle()) != null) {
                if (connection.reusable()) {
                    lease(request, connection);
                    return;
                }
                connection.close();
            }
        }
        boolean slot = limit.tryOpen();
        connectFor(request, slot);
        if (!slot && fresh) {
            closeOldestIdle(); // a fresh connection after a stale one: an idle one of ours gives up its slot
        }
    }

    private void connectFor(PoolRequest request, boolean slot) {
        if (slot) {
            connect(request);
            return;
        }
        if (options.waitTimeout().isZero()) {
            request.state = PoolRequest.State.DONE;
            limit.waitTimeouts.increment();
            request.callback.waitTimedOut(0);
            return;
        }
        waiters.add(request);
        waiterCount = waiters.size();
        limit.waiting.incrementAndGet();
        request.timer = loop.schedule(() -> waitExpired(request), options.waitTimeout().toMillis(), TimeUnit.MILLISECONDS);
        limit.shedIdleElsewhere(this);
    }

    private void waitExpired(PoolRequest request) {
        request.timer = null;
        if (request.state != PoolRequest.State.WAITING || !removeWaiter(request)) {
            return;
        }
        request.state = PoolRequest.State.DONE;
        limit.waitTimeouts.increment();
        request.callback.waitTimedOut(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - request.startNanos));
    }

    boolean removeWaiter(PoolRequest request) {
        boolean removed = waiters.remove(request);
        if (removed) {
            waiterCount = waiters.size();
            limit.waiting.decrementAndGet();
            checkEmpty();
        }
        return removed;
    }

    private void connect(PoolRequest request) {
        openHere++;
        request.state = PoolRequest.State.CONNECTING;
        ChannelFuture future = connector.connect(loop, address);
        future.addListener(f -> connected(request, future));
    }

    private void connected(PoolRequest request, ChannelFuture future) {
        if (!future.isSuccess()) {
            openHere--;
            limit.closed();
            if (request.state == PoolRequest.State.CONNECTING) {
                request.state = PoolRequest.State.DONE;
                request.callback.connectFailed(future.cause());
            }
            serveWaiters(); // the slot is free again
            checkEmpty();
            return;
        }
        limit.created.increment();
        Channel channel = future.channel();
        PooledConnection connection = new PooledConnection(channel, this, new ResponseDecoder(decoderConfig, false));
        channel.pipeline().addLast(HandlerNames.BACKEND_DECODER, connection.decoder())
                .addLast(HandlerNames.BACKEND, connection);
        channel.closeFuture().addListener(f -> connectionClosed(connection));
        if (request.state == PoolRequest.State.CONNECTING) {
            lease(request, connection);
        } else {
            released(connection); // its requester went away: the next one, or idle
        }
    }

    private void lease(PoolRequest request, PooledConnection connection) {
        if (request.timer != null) {
            request.timer.cancel(false);
            request.timer = null;
        }
        request.state = PoolRequest.State.DONE;
        if (connection.reused()) {
            limit.reused.increment();
        }
        connection.lease(request.user);
        request.callback.leased(connection);
    }

    // ---------------------------------------------------------------- releasing

    /** A connection finished its response cleanly: a waiting request, idle, or closed when not wanted. */
    void released(PooledConnection connection) {
        if (!connection.reusable() || options.maxRequests() > 0 && connection.requests() >= options.maxRequests()) {
            connection.close();
            return;
        }
        PoolRequest next = pollWaiter();
        if (next != null) {
            lease(next, connection);
            return;
        }
        if (idle.size() >= options.idleLimit(limit.cap) || limit.waiting.get() > 0 && limit.starvedElsewhere(this)) {
            connection.close(); // enough idle ones here, or a loop holding fewer connections waits for the slot
            return;
        }
        connection.markIdle(System.nanoTime());
        idle.addFirst(connection);
        idleCount = idle.size();
        limit.idle.incrementAndGet();
        scheduleSweep();
    }

    private void connectionClosed(PooledConnection connection) {
        if (idle.remove(connection)) {
            idleCount = idle.size();
            limit.idle.decrementAndGet();
        }
        openHere--;
        limit.closed();
        checkEmpty();
    }

    /** Whether nothing is here: no connection open or opening, no request waiting. */
    boolean isEmpty() {
        return openHere == 0 && waiters.isEmpty() && idle.isEmpty();
    }

    private void checkEmpty() {
        if (onEmpty != null && isEmpty()) {
            onEmpty.accept(this);
        }
    }

    SocketAddress address() {
        return address;
    }

    private PooledConnection pollIdle() {
        PooledConnection connection = idle.pollFirst();
        if (connection != null) {
            idleCount = idle.size();
            limit.idle.decrementAndGet();
        }
        return connection;
    }

    private PoolRequest pollWaiter() {
        PoolRequest request = waiters.poll();
        if (request != null) {
            waiterCount = waiters.size();
            limit.waiting.decrementAndGet();
        }
        return request;
    }

    /** A slot may be free: connect for the requests waiting here, as far as slots go. */
    private void serveWaiters() {
        while (!waiters.isEmpty()) {
            PooledConnection connection = pollIdle();
            if (connection != null) {
                if (connection.reusable()) {
                    lease(pollWaiter(), connection);
                } else {
                    connection.close();
                }
                continue;
            }
            if (!limit.tryOpen()) {
                return;
            }
            connect(pollWaiter());
        }
    }

    // ---------------------------------------------------------------- from other loops

    boolean hasWaiters() {
        return waiterCount > 0;
    }

    boolean hasIdle() {
        return idleCount > 0;
    }

    /** How many connections of the node this loop holds. */
    int openHere() {
        return openHere;
    }

    /** Another thread freed a slot: serve this loop's waiters on this loop. */
    void wake() {
        loop.execute(this::serveWaiters);
    }

    /** Another loop waits for a slot this loop holds idle: close one idle connection. */
    void shedOneIdle() {
        loop.execute(() -> {
            if (limit.starvedElsewhere(this)) {
                closeOldestIdle();
            }
        });
    }

    private boolean closeOldestIdle() {
        PooledConnection oldest = idle.pollLast();
        if (oldest == null) {
            return false;
        }
        idleCount = idle.size();
        limit.idle.decrementAndGet();
        oldest.close();
        return true;
    }

    // ---------------------------------------------------------------- idle timeout

    private void scheduleSweep() {
        if (sweep == null) {
            sweep = loop.schedule(this::sweepIdle, options.idleTimeout().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Closes the connections idle for {@code --R-pool-idle-timeout}; one timer per node and loop. */
    private void sweepIdle() {
        sweep = null;
        long now = System.nanoTime();
        long timeout = options.idleTimeout().toNanos();
        long nextDue = Long.MAX_VALUE;
        for (Iterator<PooledConnection> it = idle.descendingIterator(); it.hasNext(); ) {
            PooledConnection connection = it.next();
            long idleFor = now - connection.idleSince();
            if (idleFor >= timeout) {
                it.remove();
                idleCount = idle.size();
                limit.idle.decrementAndGet();
                connection.close();
            } else {
                nextDue = Math.min(nextDue, timeout - idleFor);
            }
        }
        if (nextDue != Long.MAX_VALUE) {
            sweep = loop.schedule(this::sweepIdle, Math.max(1, TimeUnit.NANOSECONDS.toMillis(nextDue)), TimeUnit.MILLISECONDS);
        }
    }

    /** A connection broke the protocol while it was not leased: dropped, counted, logged. */
    void dropped(PooledConnection connection, String why) {
        limit.dropped.increment();
        if (connection.headRequest()) {
            // uWSGI writes the app's body even for HEAD: expected, but the connection cannot be reused
            LOG.log(Level.FINE, () -> connection.channel() + " node=" + limit.name + " sent a body after a HEAD "
                    + "response: dropping the pooled connection");
        } else if (LOG.isLoggable(Level.WARNING)) {
            LOG.warning(connection.channel() + " node=" + limit.name + " " + why + ": dropping the pooled connection");
        }
    }

    /** An idle connection failed (the node reset it): logged at debug, it is closed. */
    void idleError(PooledConnection connection, Throwable cause) {
        LOG.log(Level.FINE, () -> connection.channel() + " node=" + limit.name + " idle pooled connection: "
                + Exceptions.describe(cause));
    }
}
