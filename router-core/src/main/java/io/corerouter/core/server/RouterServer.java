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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Binds the listening sockets of one router on its event-loop group and closes them again.
 *
 * <p>Accepted channels start with {@code AUTO_READ} off (each router reads when it can forward) and
 * with half-closure allowed (a client that shuts down its write side still gets its response).
 */
public final class RouterServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RouterServer.class.getName());

    private final String routerName;
    private final Transport transport;
    private final EventLoopGroup group;
    private final List<Channel> listeners = new ArrayList<>();

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
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childHandler(initializer);
        if (!(address instanceof DomainSocketAddress)) {
            bootstrap.option(ChannelOption.SO_REUSEADDR, true);
            if (!transport.isEpoll()) {
                bootstrap.childOption(ChannelOption.TCP_NODELAY, true); // epoll sockets have it on by default
            }
        }
        Channel channel = bootstrap.bind(address).sync().channel();
        listeners.add(channel);
        LOG.info(() -> routerName + " bound on " + name + " (" + channel.localAddress() + ") transport="
                + transport.name());
        return channel;
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
