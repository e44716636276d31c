package io.corerouter.subscription;

import io.corerouter.core.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sends datagrams to UDP and UNIX datagram addresses from one event loop: subscription packets of
 * the {@link Subscriber}, packets forwarded to other routers (spec §2.11) and notify acks (spec
 * §2.10). One UDP socket (bound to the given source address, or any) and one unbound UNIX datagram
 * socket, opened at start-up, reused for every send; uWSGI opens a socket per datagram.
 */
public final class DatagramSender implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DatagramSender.class.getName());

    private final Channel udp;
    private final Channel unix;

    private DatagramSender(Channel udp, Channel unix) {
        this.udp = udp;
        this.unix = unix;
    }

    /**
     * Opens the sockets on {@code loop}; blocks until they are ready (start-up only, never on an
     * event loop). Without epoll there is no UNIX socket and sends to paths fail.
     *
     * @param bind the UDP source address, or null for any
     */
    // an unbound UNIX datagram socket can send only if Netty treats it as active once registered; the
    // option is deprecated without a replacement in 4.2
    @SuppressWarnings("deprecation")
    public static DatagramSender open(Transport transport, EventLoop loop, InetSocketAddress bind)
            throws InterruptedException {
        InetSocketAddress source = bind != null ? bind : new InetSocketAddress(0);
        Channel udp = bootstrap(transport, loop, source).bind(source).sync().channel();
        Channel unix = null;
        if (transport.isEpoll()) {
            DomainSocketAddress any = new DomainSocketAddress("");
            unix = bootstrap(transport, loop, any)
                    .option(ChannelOption.DATAGRAM_CHANNEL_ACTIVE_ON_REGISTRATION, true)
                    .register().sync().channel();
        }
        return new DatagramSender(udp, unix);
    }

    private static Bootstrap bootstrap(Transport transport, EventLoop loop, SocketAddress kind) {
        return new Bootstrap()
                .group(loop)
                .channelFactory(transport.datagramChannel(kind))
                .handler(Drain.INSTANCE);
    }

    /**
     * Sends {@code datagram} (released in any case) to {@code to}. Thread-safe.
     *
     * @return the write's future: failures are also logged at debug level, as uWSGI only logs them
     */
    public ChannelFuture send(ByteBuf datagram, SocketAddress to) {
        Channel channel;
        Object message;
        if (to instanceof DomainSocketAddress path) {
            if (unix == null) {
                datagram.release();
                return udp.newFailedFuture(new IllegalStateException("UNIX datagrams need the epoll transport"));
            }
            channel = unix;
            message = new DomainDatagramPacket(datagram, path);
        } else {
            channel = udp;
            message = new DatagramPacket(datagram, (InetSocketAddress) to);
        }
        ChannelFuture sent = channel.writeAndFlush(message);
        sent.addListener(f -> {
            if (!f.isSuccess()) {
                LOG.log(Level.FINE, () -> "datagram to " + to + " not sent: " + f.cause());
            }
        });
        return sent;
    }

    /** The UDP socket's local address (the source of forwarded packets). */
    public SocketAddress udpAddress() {
        return udp.localAddress();
    }

    @Override
    public void close() {
        udp.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        if (unix != null) {
            unix.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    /** Anything that arrives on a sending socket (nobody should answer) is dropped. */
    @io.netty.channel.ChannelHandler.Sharable
    private static final class Drain extends ChannelInboundHandlerAdapter {
        static final Drain INSTANCE = new Drain();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.log(Level.FINE, () -> ctx.channel() + " datagram sender error: " + cause);
        }
    }
}
