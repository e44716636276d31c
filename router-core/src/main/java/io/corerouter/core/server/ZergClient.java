package io.corerouter.core.server;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.DomainSocketReadMode;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import io.netty.channel.unix.UnixChannelOption;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Attaches to a uWSGI zerg server (spec §7.1): connect to its UNIX socket, receive one message of 14
 * bytes ({@code uwsgi-zerg} + a native-endian int32 count) carrying the listening sockets as
 * {@code SCM_RIGHTS}, and hand them back as {@link ZergSocket}s to serve.
 *
 * <p>JNI-free: Netty's epoll domain socket in {@link DomainSocketReadMode#FILE_DESCRIPTORS} mode
 * receives descriptors with {@code recvmsg}. That native call has room for <em>one</em> descriptor and
 * one payload byte per message, so:
 * <ul>
 *   <li>the first payload byte ({@code u}) is consumed with the descriptor and cannot be checked; the
 *       channel then switches to byte mode and checks the other 13 ({@code wsgi-zerg} + count);</li>
 *   <li>a zerg server that passes more than one socket (a {@code --zerg-pool} with several
 *       addresses, a {@code --zerg-server} with several sockets) is refused with a clear error: the
 *       kernel drops descriptors beyond the first. Run one pool per address instead.</li>
 * </ul>
 * Each received descriptor is checked to be a listening stream socket ({@code SO_ACCEPTCONN},
 * {@code SO_TYPE}); {@code SO_DOMAIN} tells TCP from UNIX.
 *
 * <p>Blocking: call at start-up, not on an event loop. uWSGI waits 30 s for the server and exits the
 * whole instance on failure; so does the launcher.
 */
public final class ZergClient {
    /** The payload magic (spec §7.1). */
    public static final String MAGIC = "uwsgi-zerg";
    /** Payload size: the magic and an int32 count. */
    public static final int PAYLOAD_LENGTH = MAGIC.length() + Integer.BYTES;

    private static final int SOL_SOCKET = 1;
    private static final int SO_TYPE = 3;
    private static final int SO_ACCEPTCONN = 30;
    private static final int SO_DOMAIN = 39;
    private static final int SOCK_STREAM = 1;
    private static final int AF_UNIX = 1;

    private ZergClient() {
    }

    /**
     * Connects to the zerg server on {@code path} using {@code group} (an epoll group) and receives its
     * listening socket.
     *
     * @throws IOException naming {@code path} and what went wrong: refused, not a zerg server, more
     *     than one socket, not a listening socket, or no answer within {@code timeout}
     */
    public static ZergSocket attach(String path, EventLoopGroup group, Duration timeout)
            throws IOException, InterruptedException {
        CompletableFuture<ZergSocket> result = new CompletableFuture<>();
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(EpollDomainSocketChannel.class)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
                .option(UnixChannelOption.DOMAIN_SOCKET_READ_MODE, DomainSocketReadMode.FILE_DESCRIPTORS)
                .handler(new Receiver(path, result));
        ChannelFuture connect = bootstrap.connect(new DomainSocketAddress(path));
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                result.completeExceptionally(new IOException("unable to connect to zerg server " + path + ": "
                        + f.cause().getMessage(), f.cause()));
            }
        });
        try {
            return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof IOException io ? io : new IOException("zerg server " + path + ": " + cause, cause);
        } catch (TimeoutException e) {
            throw new IOException("zerg server " + path + " sent no socket within " + timeout.toSeconds() + "s");
        } finally {
            Channel channel = connect.channel();
            channel.close();
        }
    }

    /** Collects the descriptor then the payload, and checks both when the server closes. */
    private static final class Receiver extends ChannelInboundHandlerAdapter {
        private final String path;
        private final CompletableFuture<ZergSocket> result;
        private final ByteBuf payload = Unpooled.buffer(PAYLOAD_LENGTH);
        private int fd = -1;

        Receiver(String path, CompletableFuture<ZergSocket> result) {
            this.path = path;
            this.result = result;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.read();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof FileDescriptor descriptor) {
                if (fd < 0) {
                    fd = descriptor.intValue();
                    // the rest of the payload is plain bytes
                    ctx.channel().config().setOption(UnixChannelOption.DOMAIN_SOCKET_READ_MODE, DomainSocketReadMode.BYTES);
                } else {
                    closeQuietly(descriptor);
                }
                return;
            }
            try {
                if (msg instanceof ByteBuf bytes) {
                    payload.writeBytes(bytes, bytes.readerIndex(), Math.min(bytes.readableBytes(), payload.writableBytes()));
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (!result.isDone()) {
                ctx.read();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail("reading from zerg server " + path + " failed: " + cause.getMessage()
                    + (fd < 0 ? " (zerg servers that pass more than one socket cannot be attached: run one --zerg-pool per address)" : ""));
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (result.isDone()) {
                return;
            }
            if (fd < 0) {
                fail("zerg server " + path + " passed no socket (no SCM_RIGHTS descriptor; is it a zerg server, "
                        + "and does it pass exactly one socket?)");
                return;
            }
            // the first payload byte went with the descriptor: the rest is "wsgi-zerg" + count
            String magicTail = MAGIC.substring(1);
            if (payload.readableBytes() != PAYLOAD_LENGTH - 1
                    || !payload.toString(0, magicTail.length(), StandardCharsets.US_ASCII).equals(magicTail)) {
                fail("zerg server " + path + " sent an unexpected payload (expected: " + MAGIC + " + count)");
                return;
            }
            int count = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN
                    ? payload.getIntLE(magicTail.length()) : payload.getInt(magicTail.length());
            if (count != 1) {
                fail("zerg server " + path + " passes " + count + " sockets; corerouter attaches to zerg servers "
                        + "that pass exactly one (run one --zerg-pool per address)");
                return;
            }
            try {
                result.complete(describe(fd));
            } catch (IOException e) {
                fail("zerg server " + path + ": " + e.getMessage());
            }
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            payload.release();
        }

        private void fail(String message) {
            if (fd >= 0) {
                closeQuietly(new FileDescriptor(fd));
                fd = -1;
            }
            result.completeExceptionally(new IOException(message));
        }
    }

    /** Checks that {@code fd} is a listening stream socket and names it like uWSGI (getsockname). */
    static ZergSocket describe(int fd) throws IOException {
        Socket socket = new Socket(fd);
        if (socket.getIntOpt(SOL_SOCKET, SO_TYPE) != SOCK_STREAM || socket.getIntOpt(SOL_SOCKET, SO_ACCEPTCONN) == 0) {
            throw new IOException("descriptor " + fd + " is not a listening stream socket");
        }
        if (socket.getIntOpt(SOL_SOCKET, SO_DOMAIN) == AF_UNIX) {
            DomainSocketAddress local = socket.localDomainSocketAddress();
            return new ZergSocket(fd, true, local == null ? "unix:" + fd : local.path());
        }
        InetSocketAddress local = socket.localAddress();
        String host = local.getAddress().getHostAddress();
        return new ZergSocket(fd, false, (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + local.getPort());
    }

    private static void closeQuietly(FileDescriptor descriptor) {
        try {
            descriptor.close();
        } catch (IOException e) {
            // nothing to do: it was ours only
        }
    }
}
