package io.corerouter.subscription;

import io.corerouter.core.config.Endpoint;
import io.corerouter.core.log.RateLimitedLog;
import io.corerouter.core.transport.Transport;
import io.corerouter.subscription.codec.InvalidSubscriptionException;
import io.corerouter.subscription.codec.SubscriptionPacket;
import io.corerouter.subscription.codec.SubscriptionPacketParser;
import io.corerouter.subscription.table.SubscriptionCounters;
import io.corerouter.subscription.table.SubscriptionTable;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.AddressedEnvelope;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The receiving end of {@code --R-subscription-server ADDR} (spec §2.1): UDP {@code host:port} or a
 * UNIX datagram path, one packet per datagram, no reply. Every datagram is decoded whole or rejected
 * whole ({@link SubscriptionPacketParser}), then applied to the router's table on the subscription
 * thread (the event loop this server runs on), then handed to the forwarder when accepted (spec
 * §2.11).
 *
 * <p>Hostile traffic (issue 15): with {@code --subscription-allow}, a datagram from a UDP source
 * outside the listed networks is dropped before it is parsed (UNIX datagram sockets are governed by
 * their file permissions, every sender is read). Every datagram is counted in the table's
 * {@link SubscriptionCounters}: read, then applied or dropped with its reason. Drops are logged at
 * most once per {@value #LOG_INTERVAL_SECONDS} s per kind (source / malformed / refused), so a flood
 * cannot fill the log. The socket asks for a {@value #SOCKET_RECEIVE_BUFFER}-byte kernel receive
 * buffer (capped by {@code net.core.rmem_max}), so a burst waits in the kernel instead of being
 * dropped there, and the event loop reads {@value #MAX_MESSAGES_PER_READ} datagrams per wake-up.
 *
 * <p>Reload: sockets are {@linkplain #bind bound} and {@linkplain #unbind closed} while the others keep
 * reading; the allow list and the forwarder are volatile fields read once per datagram.
 */
public final class SubscriptionServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SubscriptionServer.class.getName());
    static final long LOG_INTERVAL_SECONDS = 5;
    /**
     * Receive buffer per datagram: larger than the 4096-byte limit, so an oversize datagram shows
     * as oversize (the kernel truncates it to this) instead of passing truncated.
     */
    static final int RECEIVE_BUFFER = 8192;
    /**
     * SO_RCVBUF asked for: room for thousands of queued announces while the thread is busy (the
     * kernel caps it at {@code net.core.rmem_max}; Linux's default cap is about 208 KB).
     */
    static final int SOCKET_RECEIVE_BUFFER = 4 << 20;
    /** Datagrams read per wake-up of the event loop (Netty's default for datagram channels is 16). */
    static final int MAX_MESSAGES_PER_READ = 64;
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private final String routerName;
    private final SubscriptionTable table;
    private final Transport transport;
    private final EventLoop loop;
    /** Receives every accepted packet, or null; replaced by a reload ({@link #forwarder(Consumer)}). */
    private volatile Consumer<SubscriptionPacket> forwarder;
    /** Read once per datagram for the allow list; replaced by a reload ({@link #options(SubscriptionOptions)}). */
    private volatile SubscriptionOptions options;
    private final SubscriptionCounters counters;
    /** The bound sockets by endpoint, in bind order; replaced whole (binds and closes come from one thread). */
    private volatile Map<Endpoint, Channel> channels = Map.of();
    private final RateLimitedLog sourceLog;
    private final RateLimitedLog malformedLog;
    private final RateLimitedLog refusedLog;
    private final Handler handler = new Handler();

    /**
     * A server that reads every source.
     *
     * @param loop      the subscription thread: the table's structural changes run here
     * @param forwarder receives every accepted packet (re-subscription), or null
     */
    public SubscriptionServer(String routerName, SubscriptionTable table, Transport transport, EventLoop loop,
            Consumer<SubscriptionPacket> forwarder) {
        this(routerName, table, SubscriptionOptions.DEFAULTS, transport, loop, forwarder);
    }

    /**
     * @param options   the allow list ({@code --subscription-allow}) is read from here
     * @param loop      the subscription thread: the table's structural changes run here
     * @param forwarder receives every accepted packet (re-subscription), or null
     */
    public SubscriptionServer(String routerName, SubscriptionTable table, SubscriptionOptions options,
            Transport transport, EventLoop loop, Consumer<SubscriptionPacket> forwarder) {
        this.routerName = routerName;
        this.table = table;
        this.options = options;
        this.counters = table.counters();
        this.transport = transport;
        this.loop = loop;
        this.forwarder = forwarder;
        long interval = TimeUnit.SECONDS.toNanos(LOG_INTERVAL_SECONDS);
        this.sourceLog = new RateLimitedLog(LOG, Level.WARNING, interval, System::nanoTime);
        this.malformedLog = new RateLimitedLog(LOG, Level.WARNING, interval, System::nanoTime);
        this.refusedLog = new RateLimitedLog(LOG, Level.WARNING, interval, System::nanoTime);
    }

    /**
     * Binds {@code endpoint}: a {@link Endpoint.Kind#TCP TCP} endpoint as UDP, a path or
     * {@code @name} as a UNIX datagram socket. Blocks until bound (start-up or reload, never on the
     * subscription thread).
     *
     * @return the channel (the one bound before if {@code endpoint} is bound already); its local
     *         address tells the port when 0 was asked
     */
    public Channel bind(Endpoint endpoint) throws Exception {
        Channel already = channels.get(endpoint);
        if (already != null) {
            return already; // the same endpoint given twice: one socket
        }
        if (endpoint.kind() == Endpoint.Kind.UNIX) {
            removeStaleSocket(Path.of(endpoint.path()));
        }
        SocketAddress address = endpoint.toSocketAddress();
        Channel channel = new Bootstrap()
                .group(loop)
                .channelFactory(transport.datagramChannel(address))
                .option(ChannelOption.RECVBUF_ALLOCATOR,
                        new FixedRecvByteBufAllocator(RECEIVE_BUFFER).maxMessagesPerRead(MAX_MESSAGES_PER_READ))
                .option(ChannelOption.SO_RCVBUF, SOCKET_RECEIVE_BUFFER)
                .handler(handler)
                .bind(address).sync().channel();
        Map<Endpoint, Channel> next = new LinkedHashMap<>(channels);
        next.put(endpoint, channel);
        channels = Collections.unmodifiableMap(next);
        LOG.info(() -> routerName + " subscription server bound on " + endpoint.name() + " (" + channel.localAddress()
                + ")");
        return channel;
    }

    /**
     * Removes a socket file left by a previous run, as uWSGI does before binding a datagram path;
     * anything that is not a socket is left alone (and the bind fails).
     */
    private static void removeStaleSocket(Path path) throws IOException {
        try {
            int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            if ((mode & S_IFMT) == S_IFSOCK) {
                Files.delete(path);
            }
        } catch (NoSuchFileException | UnsupportedOperationException e) {
            // nothing there, or no unix attributes: let the bind decide
        }
    }

    /** The bound channels, in bind order. */
    public List<Channel> channels() {
        return List.copyOf(channels.values());
    }

    /** The endpoints bound, in bind order. */
    public List<Endpoint> endpoints() {
        return List.copyOf(channels.keySet());
    }

    /**
     * Closes the socket bound for {@code endpoint} (a reload removed it); the table and the nodes that
     * announced there stay, and expire after the tolerance unless they announce elsewhere. Blocks
     * until closed; never on the subscription thread.
     *
     * @return whether such a socket was bound
     */
    public boolean unbind(Endpoint endpoint) {
        Map<Endpoint, Channel> next = new LinkedHashMap<>(channels);
        Channel channel = next.remove(endpoint);
        if (channel == null) {
            return false;
        }
        channels = Collections.unmodifiableMap(next);
        channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        LOG.info(() -> routerName + " subscription server closed on " + endpoint.name());
        return true;
    }

    /** Reads datagrams with {@code next}'s allow list from the next datagram on (reload). */
    public void options(SubscriptionOptions next) {
        this.options = next;
    }

    /** Forwards accepted packets to {@code next} (or nowhere: null) from the next datagram on (reload). */
    public void forwarder(Consumer<SubscriptionPacket> next) {
        this.forwarder = next;
    }

    /** Datagrams rejected as malformed. */
    public long malformed() {
        return counters.droppedCount(SubscriptionCounters.Drop.MALFORMED);
    }

    /** Packets that ended with {@code outcome}. */
    public long count(SubscriptionTable.Outcome outcome) {
        return switch (outcome) {
            case NEW_NODE -> counters.newNodes();
            case REFRESHED -> counters.refreshed();
            case UNSUBSCRIBED -> counters.unsubscribed();
            case UNKNOWN_NODE -> counters.unknownNodes();
            default -> counters.droppedCount(outcome.drop());
        };
    }

    /** The counters of every datagram read (the table's). */
    public SubscriptionCounters counters() {
        return counters;
    }

    /**
     * Decodes and applies one datagram; must run on the subscription thread. The datagram is not
     * released. Public for tests and benchmarks that feed datagrams without a socket.
     *
     * @param sender the datagram's source: checked against {@code --subscription-allow} when it is an
     *               IP socket address
     * @return the outcome, or null if the datagram was dropped for its source or as malformed
     */
    public SubscriptionTable.Outcome receive(ByteBuf datagram, SocketAddress sender) {
        counters.received();
        if (sender instanceof InetSocketAddress ip && !options.allows(ip.getAddress())) {
            counters.dropped(SubscriptionCounters.Drop.SOURCE);
            sourceLog.log(() -> routerName + ": dropped subscription datagram from=" + sender
                    + " reason=\"source not in " + SubscriptionOptions.ALLOW + "\"");
            return null;
        }
        SubscriptionPacket packet;
        try {
            packet = SubscriptionPacketParser.parse(datagram);
        } catch (InvalidSubscriptionException e) {
            counters.dropped(SubscriptionCounters.Drop.MALFORMED);
            malformedLog.log(() -> routerName + ": rejected subscription datagram from=" + sender + " reason=\""
                    + e.getMessage() + "\"");
            return null;
        }
        SubscriptionTable.Outcome outcome = table.apply(packet);
        Consumer<SubscriptionPacket> forward = forwarder;
        if (!outcome.accepted()) {
            refusedLog.log(() -> routerName + ": refused " + packet + " from=" + sender + " reason=" + outcome);
        } else if (forward != null) {
            forward.accept(packet);
        }
        return outcome;
    }

    @Override
    public void close() {
        Map<Endpoint, Channel> bound = channels;
        channels = Map.of();
        for (Channel channel : bound.values()) {
            channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    /** Datagrams of every bound socket, on the subscription thread. */
    @ChannelHandler.Sharable
    private final class Handler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof AddressedEnvelope<?, ?> envelope && envelope.content() instanceof ByteBuf data) {
                    receive(data, envelope.sender());
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // a datagram socket stays open: one bad read is no reason to stop listening
            LOG.log(Level.WARNING, ctx.channel() + " subscription server error", cause);
        }
    }
}
