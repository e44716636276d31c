package io.corerouter.subscription.table;

import io.corerouter.core.config.NodeProtocol;
import io.corerouter.core.backend.BackendNode;
import io.corerouter.core.backend.Clock;
import io.corerouter.core.backend.NodeHealth;
import io.corerouter.core.backend.HealthChecker;
import io.corerouter.core.route.KeyMapper;
import io.corerouter.core.stats.JsonWriter;
import io.corerouter.core.stats.StatsSource;
import io.corerouter.subscription.SubscriptionOptions;
import io.corerouter.subscription.codec.SubscriptionPacket;
import io.corerouter.subscription.sign.SignatureCheck;
import java.net.SocketAddress;
import java.util.function.Function;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One router's subscription table (spec §2.3-2.8): keys announced by nodes, and the
 * {@link KeyMapper} that routes requests to them. Every event loop of the router shares it.
 *
 * <p>Threading: lookups ({@link #pick}) run on any event loop and take no lock: a
 * {@link ConcurrentHashMap} read, one volatile load of the key's immutable node snapshot, and atomic
 * counters. Everything that changes the structure ({@link #apply}, {@link #sweep}, removing dead
 * nodes) runs on one thread, the subscription thread given as {@code executor}; event loops that
 * find a node dead only mark it and queue its removal there.
 *
 * <p>Health (spec §2.6): a node not announced within {@code --subscription-tolerance} is marked dead
 * by the first lookup that meets it and by the periodic {@link #sweep} (deviations.md); a failed
 * connect marks it dead at once; a subscribe refresh clears the mark. A dead node leaves the table
 * when no session holds it any more, and an emptied key leaves with its last node.
 *
 * <p>Signed subscriptions (spec §2.9) are checked here because the replay rule needs the node: the
 * {@code unix} of a refresh must be newer than the node's last accepted one, which advances with
 * every accepted packet (deviations.md; uWSGI only remembers the first).
 *
 * <p>SNI (spec §5.4): with an {@link SniSink}, the first accepted subscribe carrying {@code sni_key}
 * and {@code sni_crt} for a key (new key, new node or refresh) enables a TLS context for the key's
 * host name, and freeing the key disables it, {@code host:port} keys included.
 *
 * <p>Bounds (issue 15): the table holds at most {@code --subscription-max-keys} keys of
 * {@code --subscription-max-nodes} nodes each. A packet that would add a key or a node past them is
 * refused ({@link Outcome#KEY_LIMIT}, {@link Outcome#NODE_LIMIT}) before any signature check, and
 * counted; refreshes and unsubscribes of known nodes are not affected, and the sweep keeps removing
 * silent nodes, so a flood that stops leaves nothing behind after the tolerance. Every outcome is
 * counted in {@link #counters()}; the new key / new node / failed node lines are rate-limited
 * ({@link TableEventLog}).
 */
public final class SubscriptionTable implements KeyMapper, StatsSource, HealthChecker.Targets {
    private static final Logger LOG = Logger.getLogger(SubscriptionTable.class.getName());
    /** Lookups of one request key with {@code --subscription-dotsplit}, the first one included. */
    static final int DOTSPLIT_TRIES = 5;

    /** What {@link #apply} did with a packet. */
    public enum Outcome {
        /** A node was added (and its key too if it was new). */
        NEW_NODE(true),
        /** A known node was refreshed (and resurrected if it was dead). */
        REFRESHED(true),
        /** A node was marked failed and removed, or will be once its sessions end. */
        UNSUBSCRIBED(true),
        /** An unsubscribe for a node the table does not have. */
        UNKNOWN_NODE(true),
        /** The address is not a host:port with an IP literal, a UNIX path or an @abstract name. */
        BAD_ADDRESS(false),
        /** Signatures are required and the packet has none. */
        UNSIGNED(false),
        /** The signature does not verify with the key's public key. */
        BAD_SIGNATURE(false),
        /** No readable {@code DIR/<key>.pem} for a new key. */
        NO_PUBLIC_KEY(false),
        /** {@code unix} is older than the sign-check tolerance. */
        STALE(false),
        /** {@code unix} is not newer than the node's last accepted packet: a replay. */
        REPLAYED(false),
        /** A new key while the table holds {@code --subscription-max-keys} keys. */
        KEY_LIMIT(false),
        /** A new node while its key holds {@code --subscription-max-nodes} nodes. */
        NODE_LIMIT(false);

        private final boolean accepted;

        Outcome(boolean accepted) {
            this.accepted = accepted;
        }

        /** Whether the packet was accepted (and may be forwarded, spec §2.11). */
        public boolean accepted() {
            return accepted;
        }

        /** The drop counter of a refused packet, null for an accepted one. */
        public SubscriptionCounters.Drop drop() {
            return switch (this) {
                case NEW_NODE, REFRESHED, UNSUBSCRIBED, UNKNOWN_NODE -> null;
                case BAD_ADDRESS -> SubscriptionCounters.Drop.BAD_ADDRESS;
                case UNSIGNED -> SubscriptionCounters.Drop.UNSIGNED;
                case BAD_SIGNATURE -> SubscriptionCounters.Drop.BAD_SIGNATURE;
                case NO_PUBLIC_KEY -> SubscriptionCounters.Drop.NO_PUBLIC_KEY;
                case STALE -> SubscriptionCounters.Drop.STALE;
                case REPLAYED -> SubscriptionCounters.Drop.REPLAYED;
                case KEY_LIMIT -> SubscriptionCounters.Drop.KEY_LIMIT;
                case NODE_LIMIT -> SubscriptionCounters.Drop.NODE_LIMIT;
            };
        }
    }

    /** What a router does on table events; called on the subscription thread. */
    public interface Listener {
        /** A node was created: the notify ack of spec §2.10. */
        default void nodeAdded(SubscriptionNode node) {
        }

        /**
         * The table went from empty to having a live node ({@code true}: a subscribe added or refreshed
         * one) or became empty ({@code false}): cheap mode's resume and pause (spec §3.9).
         */
        default void availabilityChanged(boolean available) {
        }
    }

    /**
     * Everything the options decide, as one immutable value: lookups and the subscription thread read
     * it once per request or packet, and a reload ({@link #reconfigure}) swaps it whole.
     *
     * @param options         the global options it was made from
     * @param balancer        {@code --subscription-algo}
     * @param fallbackKey     {@code --R-subscription-fallback-key}, or null
     * @param defaultProtocol {@code --R-subscription-protocol}
     * @param signCheck       {@code --subscriptions-sign-check}, or null
     */
    private record Settings(SubscriptionOptions options, Balancer balancer, long toleranceNanos, long toleranceSeconds,
                            String fallbackKey, NodeProtocol defaultProtocol, SignatureCheck signCheck) {
        static Settings of(SubscriptionOptions options, Optional<String> fallbackKey, NodeProtocol defaultProtocol) {
            return new Settings(options, Balancer.of(options.algo()), options.tolerance().toNanos(),
                    options.tolerance().toSeconds(), fallbackKey.orElse(null), defaultProtocol,
                    options.signCheck().map(c -> new SignatureCheck(c, options.signTolerance())).orElse(null));
        }

        Settings withProtocol(NodeProtocol protocol) {
            return new Settings(options, balancer, toleranceNanos, toleranceSeconds, fallbackKey, protocol, signCheck);
        }
    }

    private final String routerName;
    /** The options in force; replaced whole by {@link #reconfigure} on the subscription thread. */
    private volatile Settings settings;
    private final SubscriptionCounters counters = new SubscriptionCounters();
    private final TableEventLog eventLog;
    private final Clock clock;
    private final Executor executor;
    private final ConcurrentHashMap<String, SubscriptionSlot> slots = new ConcurrentHashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final Runnable sweepTask = this::sweep;
    private volatile SniSink sniSink;
    private long sequence;
    /** Whether the packet being applied created its key (subscription thread). */
    private boolean createdKey;
    private volatile boolean available;
    /**
     * The time lookups check the tolerance against, refreshed by every packet and every sweep
     * ({@link #tick}): a clock read per request would cost more than the rest of the lookup, and the
     * tolerance is counted in seconds.
     */
    private volatile long lookupNanos;

    /** Makes each node's health state, or null while checks and passive health are off. */
    private volatile Function<String, NodeHealth> healthFactory;

    /**
     * Gives every node, present and future, a health state: active checks ({@code --R-check-interval},
     * once this table is added to the router's {@link HealthChecker}) and passive health
     * ({@code --R-error-limit}) then apply to subscribed nodes as to static ones.
     */
    public void enableHealth(String router, int errorLimit, boolean quiet) {
        healthFactory = name -> new NodeHealth(router, name, errorLimit, quiet, clock);
        for (SubscriptionSlot slot : slots.values()) {
            for (SubscriptionNode node : slot.all()) {
                if (node.health() == null) {
                    node.health(healthFactory.apply(node.name()));
                }
            }
        }
    }

    /** Every subscribed node, for the router's health checks (read once per check round). */
    @Override
    public List<? extends BackendNode> checkTargets() {
        List<SubscriptionNode> all = new ArrayList<>();
        for (SubscriptionSlot slot : slots.values()) {
            all.addAll(Arrays.asList(slot.all()));
        }
        return all;
    }

    /**
     * Sets what subscribed nodes speak when their packet does not say ({@code --R-subscription-protocol});
     * nodes already in the table keep theirs. Before packets are applied, or on the subscription thread.
     */
    public void defaultProtocol(NodeProtocol protocol) {
        settings = settings.withProtocol(protocol);
    }

    /**
     * @param routerName  for logs ({@code http})
     * @param options     algorithm, tolerance, dotsplit and signature settings
     * @param fallbackKey {@code --R-subscription-fallback-key}, used when dotsplit is off (spec §2.8)
     * @param clock       time source (monotonic for the tolerance, wall clock for stats and signatures)
     * @param executor    the subscription thread: every structural change runs there
     */
    /** The packet's {@code proto}, else the scheme of its address, else the router's default. */
    private NodeProtocol protocolOf(SubscriptionPacket packet) {
        if (packet.proto() != null) {
            return NodeProtocol.ofName(packet.proto());
        }
        NodeProtocol byScheme = NodeProtocol.ofAddress(packet.address());
        return byScheme != NodeProtocol.UWSGI ? byScheme : settings.defaultProtocol();
    }

    public SubscriptionTable(String routerName, SubscriptionOptions options, Optional<String> fallbackKey,
            Clock clock, Executor executor) {
        this.routerName = routerName;
        this.settings = Settings.of(options, fallbackKey, NodeProtocol.UWSGI);
        this.clock = clock;
        this.executor = executor;
        this.lookupNanos = clock.nanoTime();
        this.eventLog = new TableEventLog(LOG, routerName, clock);
    }

    /**
     * Applies new options (SIGHUP reload) without touching the keys and nodes the table holds; runs on
     * the subscription thread, the returned future completes when they are in force. Lookups and
     * packets read the options once each, so every one of them sees either the old or the new set.
     *
     * <ul>
     * <li>{@code --subscription-algo}: the next lookup uses the new balancer. Nothing is rebuilt: every
     *     key keeps its smooth-WRR cycle whatever the algorithm (lrc and wlrc read the node list).
     * <li>{@code --subscription-tolerance}: the next lookup and sweep judge every node with it; a node
     *     silent for longer than a shorter tolerance is marked dead then.
     * <li>{@code --subscription-max-keys}, {@code --subscription-max-nodes}: only packets that would add a
     *     key or a node are checked against the new bounds; keys and nodes past a lowered bound stay
     *     (nothing is evicted) and leave as usual when their nodes stop announcing.
     * <li>{@code --subscriptions-sign-check}: from the next packet on. A key's public key is read again
     *     (from the new directory) by its next packet when the digest or the directory changed, or when
     *     checks were off; nodes that do not sign are refused from then on and expire.
     * <li>{@code --subscription-dotsplit}, {@code --R-subscription-fallback-key}: the next lookup.
     * <li>{@code --R-subscription-protocol}: nodes added from now on; nodes in the table keep theirs.
     * </ul>
     */
    public CompletableFuture<Void> reconfigure(SubscriptionOptions options, Optional<String> fallbackKey,
            NodeProtocol protocol) {
        Settings next = Settings.of(options, fallbackKey, protocol);
        CompletableFuture<Void> done = new CompletableFuture<>();
        executor.execute(() -> {
            Settings before = settings;
            if (!before.options().signCheck().equals(options.signCheck())) {
                for (SubscriptionSlot slot : slots.values()) {
                    slot.publicKey(null); // read again by the key's next packet
                }
            }
            settings = next;
            done.complete(null);
        });
        return done;
    }

    /** The global options in force (the last {@link #reconfigure}d, else those it was made with). */
    public SubscriptionOptions options() {
        return settings.options();
    }

    /** Adds a listener (before packets are applied). */
    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    /**
     * Sends the SNI contexts nodes push ({@code sni_key}, {@code sni_crt}, {@code sni_ca}) to
     * {@code sink} (spec §5.4); set before packets are applied. Without a sink they are ignored (a
     * router without TLS listeners).
     */
    public void sniSink(SniSink sink) {
        this.sniSink = sink;
    }

    // ------------------------------------------------------------------ request path

    /**
     * The node for {@code key}: exact match; with dotsplit, then its parent domains with the leading
     * dot ({@code .example.com}), 5 lookups at most; without dotsplit, then the fallback key.
     */
    @Override
    public BackendNode pick(CharSequence key) {
        String k = key instanceof String s ? s : key.toString();
        Settings now = settings;
        SubscriptionSlot slot = slots.get(k);
        if (slot == null) {
            slot = now.options().dotsplit() ? dotsplit(k) : now.fallbackKey() != null ? slots.get(now.fallbackKey()) : null;
            if (slot == null) {
                return null;
            }
        }
        slot.hit();
        return now.balancer().pick(slot, lookupNanos);
    }

    private SubscriptionSlot dotsplit(String key) {
        int from = 0;
        for (int tries = 1; tries < DOTSPLIT_TRIES; tries++) {
            int dot = key.indexOf('.', from + 1);
            if (dot < 0) {
                return null;
            }
            SubscriptionSlot slot = slots.get(key.substring(dot));
            if (slot != null) {
                return slot;
            }
            from = dot;
        }
        return null;
    }

    // ------------------------------------------------------------------ subscription thread

    /**
     * Applies one decoded packet (spec §2.4, §2.5). Subscription thread only.
     *
     * @return what happened; nothing changed unless {@link Outcome#accepted()}
     */
    public Outcome apply(SubscriptionPacket packet) {
        tick();
        createdKey = false;
        Outcome outcome = packet.unsubscribe() ? unsubscribe(packet) : subscribe(packet);
        counters.count(outcome, createdKey);
        return outcome;
    }

    private Outcome subscribe(SubscriptionPacket packet) {
        Settings now = settings;
        SignatureCheck signCheck = now.signCheck();
        long nowEpoch = clock.epochSeconds();
        SubscriptionSlot slot = slots.get(packet.key());
        if (slot != null && slot.isRemoved()) {
            slot = null;
        }
        SubscriptionNode node = slot == null ? null : slot.find(packet.address());
        // the bounds first: refusing costs nothing, a signature check costs an RSA verify
        if (node == null) {
            if (slot == null ? slots.size() >= now.options().maxKeys() : slot.all().length >= now.options().maxNodes()) {
                return slot == null ? Outcome.KEY_LIMIT : Outcome.NODE_LIMIT;
            }
        }
        PublicKey newSlotKey = null;
        if (signCheck != null) {
            if (!packet.signed()) {
                return Outcome.UNSIGNED;
            }
            if (slot == null) {
                if (!signCheck.fresh(packet.unix(), nowEpoch)) {
                    return Outcome.STALE;
                }
                try {
                    newSlotKey = signCheck.loadKey(packet.key());
                } catch (Exception e) {
                    LOG.log(Level.FINE, () -> routerName + ": no public key for key=" + packet.key() + ": " + e);
                    return Outcome.NO_PUBLIC_KEY;
                }
                if (!signCheck.verify(newSlotKey, packet)) {
                    return Outcome.BAD_SIGNATURE;
                }
            } else {
                PublicKey slotKey = publicKey(slot, signCheck);
                if (slotKey == null) {
                    return Outcome.NO_PUBLIC_KEY;
                }
                if (!signCheck.verify(slotKey, packet)) {
                    return Outcome.BAD_SIGNATURE;
                }
                if (node != null ? packet.unix() <= node.unixCheck() : !signCheck.fresh(packet.unix(), nowEpoch)) {
                    return node != null ? Outcome.REPLAYED : Outcome.STALE;
                }
            }
        }
        long nowNanos = clock.nanoTime();
        long weight = packet.effectiveWeight();
        Outcome outcome;
        if (node != null) {
            boolean wasDead = node.isDead();
            boolean reweighted = node.weight() != weight;
            node.refresh(nowNanos, nowEpoch, packet.cores(), packet.load(), weight);
            if (wasDead || reweighted) {
                rebuild(slot);
            }
            outcome = Outcome.REFRESHED;
        } else {
            SocketAddress address = LiteralAddress.resolve(packet.address());
            if (address == null) {
                return Outcome.BAD_ADDRESS;
            }
            if (slot == null) {
                slot = new SubscriptionSlot(packet.key(), sequence++, newSlotKey);
                slots.put(slot.key(), slot);
                createdKey = true;
                SubscriptionSlot created = slot;
                eventLog.log(TableEventLog.Event.NEW_KEY,
                        () -> routerName + ": new pool key=" + display(created.key()) + " hash=" + created.hash());
            }
            node = new SubscriptionNode(this, slot, packet.address(), address, packet.modifier1(), packet.modifier2(),
                    packet.notifyPath(), protocolOf(packet));
            Function<String, NodeHealth> makeHealth = healthFactory;
            if (makeHealth != null) {
                node.health(makeHealth.apply(packet.address()));
            }
            node.refresh(nowNanos, nowEpoch, packet.cores(), packet.load(), weight);
            SubscriptionNode[] old = slot.all();
            SubscriptionNode[] all = Arrays.copyOf(old, old.length + 1);
            all[old.length] = node;
            publish(slot, all);
            SubscriptionNode added = node;
            eventLog.log(TableEventLog.Event.NEW_NODE,
                    () -> routerName + ": new node key=" + display(added.key()) + " node=" + display(added.name()));
            for (Listener listener : listeners) {
                listener.nodeAdded(node);
            }
            outcome = Outcome.NEW_NODE;
        }
        if (packet.signed()) {
            node.unixCheck(packet.unix());
        }
        if (slot.sniName() == null && packet.sniKey() != null && packet.sniCrt() != null && sniSink != null) {
            enableSni(slot, packet);
        }
        setAvailable(true);
        return outcome;
    }

    /**
     * The slot's public key, read now if the slot has none: its key was announced while signatures
     * were off or checked against another directory ({@link #reconfigure}). Null when unreadable.
     */
    private PublicKey publicKey(SubscriptionSlot slot, SignatureCheck signCheck) {
        PublicKey key = slot.publicKey();
        if (key == null) {
            try {
                key = signCheck.loadKey(slot.key());
            } catch (Exception e) {
                LOG.log(Level.FINE, () -> routerName + ": no public key for key=" + slot.key() + ": " + e);
                return null;
            }
            slot.publicKey(key);
        }
        return key;
    }

    private Outcome unsubscribe(SubscriptionPacket packet) {
        SubscriptionSlot slot = slots.get(packet.key());
        SubscriptionNode node = slot == null || slot.isRemoved() ? null : slot.find(packet.address());
        if (node == null) {
            return Outcome.UNKNOWN_NODE;
        }
        SignatureCheck signCheck = settings.signCheck();
        if (signCheck != null) {
            // uWSGI checks only the signature of an unsubscribe, no unix rule (spec §2.9)
            if (!packet.signed()) {
                return Outcome.UNSIGNED;
            }
            PublicKey slotKey = publicKey(slot, signCheck);
            if (slotKey == null) {
                return Outcome.NO_PUBLIC_KEY;
            }
            if (!signCheck.verify(slotKey, packet)) {
                return Outcome.BAD_SIGNATURE;
            }
        }
        node.markDead("unsubscribed");
        maintain(slot);
        return Outcome.UNSUBSCRIBED;
    }

    /**
     * The periodic sweep (deviations.md): marks every node past the tolerance dead and removes dead
     * nodes no session holds. Subscription thread only.
     */
    public void sweep() {
        long now = tick();
        eventLog.flush(now);
        for (SubscriptionSlot slot : slots.values()) {
            for (SubscriptionNode node : slot.all()) {
                node.isAvailable(now); // marks an expired node dead
            }
            maintain(slot);
        }
    }

    /**
     * Moves the lookups' notion of now to the clock's (done by every packet and sweep, so at least
     * once a second in a running router).
     *
     * @return the new time
     */
    public long tick() {
        long now = clock.nanoTime();
        lookupNanos = now;
        return now;
    }

    /** A task that runs {@link #sweep}, for the subscription thread's scheduler. */
    public Runnable sweepTask() {
        return sweepTask;
    }

    /** Queues {@link #maintain} of {@code slot} on the subscription thread (from any thread, once per burst). */
    void requestMaintenance(SubscriptionSlot slot) {
        if (slot.claimMaintenance()) {
            executor.execute(() -> {
                slot.maintenanceStarted();
                maintain(slot);
            });
        }
    }

    /** Removes the slot's dead nodes no session holds, rebuilds its cycle, removes it when empty. */
    private void maintain(SubscriptionSlot slot) {
        if (slot.isRemoved()) {
            return;
        }
        SubscriptionNode[] all = slot.all();
        List<SubscriptionNode> kept = new ArrayList<>(all.length);
        for (SubscriptionNode node : all) {
            if (!node.isRemovable()) {
                kept.add(node);
            }
        }
        if (kept.isEmpty()) {
            slot.markRemoved();
            slots.remove(slot.key(), slot);
            disableSni(slot);
            if (slots.isEmpty()) {
                setAvailable(false);
            }
            return;
        }
        publish(slot, kept.toArray(new SubscriptionNode[0]));
    }

    /**
     * Asks the sink for the packet's SNI context (spec §5.4). The slot counts as having SNI from now
     * on, so refreshes do not ask again; a failed build gives that up and the next packet retries.
     */
    private void enableSni(SubscriptionSlot slot, SubscriptionPacket packet) {
        SniSink sink = sniSink;
        String name = sniName(slot.key());
        slot.sniName(name);
        CompletionStage<Void> built;
        try {
            // the vars are raw bytes; file names are UTF-8 on the file systems this runs on
            built = sink.enable(name, display(packet.sniCrt()), display(packet.sniKey()),
                    packet.sniCa() == null ? null : display(packet.sniCa()));
        } catch (RuntimeException e) {
            built = CompletableFuture.failedFuture(e);
        }
        built.whenComplete((ok, failure) -> executor.execute(() -> sniSettled(sink, slot, name, failure)));
    }

    /** The outcome of {@link #enableSni}, on the subscription thread. */
    private void sniSettled(SniSink sink, SubscriptionSlot slot, String name, Throwable failure) {
        if (slot.isRemoved()) {
            return; // disabled with the slot meanwhile
        }
        if (failure == null) {
            slot.sniEnabled(true);
            LOG.info(() -> routerName + ": added SSL context for " + name + " key=" + display(slot.key()));
        } else {
            slot.sniName(null);
            sink.disable(name);
            LOG.warning(() -> routerName + ": SSL context for " + name + " not added key=" + display(slot.key())
                    + " error=\"" + rootMessage(failure) + "\"");
        }
    }

    /** Frees the SNI context of a slot that just left the table, if it asked for one. */
    private void disableSni(SubscriptionSlot slot) {
        String name = slot.sniName();
        if (name == null) {
            return;
        }
        boolean enabled = slot.sniEnabled();
        slot.sniName(null);
        sniSink.disable(name);
        if (enabled) {
            LOG.info(() -> routerName + ": destroyed SSL context for " + name + " key=" + display(slot.key()));
        }
    }

    /** The host name of a key's SNI context: the key up to its first ':' (spec §5.4), as text. */
    static String sniName(String key) {
        int colon = key.indexOf(':');
        return display(colon < 0 ? key : key.substring(0, colon));
    }

    private static String rootMessage(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return String.valueOf(cause.getMessage());
    }

    private void rebuild(SubscriptionSlot slot) {
        publish(slot, slot.all());
    }

    /** Publishes {@code all} with a WRR cycle over the nodes alive now. */
    private static void publish(SubscriptionSlot slot, SubscriptionNode[] all) {
        int alive = 0;
        int[] index = new int[all.length];
        long[] weights = new long[all.length];
        for (int i = 0; i < all.length; i++) {
            if (!all[i].isDead()) {
                index[alive] = i;
                weights[alive] = Math.max(1, all[i].weight());
                alive++;
            }
        }
        int[] order = WrrSchedule.build(Arrays.copyOf(weights, alive));
        boolean sameAsAll = order.length == all.length;
        for (int i = 0; i < order.length && sameAsAll; i++) {
            sameAsAll = index[order[i]] == i;
        }
        if (sameAsAll) {
            // every node once, in list order (one node, or equal weights): one array serves both
            slot.publish(all, all);
            return;
        }
        SubscriptionNode[] cycle = new SubscriptionNode[order.length];
        for (int i = 0; i < order.length; i++) {
            cycle[i] = all[index[order[i]]];
        }
        slot.publish(all, cycle);
    }

    private void setAvailable(boolean now) {
        if (available != now) {
            available = now;
            for (Listener listener : listeners) {
                listener.availabilityChanged(now);
            }
        }
    }

    void logMarkedDead(SubscriptionSlot slot, SubscriptionNode node, String reason) {
        eventLog.log(TableEventLog.Event.FAILED_NODE, () -> routerName + ": marking node as failed key="
                + display(slot.key()) + " node=" + display(node.name()) + " reason=\"" + reason + "\"");
    }

    long toleranceNanos() {
        return settings.toleranceNanos();
    }

    long toleranceSeconds() {
        return settings.toleranceSeconds();
    }

    // ------------------------------------------------------------------ inspection and stats

    /** Whether any key has a node (cheap mode is off while true). */
    public boolean isAvailable() {
        return available;
    }

    /** The slot of {@code key}, if announced. */
    public Optional<SubscriptionSlot> slot(String key) {
        return Optional.ofNullable(slots.get(key));
    }

    /** Every key, in uWSGI's stats order (bucket index, then creation). */
    public List<SubscriptionSlot> slots() {
        List<SubscriptionSlot> all = new ArrayList<>(slots.values());
        all.sort(Comparator.comparingInt(SubscriptionSlot::hash).thenComparingLong(SubscriptionSlot::sequence));
        return all;
    }

    /** Number of keys. */
    public int size() {
        return slots.size();
    }

    /** What the table and its servers did with every datagram, by outcome and drop reason. */
    public SubscriptionCounters counters() {
        return counters;
    }

    /**
     * The {@code "subscriptions"} member of the router's stats document (spec §3.11). Keys and node
     * names are shown as UTF-8 text; the writer escapes whatever they contain.
     */
    @Override
    public void writeStats(JsonWriter json) {
        json.name("subscriptions").beginArray();
        for (SubscriptionSlot slot : slots()) {
            json.beginObject()
                .field("key", display(slot.key()))
                .field("hash", slot.hash())
                .field("hits", slot.hits())
                .field("sni_enabled", slot.sniEnabled() ? 1 : 0);
            json.name("nodes").beginArray();
            SubscriptionNode[] cycle = slot.cycle();
            long cursor = slot.cursor();
            for (SubscriptionNode node : slot.all()) {
                json.beginObject()
                    .field("name", display(node.name()))
                    .field("modifier1", node.modifier1())
                    .field("modifier2", node.modifier2())
                    .field("last_check", node.lastCheck())
                    .field("pid", 0)
                    .field("uid", 0)
                    .field("gid", 0)
                    .field("requests", node.requests())
                    .field("last_requests", node.lastRequests())
                    .field("tx", node.tx())
                    .field("rx", node.rx())
                    .field("cores", node.cores())
                    .field("load", node.load())
                    .field("weight", node.weight())
                    .field("wrr", remainingCredits(cycle, cursor, node))
                    .field("ref", node.references())
                    .field("failcnt", node.failures())
                    .field("death_mark", node.isDead() ? 1 : 0)
                    .endObject();
            }
            json.endArray().endObject();
        }
        json.endArray();
        counters.writeStats(json);
    }

    /** {@code wrr}: picks left for node {@code index} in the current WRR cycle (0 for lrc/wlrc). */
    private long remainingCredits(SubscriptionNode[] cycle, long cursor, SubscriptionNode node) {
        if (settings.balancer() != Balancer.WRR || cycle.length == 0) {
            return 0;
        }
        int from = (int) Long.remainderUnsigned(cursor, cycle.length);
        long credits = 0;
        for (int i = from; i < cycle.length; i++) {
            if (cycle[i] == node) {
                credits++;
            }
        }
        return credits;
    }

    /** Wire bytes (ISO-8859-1 chars) as UTF-8 text, for logs and stats. */
    static String display(String wire) {
        return new String(wire.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }

    /** Runs {@code task} on the subscription thread (for the server and tests). */
    public void execute(Runnable task) {
        executor.execute(task);
    }

    /** How often {@link #sweep} should run. */
    public static long sweepIntervalMillis() {
        return TimeUnit.SECONDS.toMillis(1);
    }
}
