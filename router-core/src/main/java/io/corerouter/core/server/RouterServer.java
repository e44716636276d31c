package io.corerouter.core.server;

import io.corerouter.core.transport.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Binds the listening sockets of one router on its event-loop group and closes them again.
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
    private volatile boolean accepting = true;

    public RouterServer(String routerName, Transport transport, EventLoopGroup group) {
        this.routerName = routerName;
        this.transport = transport;
        this.group = group;
    }

    /**
     * Binds {@code address} and serves it with {@code initializer}; blocks until bound (start-up
     * only, never on an event loop).
     *
     * @param name the socket name as configured (logged)
     * @return the bound channel; its {@code localAddress()} tells the real port when 0 was asked
     */
    public Channel bind(String name, SocketAddress address, ChannelHandler initializer) throws InterruptedException {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channelFactory(transport.serverChannel(address))
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.AUTO_READ, accepting)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childHandler(initializer);
        if (!(address instanceof DomainSocketAddress)) {
            bootstrap.option(ChannelOption.SO_REUSEADDR, true);
            bootstrap.childOption(ChannelOption.TCP_NODELAY, true);
        }
        Channel channel = bootstrap.bind(address).sync().channel();
        listeners.add(channel);
        // a setAccepting that ran while this channel was being bound did not see it
        boolean on = accepting;
        if (channel.config().isAutoRead() != on) {
            channel.config().setAutoRead(on);
        }
        LOG.info(() -> routerName + " bound on " + name + " (" + channel.localAddress() + ") transport="
                + transport.name());
        return channel;
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
    }

    /** Whether the listeners accept connections (false while paused by {@link #setAccepting}). */
    public boolean isAccepting() {
        return accepting;
    }

    /** The bound listening channels, in bind order. */
    public List<Channel> listeners() {
        return List.copyOf(listeners);
    }

    @Override
    public void close() {
        for (Channel channel : listeners) {
            channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        listeners.clear();
    }
}
