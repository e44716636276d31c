package io.corerouter.core.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.DefaultSelectStrategyFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.channel.socket.SocketProtocolFamily;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.spi.SelectorProvider;
import java.util.logging.Logger;

/**
 * The I/O transport of the process: native epoll on Linux, NIO elsewhere (logged once).
 *
 * <p>One instance is chosen at start-up and handed to every router, so all channels of a process,
 * front and back, share one kind of event loop and backends can be connected on the client's loop.
 * UNIX domain sockets need epoll.
 */
public final class Transport {
    private static final Logger LOG = Logger.getLogger(Transport.class.getName());

    private final boolean epoll;

    private Transport(boolean epoll) {
        this.epoll = epoll;
    }

    /** Epoll when the native library loads, else NIO with a warning naming the reason. */
    public static Transport detect() {
        if (Epoll.isAvailable()) {
            return new Transport(true);
        }
        LOG.warning(() -> "transport=nio reason=\"native epoll unavailable: " + Epoll.unavailabilityCause()
                + "\" (UNIX sockets disabled)");
        return new Transport(false);
    }

    /** NIO, for tests that exercise the fallback. */
    public static Transport nio() {
        return new Transport(false);
    }

    public boolean isEpoll() {
        return epoll;
    }

    public String name() {
        return epoll ? "epoll" : "nio";
    }

    private IoHandlerFactory ioHandlerFactory(int maxEvents) {
        return epoll ? EpollIoHandler.newFactory(maxEvents, DefaultSelectStrategyFactory.INSTANCE)
                : NioIoHandler.newFactory();
    }

    /** A group of {@code threads} event loops named {@code name-N}. */
    public EventLoopGroup newGroup(int threads, String name) {
        return newGroup(threads, name, 0);
    }

    /**
     * A group of {@code threads} event loops named {@code name-N}, each taking at most {@code maxEvents}
     * ready events per {@code epoll_wait} (0: start at Netty's size and grow when a round fills it;
     * NIO has no such limit).
     */
    public EventLoopGroup newGroup(int threads, String name, int maxEvents) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true),
                ioHandlerFactory(maxEvents));
    }

    /** Server channel factory for a TCP or UNIX listening address. */
    public ChannelFactory<? extends ServerChannel> serverChannel(SocketAddress address) {
        if (address instanceof DomainSocketAddress) {
            requireEpoll(address);
            return EpollServerDomainSocketChannel::new;
        }
        return epoll ? EpollServerSocketChannel::new : NioServerSocketChannel::new;
    }

    /**
     * Client channel factory for a TCP or UNIX backend address. An IPv4 backend gets an IPv4 socket
     * (not a dual-stack IPv6 one): one system call less per backend connection.
     */
    public ChannelFactory<? extends Channel> clientChannel(SocketAddress address) {
        if (address instanceof DomainSocketAddress) {
            requireEpoll(address);
            return EpollDomainSocketChannel::new;
        }
        boolean ipv4 = address instanceof InetSocketAddress inet && inet.getAddress() instanceof Inet4Address;
        if (epoll) {
            return ipv4 ? () -> new EpollSocketChannel(SocketProtocolFamily.INET) : EpollSocketChannel::new;
        }
        return ipv4 ? () -> new NioSocketChannel(SelectorProvider.provider(), SocketProtocolFamily.INET)
                : NioSocketChannel::new;
    }

    /**
     * Datagram channel factory: UDP for an {@code InetSocketAddress}, a UNIX datagram socket for a
     * {@link DomainSocketAddress} (subscription servers and clients, spec §2.1). The address is the one
     * to bind or, for an unbound sender, one of the addresses it will send to.
     */
    public ChannelFactory<? extends Channel> datagramChannel(SocketAddress address) {
        if (address instanceof DomainSocketAddress) {
            requireEpoll(address);
            return EpollDomainDatagramChannel::new;
        }
        return epoll ? EpollDatagramChannel::new : NioDatagramChannel::new;
    }

    private void requireEpoll(SocketAddress address) {
        if (!epoll) {
            throw new IllegalStateException("UNIX socket " + address + " needs the native epoll transport");
        }
    }
}
