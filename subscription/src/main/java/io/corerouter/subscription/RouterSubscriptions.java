package io.corerouter.subscription;

import io.corerouter.core.backend.Clock;
import io.corerouter.core.config.Endpoint;
import io.corerouter.core.config.RouterOptionNames;
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
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
 * <p>Reload (SIGHUP): {@link #reconfigure} applies new global options, {@link #reload} new router
 * options (servers bound first, then {@link Reload#commit}: removed servers closed, the rest swapped
 * in). The table and its nodes stay through both (docs/reload.md, docs/subscriptions.md).
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

    /** How long a reload waits for the subscription thread to take new options. */
    private static final long APPLY_TIMEOUT_SECONDS = 10;

    private final String routerName;
    /** The router's options in force: those it started with, then each reload's. Reload thread only. */
    private RouterSubscriptionOptions options;
    /** The global options in force (start, then {@link #reconfigure}). Reload thread only. */
    private SubscriptionOptions global;
    private final Transport transport;
    private final EventLoop loop;
    private final SubscriptionTable table;
    /** Every subscription server as configured, for stats; replaced whole by a reload. */
    private volatile List<String> socketNames;
    /** Read by notify acks on the subscription thread; replaced by a reload of {@code --R-resubscribe-bind}. */
    private volatile DatagramSender sender;
    private SubscriptionServer server;
    private Supplier<String> announcedAddress;
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
        this.socketNames = names(options);
    }

    private static List<String> names(RouterSubscriptionOptions options) {
        return options.servers().stream().map(Endpoint::name).distinct().toList();
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
        this.announcedAddress = announcedAddress;
        server = new SubscriptionServer(routerName, table, global, transport, loop,
                forwarder(options, sender, announcedAddress));
        for (Endpoint endpoint : options.servers()) {
            server.bind(endpoint);
        }
        long interval = SubscriptionTable.sweepIntervalMillis();
        sweep = loop.scheduleAtFixedRate(table.sweepTask(), interval, interval, TimeUnit.MILLISECONDS);
    }

    /** Forwards accepted packets to {@code --R-resubscribe} through {@code sender} (spec §2.11), or null. */
    private static Resubscriber forwarder(RouterSubscriptionOptions options, DatagramSender sender,
            Supplier<String> announcedAddress) throws UnknownHostException {
        if (options.resubscribe().isEmpty()) {
            return null;
        }
        List<SocketAddress> targets = new ArrayList<>();
        for (Endpoint target : options.resubscribe()) {
            targets.add(target.toSocketAddress());
        }
        return new Resubscriber(sender, targets, announcedAddress);
    }

    /** {@code [subscription ack] KEY => new node: ADDR} to the node's notify path (spec §2.10). */
    private void acknowledge(SubscriptionNode node) {
        DatagramSender sender = this.sender;
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
        return socketNames;
    }

    /** The router's subscription options in force. */
    public RouterSubscriptionOptions options() {
        return options;
    }

    /** The global subscription options in force. */
    public SubscriptionOptions global() {
        return global;
    }

    /**
     * Applies new global options ({@code --subscription-*}, SIGHUP) to the table and the servers: see
     * {@link SubscriptionTable#reconfigure}; the allow list holds from the next datagram. Blocks until
     * the subscription thread has them (reload thread only).
     */
    public void reconfigure(SubscriptionOptions next) throws Exception {
        table.reconfigure(next, options.fallbackKey(), options.protocol()).get(APPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (server != null) {
            server.options(next);
        }
        global = next;
    }

    /**
     * Starts a reload of the router's subscription options (SIGHUP): binds the subscription servers
     * that were added and, when {@code --R-resubscribe-bind} changed, opens a sender from the new
     * address. Nothing else changes yet; {@link Reload#commit} makes it take effect, {@link Reload#rollback}
     * closes what this bound. Blocking, reload thread only, after {@link #start}.
     *
     * @throws Exception naming the option and address that cannot be bound; nothing changed
     */
    public Reload reload(RouterSubscriptionOptions next) throws Exception {
        if (server == null) {
            throw new IllegalStateException(routerName + ": subscriptions not started");
        }
        if (!next.enabled()) {
            throw new IllegalArgumentException(routerName + ": a reload cannot remove every subscription server");
        }
        return new Reload(next);
    }

    /** A reload of the router's subscription options in preparation ({@link #reload}). */
    public final class Reload {
        private final RouterSubscriptionOptions next;
        private final RouterOptionNames names = new RouterOptionNames(routerName);
        private final List<Endpoint> added = new ArrayList<>();
        private final List<Endpoint> removed = new ArrayList<>();
        private DatagramSender newSender;
        private Resubscriber nextForwarder;

        private Reload(RouterSubscriptionOptions next) throws Exception {
            this.next = next;
            List<Endpoint> bound = server.endpoints();
            for (Endpoint endpoint : bound) {
                if (!next.servers().contains(endpoint)) {
                    removed.add(endpoint);
                }
            }
            try {
                for (Endpoint endpoint : next.servers()) {
                    if (!bound.contains(endpoint) && !added.contains(endpoint)) {
                        bind(endpoint);
                    }
                }
                if (!next.resubscribeBind().equals(options.resubscribeBind())) {
                    try {
                        InetSocketAddress source = next.resubscribeBind().isEmpty() ? null
                                : (InetSocketAddress) next.resubscribeBind().get().toSocketAddress();
                        newSender = DatagramSender.open(transport, loop, source);
                    } catch (Exception e) {
                        throw new IllegalStateException("--" + names.resubscribeBind() + " "
                                + next.resubscribeBind().map(Endpoint::name).orElse("any") + ": " + message(e), e);
                    }
                }
                try {
                    nextForwarder = forwarder(next, newSender != null ? newSender : sender, announcedAddress);
                } catch (UnknownHostException e) {
                    throw new IllegalStateException("--" + names.resubscribe() + ": " + message(e), e);
                }
            } catch (Exception e) {
                rollback();
                throw e;
            }
        }

        private void bind(Endpoint endpoint) throws Exception {
            try {
                server.bind(endpoint);
            } catch (Exception e) {
                throw new IllegalStateException("--" + names.subscriptionServer() + " " + endpoint.name()
                        + ": unable to bind: " + message(e), e);
            }
            added.add(endpoint);
        }

        /** Closes what this reload bound: the router's subscriptions stay as they were. */
        public void rollback() {
            for (Endpoint endpoint : added) {
                server.unbind(endpoint);
            }
            added.clear();
            if (newSender != null) {
                newSender.close();
                newSender = null;
            }
        }

        /**
         * Makes the new options take effect: the table takes the fallback key and the protocol, the
         * forwarder its targets and source, the removed servers are closed (their nodes stay in the
         * table and expire after the tolerance unless they announce to another server).
         *
         * @return one report item per change ({@code +http-subscription-server ADDR}, {@code http-resubscribe=[...]})
         */
        public List<String> commit() throws Exception {
            List<String> items = new ArrayList<>();
            added.forEach(e -> items.add("+" + names.subscriptionServer() + " " + e.name()));
            removed.forEach(e -> items.add("-" + names.subscriptionServer() + " " + e.name()));
            if (!next.fallbackKey().equals(options.fallbackKey())) {
                items.add(names.subscriptionFallbackKey()
                        + next.fallbackKey().map(k -> "=" + new String(k.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8)).orElse(" off"));
            }
            if (!next.protocol().equals(options.protocol())) {
                items.add(names.subscriptionProtocol() + "=" + next.protocol().name().toLowerCase(Locale.ROOT));
            }
            if (!next.resubscribe().equals(options.resubscribe())) {
                items.add(names.resubscribe() + "=" + next.resubscribe().stream().map(Endpoint::name).toList());
            }
            if (!next.resubscribeBind().equals(options.resubscribeBind())) {
                items.add(names.resubscribeBind() + next.resubscribeBind().map(e -> "=" + e.name()).orElse(" off"));
            }
            table.reconfigure(global, next.fallbackKey(), next.protocol()).get(APPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            DatagramSender old = null;
            if (newSender != null) {
                old = sender;
                sender = newSender;
                newSender = null;
            }
            server.forwarder(nextForwarder);
            socketNames = names(next);
            options = next;
            for (Endpoint endpoint : removed) {
                server.unbind(endpoint);
            }
            if (old != null) {
                // a packet being handled may still forward through the old sender: close it after that
                loop.submit(() -> { }).awaitUninterruptibly(APPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                old.close();
            }
            return items;
        }
    }

    private static String message(Throwable e) {
        return e.getMessage() != null ? e.getMessage() : e.toString();
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
