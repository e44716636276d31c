package io.corerouter.subscription;

import io.corerouter.subscription.codec.SubscriptionPacket;
import io.corerouter.subscription.codec.SubscriptionPacketWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.SocketAddress;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Re-subscription ({@code --R-resubscribe ADDR}, spec §2.11): every packet a router accepts is
 * announced again to other subscription servers with this router as the node, so routers chain.
 * The new packet keeps the key, the modifiers, the SNI files and the command; its address is the
 * router's first listener; cores, load and weight are 0; it is never signed.
 *
 * <p>uWSGI forwards whatever it received, rejected packets included; corerouter forwards only what
 * its own table accepted.
 */
final class Resubscriber implements Consumer<SubscriptionPacket> {
    private final DatagramSender sender;
    private final List<SocketAddress> targets;
    private final Supplier<String> announcedAddress;

    /**
     * @param announcedAddress this router's node address for the other servers (its first listener)
     */
    Resubscriber(DatagramSender sender, List<SocketAddress> targets, Supplier<String> announcedAddress) {
        this.sender = sender;
        this.targets = List.copyOf(targets);
        this.announcedAddress = announcedAddress;
    }

    @Override
    public void accept(SubscriptionPacket packet) {
        String address = announcedAddress.get();
        if (address == null) {
            return; // not listening yet
        }
        SubscriptionPacket forwarded = packet.forwardedAs(address);
        for (SocketAddress target : targets) {
            ByteBuf out = ByteBufAllocator.DEFAULT.buffer(256);
            SubscriptionPacketWriter.write(out, forwarded);
            sender.send(out, target);
        }
    }
}
