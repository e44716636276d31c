package io.corerouter.subscription;

import io.corerouter.core.backend.Clock;
import io.corerouter.core.config.Endpoint;
import io.corerouter.core.config.RouterSubscriptionOptions;
import io.corerouter.core.transport.Transport;
import io.corerouter.subscription.table.LiteralAddress;
import io.corerouter.subscription.table.SubscriptionNode;
import io.corerouter.subscription.table.SubscriptionTable;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Everything subscription-related one router needs, created with one call whatever the router kind:
 * the table (give {@link #table()} to the router as its mapper), the subscription servers, the sweep,
 * notify acks (spec §2.10), re-subscription (spec §2.11) and cheap mode (spec §3.9).
 *
 * <p>Two steps, because the router sits between them: construct (the table exists, nothing is bound),
 * start the router with the table, then {@link #start} (servers bound, sweep scheduled). All of it runs
 * on one event loop, the subscription thread, never on the router's loops.
 *
 * <pre>{@code
 * RouterSubscriptions subs = new RouterSubscriptions("http", http.subscriptions(), global, transport, aux, Clock.SYSTEM);
 * HttpRouter router = new HttpRouter(http, transport, subs.table(), hostname);
 * router.start();
 * subs.start(router::firstListenerName, http.common().cheap() ? router::setAccepting : null);
 * }</pre>
 */
public final class RouterSubscriptions implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RouterSubscriptions.class.getName());

    private final String routerName;
    private final RouterSubscriptionOptions options;
    private final SubscriptionOptions global;
    private final Transport transport;
    private final EventLoop loop;
    private final SubscriptionTable table;
    private final List<String> socketNames = new ArrayList<>();
    private DatagramSender sender;
    private SubscriptionServer server;
    private ScheduledFuture<?> sweep;
    private volatile boolean cheap;

    /**
     * Creates the table; binds nothing.
     *
     * @param routerName the router kind, for logs ({@code http})
     * @param loop       the subscription thread
     */
    public RouterSubscriptions(String routerName, RouterSubscriptionOptions options, SubscriptionOptions global,
            Transport transport, EventLoop loop, Clock clock) {
        this.routerName = routerName;
        this.options = options;
        this.global = global;
        this.transport = transport;
        this.loop = loop;
        this.table = new SubscriptionTable(routerName, global, options.fallbackKey(), clock, loop);
        table.defaultProtocol(options.protocol());
        options.servers().forEach(e -> socketNames.add(e.name()));
    }

    /** The router's mapper and the {@code "subscriptions"} stats source. */
    public SubscriptionTable table() {
        return table;
    }

    /**
     * Binds the subscription servers, opens the sender for notify acks and forwarded packets, and
     * schedules the sweep. Blocking: start-up only.
     *
     * @param announcedAddress the router's node address for {@code --R-resubscribe} (its first listener)
     * @param accepting        pauses ({@code false}) and resumes the router's listeners for cheap mode;
     *                         null when the router is not cheap
     */
    public void start(Supplier<String> announcedAddress, Consumer<Boolean> accepting) throws Exception {
        InetSocketAddress bind = null;
        if (options.resubscribeBind().isPresent()) {
            bind = (InetSocketAddress) options.resubscribeBind().get().toSocketAddress();
        }
        sender = DatagramSender.open(transport, loop, bind);
        table.addListener(new SubscriptionTable.Listener() {
            @Override
            public void nodeAdded(SubscriptionNode node) {
                acknowledge(node);
            }

            @Override
            public void availabilityChanged(boolean available) {
                if (accepting != null) {
                    cheap = !available;
                    LOG.info(() -> routerName + (available ? ": leaving cheap mode..."
                            : ": no more nodes available. Going cheap..."));
                    accepting.accept(available);
                }
            }
        });
        cheap = accepting != null && !table.isAvailable();
        Resubscriber forwarder = null;
        if (!options.resubscribe().isEmpty()) {
            List<SocketAddress> targets = new ArrayList<>();
            for (Endpoint target : options.resubscribe()) {
                targets.add(target.toSocketAddress());
            }
            forwarder = new Resubscriber(sender, targets, announcedAddress);
        }
        server = new SubscriptionServer(routerName, table, global, transport, loop, forwarder);
        for (Endpoint endpoint : options.servers()) {
            server.bind(endpoint);
        }
        long interval = SubscriptionTable.sweepIntervalMillis();
        sweep = loop.scheduleAtFixedRate(table.sweepTask(), interval, interval, TimeUnit.MILLISECONDS);
    }

    /** {@code [subscription ack] KEY => new node: ADDR} to the node's notify path (spec §2.10). */
    private void acknowledge(SubscriptionNode node) {
        String path = node.notifyPath();
        if (path == null || sender == null) {
            return;
        }
        SocketAddress to = LiteralAddress.resolve(path);
        if (to == null) {
            return;
        }
        String text = "[subscription ack] " + node.key() + " => new node: " + node.name();
        ByteBuf out = ByteBufAllocator.DEFAULT.buffer(text.length());
        // the key and address are raw bytes as ISO-8859-1 chars: written back byte for byte
        ByteBufUtil.writeAscii(out, text);
        sender.send(out, to);
    }

    /** The socket names for stats: every subscription server as configured. */
    public List<String> socketNames() {
        return List.copyOf(socketNames);
    }

    /** Whether the router is paused for lack of nodes (stats {@code cheap}). */
    public boolean isCheap() {
        return cheap;
    }

    /** The server (for its bound channels and counters), null before {@link #start}. */
    public SubscriptionServer server() {
        return server;
    }

    /** The bound subscription sockets. */
    public List<Channel> channels() {
        return server == null ? List.of() : server.channels();
    }

    @Override
    public void close() {
        if (sweep != null) {
            sweep.cancel(false);
        }
        if (server != null) {
            server.close();
        }
        if (sender != null) {
            sender.close();
        }
    }
}
