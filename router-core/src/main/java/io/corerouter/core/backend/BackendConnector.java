package io.corerouter.core.backend;

import io.corerouter.core.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.FastThreadLocal;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Opens backend connections on the event loop of the client channel that needs them (STYLE item 8,
 * model: netty {@code HexDumpProxyFrontendHandler}), so a session's two channels never cross
 * threads and need no synchronisation.
 *
 * <p>Backend channels start with {@code AUTO_READ} off: the session reads when its client side can
 * take more. They start without half-closure: a uwsgi node's end of input ends its response (spec
 * §1.4), so the channel closes at once, without the {@code shutdown(SHUT_RD)} and the epoll
 * de-registration Netty does for a half-closed channel; a relay that must keep writing to a node that
 * half-closed (rawrouter, sslrouter, tunnels) turns {@link #allowHalfClosure} on.
 *
 * <p>The caller adds its handlers in the connect future's listener; on the event loop the channel
 * cannot see a read before that listener has run.
 */
public final class BackendConnector {
    /**
     * The first handler of every node channel. Until the connect completes it takes the I/O errors Netty
     * fires on the channel (a read of a socket still connecting: an event of a descriptor number another
     * channel just closed, see HttpSession#reconnect), which the connect future reports as its failure
     * anyway; nothing else is there yet to handle them. After, it passes everything on.
     */
    @ChannelHandler.Sharable
    private static final class Placeholder extends ChannelInboundHandlerAdapter {
        static final Placeholder INSTANCE = new Placeholder();
        private static final Logger LOG = Logger.getLogger(BackendConnector.class.getName());

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (ctx.channel().isActive()) {
                ctx.fireExceptionCaught(cause);
            } else {
                LOG.log(Level.FINE, () -> ctx.channel() + " error before the node connect completed: " + cause);
            }
        }
    }

    private final Transport transport;
    private final int connectTimeoutMillis;

    public BackendConnector(Transport transport, Duration connectTimeout) {
        this.transport = transport;
        long millis = connectTimeout.toMillis();
        this.connectTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, millis));
    }

    /** Per event loop: a template for IPv4, IPv6 and UNIX backends, each built on first use. */
    private final FastThreadLocal<Bootstrap[]> templates = new FastThreadLocal<>() {
        @Override
        protected Bootstrap[] initialValue() {
            return new Bootstrap[3];
        }
    };

    /** Starts connecting to {@code address} on {@code loop} (must be called from that loop). */
    public ChannelFuture connect(EventLoop loop, SocketAddress address) {
        assert loop.inEventLoop();
        boolean unix = address instanceof DomainSocketAddress;
        Bootstrap[] perLoop = templates.get();
        int slot = unix ? 2 : address instanceof InetSocketAddress inet && inet.getAddress() instanceof Inet4Address ? 0 : 1;
        Bootstrap template = perLoop[slot];
        if (template == null || template.config().group() != loop) {
            template = newTemplate(loop, address, unix);
            perLoop[slot] = template;
        }
        return template.connect(address);
    }

    /**
     * Keeps {@code backend} open for writing after its node half-closes (its end of input then fires
     * a {@code ChannelInputShutdownEvent} instead of closing it). Call before it reads.
     */
    public static void allowHalfClosure(Channel backend) {
        backend.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
    }

    private Bootstrap newTemplate(EventLoop loop, SocketAddress address, boolean unix) {
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channelFactory(transport.clientChannel(address))
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, false)
                .handler(Placeholder.INSTANCE);
        // TCP_NODELAY: already Netty's default for TCP channels, not set again (a syscall per connect)
        // No resolver: addresses are resolved off the event loops when nodes are created.
        return bootstrap.disableResolver();
    }
}
