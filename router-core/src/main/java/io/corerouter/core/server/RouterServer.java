package io.corerouter.core.server;

import io.corerouter.core.observe.ListenerCounters;
import io.corerouter.core.observe.ObserveHandler;
import io.corerouter.core.observe.RouterObserver;
import io.corerouter.core.transport.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.ChannelGroupFuture;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Binds the listening sockets of one router on its event-loop group (or adopts sockets received from
 * a zerg server, spec §7) and closes them again, optionally draining the sessions in flight.
 *
 * <p>With the epoll transport and several event loops, a TCP listener is one {@code SO_REUSEPORT}
 * socket per loop: the kernel spreads the connections and each one is served by the loop that
 * accepted it. UNIX and zerg sockets are accepted by one loop and handed to the others in turn.
 *
 * <p>Accepted channels start with {@code AUTO_READ} off (each router reads when it can forward) and
 * with half-closure allowed (a client that shuts down its write side still gets its response).
 *
 * <p>Accepting can be paused and resumed ({@link #setAccepting}) for cheap mode (spec §3.9): a paused
 * listener stays bound, so clients wait in the kernel backlog until it accepts again.
 */
public final class RouterServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RouterServer.class.getName());

    private final String routerName;
    private final Transport transport;
    private final EventLoopGroup group;
    private final List<Channel> listeners = new CopyOnWriteArrayList<>();
    /** The SO_REUSEPORT sockets beside the first one of each spread TCP listener. */
    private final List<Channel> siblings = new CopyOnWriteArrayList<>();
    /** Every socket of each listener, by its name as configured ({@link #unbind}). */
    private final Map<String, List<Channel>> byName = new LinkedHashMap<>();
    private final ChannelGroup sessions = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private int bufferSize;
    private volatile boolean accepting = true;
    /** Counts connections, requests and bytes of every listener (issue 12); null: not observed. */
    private RouterObserver observer;

    public RouterServer(String routerName, Transport transport, EventLoopGroup group) {
        this.routerName = routerName;
        this.transport = transport;
        this.group = group;
    }

    /**
     * Sets {@code --R-buffer-size}: the first read of an accepted connection uses a buffer of this size,
     * later reads adapt between 64 bytes and {@code max(size, 64 KiB)} (uWSGI: the initial per-peer
     * buffer, spec §1.3). 0 (the default) keeps Netty's adaptive default.
     */
    public RouterServer bufferSize(int size) {
        this.bufferSize = size;
        return this;
    }

    /** Observes every connection of the listeners bound from now on ({@link ObserveHandler} first in each pipeline). */
    public RouterServer observer(RouterObserver observer) {
        this.observer = observer;
        return this;
    }

    /**
     * Binds {@code address} and serves it with {@code initializer}; blocks until bound (start-up
     * only, never on an event loop).
     *
     * @param name the socket name as configured (logged)
     * @return the bound channel; its {@code localAddress()} tells the real port when 0 was asked
     */
    public Channel bind(String name, SocketAddress address, ChannelHandler initializer) throws InterruptedException {
        initializer = observed(name, initializer);
        List<EventLoop> loops = loops();
        if (address instanceof DomainSocketAddress || !transport.isEpoll() || loops.size() < 2) {
            Channel channel = bind(group, address, initializer, false);
            listeners.add(channel);
            named(name, List.of(channel));
            LOG.info(() -> routerName + " bound on " + name + " (" + channel.localAddress() + ") transport="
                    + transport.name());
            return channel;
        }
        // One SO_REUSEPORT socket per event loop: the kernel spreads connections over them and each
        // connection lives on the loop that accepted it (no hand-over, no wake-up of another thread).
        // SO_REUSEPORT would also let this socket share a port that another SO_REUSEPORT process holds:
        // a plain bind first keeps "address in use" an error.
        ensureFree(name, address);
        Channel first = bind(loops.get(0), address, initializer, true);
        SocketAddress bound = first.localAddress();
        List<Channel> more = new ArrayList<>(loops.size() - 1);
        try {
            for (EventLoop loop : loops.subList(1, loops.size())) {
                more.add(bind(loop, bound, initializer, true));
            }
        } catch (RuntimeException | InterruptedException e) {
            more.forEach(Channel::close); // nothing of a listener that failed stays bound
            first.close();
            throw e;
        }
        siblings.addAll(more);
        listeners.add(first);
        List<Channel> all = new ArrayList<>(more);
        all.add(0, first);
        named(name, all);
        LOG.info(() -> routerName + " bound on " + name + " (" + bound + ") transport=" + transport.name()
                + " sockets=" + loops.size() + " (SO_REUSEPORT, one per event loop)");
        return first;
    }

    private void named(String name, List<Channel> channels) {
        synchronized (byName) {
            byName.computeIfAbsent(name, n -> new ArrayList<>()).addAll(channels);
        }
    }

    /**
     * Closes the listener bound as {@code name} (a reload removed it) and tells the sessions it
     * accepted to finish their request and close ({@link DrainEvent}); the other listeners and their
     * sessions are untouched. Blocking while its sockets close: call from the main or reload thread.
     *
     * @return the sessions told to drain, or -1 when no listener has that name
     */
    public int unbind(String name) {
        List<Channel> channels;
        synchronized (byName) {
            channels = byName.remove(name);
        }
        if (channels == null) {
            return -1;
        }
        listeners.removeAll(channels);
        siblings.removeAll(channels);
        for (Channel channel : channels) {
            channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        Set<Channel> closed = new HashSet<>(channels);
        int draining = 0;
        for (Channel session : sessions) {
            if (closed.contains(session.parent())) {
                draining++;
                drain(session);
            }
        }
        int n = draining;
        LOG.info(() -> routerName + " closed listener " + name + ", its sessions=" + n + " finish their requests");
        return n;
    }

    private static void drain(Channel session) {
        try {
            session.eventLoop().execute(() -> session.pipeline().fireUserEventTriggered(DrainEvent.INSTANCE));
        } catch (RejectedExecutionException e) {
            // its loop is shutting down: the session is closed with it
        }
    }

    private Channel bind(EventLoopGroup loops, SocketAddress address, ChannelHandler initializer, boolean reusePort)
            throws InterruptedException {
        ServerBootstrap bootstrap = bootstrap(loops, initializer, !(address instanceof DomainSocketAddress))
                .channelFactory(transport.serverChannel(address));
        if (reusePort) {
            bootstrap.option(EpollChannelOption.SO_REUSEPORT, true);
        }
        Channel channel = bootstrap.bind(address).sync().channel();
        // a setAccepting that ran while this channel was being bound did not see it
        boolean on = accepting;
        if (channel.config().isAutoRead() != on) {
            channel.config().setAutoRead(on);
        }
        return channel;
    }

    private List<EventLoop> loops() {
        List<EventLoop> loops = new ArrayList<>();
        for (EventExecutor executor : group) {
            loops.add((EventLoop) executor);
        }
        return loops;
    }

    /** Fails like a plain bind when another socket holds {@code address} (port 0 is always free). */
    private static void ensureFree(String name, SocketAddress address) {
        if (!(address instanceof InetSocketAddress inet) || inet.getPort() == 0) {
            return;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(inet, 1);
        } catch (IOException e) {
            throw new ChannelException("unable to bind " + name + " (" + address + "): " + e.getMessage(), e);
        }
    }

    /**
     * Serves a listening socket received from a zerg server (already bound and listening): registers
     * it with an event loop, which starts accepting. Needs the epoll transport.
     *
     * @return the listening channel; closing it closes this process's copy of the descriptor only
     */
    public Channel adopt(ZergSocket socket, ChannelHandler initializer) throws InterruptedException {
        if (!transport.isEpoll()) {
            throw new IllegalStateException("zerg sockets need the native epoll transport");
        }
        ServerBootstrap bootstrap = bootstrap(group, observed(socket.name(), initializer), !socket.unix())
                .channelFactory(() -> socket.unix()
                        ? (ServerChannel) new EpollServerDomainSocketChannel(socket.fd())
                        : new EpollServerSocketChannel(socket.fd()));
        Channel channel = bootstrap.register().sync().channel();
        listeners.add(channel);
        named(socket.name(), List.of(channel));
        LOG.info(() -> routerName + " attached to zerg socket " + socket.name() + " fd=" + socket.fd());
        return channel;
    }

    /** {@code initializer} behind an {@link ObserveHandler} counting for listener {@code name}, when observed. */
    private ChannelHandler observed(String name, ChannelHandler initializer) {
        if (observer == null) {
            return initializer;
        }
        ListenerCounters counters = observer.listener(name);
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(ObserveHandler.NAME, new ObserveHandler(observer, counters));
                ch.pipeline().addLast(initializer);
            }
        };
    }

    private ServerBootstrap bootstrap(EventLoopGroup loops, ChannelHandler initializer, boolean tcp) {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loops)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.AUTO_READ, accepting)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        sessions.add(ch);
                        ch.pipeline().addLast(initializer);
                    }
                });
        if (bufferSize > 0) {
            bootstrap.childOption(ChannelOption.RECVBUF_ALLOCATOR,
                    new AdaptiveRecvByteBufAllocator(64, bufferSize, Math.max(bufferSize, 65536)));
        }
        if (tcp) {
            // TCP_NODELAY is on by default for Netty's TCP channels: setting it again costs a syscall per connection
            bootstrap.option(ChannelOption.SO_REUSEADDR, true);
        }
        return bootstrap;
    }

    /**
     * Pauses or resumes accepting on every listener, bound now or later (cheap mode, spec §3.9).
     * Thread-safe; takes effect on each listener's event loop.
     */
    public void setAccepting(boolean on) {
        accepting = on;
        for (Channel channel : listeners) {
            channel.config().setAutoRead(on);
        }
        for (Channel channel : siblings) {
            channel.config().setAutoRead(on);
        }
    }

    /** Whether the listeners accept connections (false while paused by {@link #setAccepting}). */
    public boolean isAccepting() {
        return accepting;
    }

    /**
     * The listening channels, one per socket bound or adopted, in bind order (the extra SO_REUSEPORT
     * sockets of a spread listener are not listed: they share the first one's address).
     */
    public List<Channel> listeners() {
        return List.copyOf(listeners);
    }

    /** Client connections currently open. */
    public int openSessions() {
        return sessions.size();
    }

    /**
     * Stops accepting and tells every open session to finish its request and close (a
     * {@link DrainEvent} on its pipeline, on its event loop). Returns a future that completes once the
     * sessions open now have closed. Blocking while the listeners close: call from the main or a
     * shutdown thread. Calling it again only repeats the event.
     */
    public ChannelGroupFuture stopAccepting() {
        closeListeners();
        ChannelGroupFuture closed = sessions.newCloseFuture();
        for (Channel session : sessions) {
            drain(session);
        }
        return closed;
    }

    /**
     * Stops accepting ({@link #stopAccepting}), then waits up to {@code drain} for the open sessions to
     * finish and closes what is left (a zero-downtime swap: the new router accepts while this one
     * finishes its requests). Blocking: call from the main or a shutdown thread.
     */
    public void closeGracefully(Duration drain) {
        ChannelGroupFuture closed = stopAccepting();
        if (!closed.isDone()) {
            closed.awaitUninterruptibly(drain.toMillis(), TimeUnit.MILLISECONDS);
        }
        if (!sessions.isEmpty()) {
            LOG.info(() -> routerName + " closing sessions=" + sessions.size() + " still open after the drain time");
        }
        sessions.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    private void closeListeners() {
        for (Channel channel : siblings) {
            channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        siblings.clear();
        for (Channel channel : listeners) {
            channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        listeners.clear();
        synchronized (byName) {
            byName.clear();
        }
    }

    @Override
    public void close() {
        closeListeners();
    }
}
