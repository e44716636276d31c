package io.corerouter.subscription;

import io.corerouter.core.backend.Clock;
import io.corerouter.core.transport.Transport;
import io.corerouter.subscription.codec.SubscriptionPacket;
import io.corerouter.subscription.codec.SubscriptionPacketWriter;
import io.corerouter.subscription.sign.PacketSigner;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The client side of subscriptions (spec §2.13): announces nodes to subscription servers the way
 * uWSGI's master does with {@code --subscribe2}/{@code --subscribe-to}: once at start, once about a
 * second later, then every {@code --subscribe-freq} seconds; and unsubscribes everything when
 * closed. Lets a backend that is not uWSGI join a router ({@code bin/corerouter --subscribe2 ...}).
 *
 * <p>Packets carry {@code key}, {@code address}, {@code modifier1}, {@code modifier2},
 * {@code cores} and {@code load} (0), {@code weight}, the SNI files and {@code notify} when given;
 * signed ones add {@code unix} (now, plus 1 for an unsubscribe) and {@code sign} (spec §2.9). A
 * target with {@code check=FILE} is skipped while FILE exists. Runs on the event loop it is given.
 */
public final class Subscriber implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Subscriber.class.getName());
    /** How long {@link #close} waits for the unsubscribe datagrams to leave. */
    private static final long CLOSE_WAIT_SECONDS = 2;

    private record Target(SubscribeTarget config, SocketAddress server, PacketSigner signer) {
    }

    private final SubscriberOptions options;
    private final Transport transport;
    private final EventLoop loop;
    private final Clock clock;
    private final List<Target> targets = new ArrayList<>();
    private final List<ScheduledFuture<?>> schedule = new ArrayList<>();
    private DatagramSender sender;
    private boolean closed;

    public Subscriber(SubscriberOptions options, Transport transport, EventLoop loop, Clock clock) {
        this.options = options;
        this.transport = transport;
        this.loop = loop;
        this.clock = clock;
    }

    /**
     * Resolves the servers, loads signing keys, opens the sockets and schedules the announces.
     * Blocking: start-up only.
     */
    public void start() throws Exception {
        for (SubscribeTarget target : options.targets()) {
            PacketSigner signer = target.sign().isPresent() ? PacketSigner.load(target.sign().get()) : null;
            targets.add(new Target(target, target.server().toSocketAddress(), signer));
            LOG.info(() -> "subscribing to " + target.text());
        }
        sender = DatagramSender.open(transport, loop, null);
        long freq = options.freq().toMillis();
        schedule.add(loop.schedule(() -> announce(false), 0, TimeUnit.MILLISECONDS));
        schedule.add(loop.schedule(() -> announce(false), 1, TimeUnit.SECONDS));
        schedule.add(loop.scheduleAtFixedRate(() -> announce(false), freq, freq, TimeUnit.MILLISECONDS));
    }

    /**
     * Sends one round: a subscribe (or unsubscribe) for every target. Thread-safe (runs on the loop).
     *
     * @return the sends, one per target not skipped by its check file
     */
    public List<ChannelFuture> announce(boolean unsubscribe) {
        List<ChannelFuture> sent = new ArrayList<>(targets.size());
        for (Target target : targets) {
            if (target.config().check().isPresent() && Files.exists(target.config().check().get())) {
                continue;
            }
            ByteBuf out = ByteBufAllocator.DEFAULT.buffer(512);
            try {
                SubscriptionPacketWriter.write(out, packet(target.config(), unsubscribe), target.signer());
            } catch (RuntimeException e) {
                out.release();
                LOG.warning("cannot build the subscription packet for " + target.config().text() + ": " + e.getMessage());
                continue;
            }
            sent.add(sender.send(out, target.server()));
        }
        return sent;
    }

    private SubscriptionPacket packet(SubscribeTarget target, boolean unsubscribe) {
        // uWSGI signs with unix = now + cmd, so an unsubscribe is newer than the same second's subscribe
        long unix = target.sign().isPresent() ? clock.epochSeconds() + (unsubscribe ? 1 : 0) : 0;
        return new SubscriptionPacket(unsubscribe, target.key(), target.address(), target.modifier1(),
                target.modifier2(), 0, 0, target.weight(), unix, target.notifySocket().orElse(null),
                target.sniKey().orElse(null), target.sniCrt().orElse(null), target.sniCa().orElse(null), null, null,
                target.proto().orElse(null));
    }

    /** Stops announcing and unsubscribes every target, waiting briefly for the datagrams to leave. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        schedule.forEach(f -> f.cancel(false));
        if (sender == null) {
            return;
        }
        if (loop.inEventLoop()) {
            announce(true); // cannot wait here: the sends need this thread
        } else if (!loop.isShuttingDown()) {
            List<ChannelFuture> sent = loop.submit(() -> announce(true)).syncUninterruptibly().getNow();
            for (ChannelFuture f : sent) {
                f.awaitUninterruptibly(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
            }
            targets.forEach(t -> LOG.info(() -> "unsubscribing from " + t.config().text()));
        }
        sender.close();
    }
}
