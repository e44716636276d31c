/**
 * The subscription datagram (spec §2.1-2.2, §2.13): {@link io.corerouter.subscription.codec.SubscriptionPacket}
 * (the value), {@link io.corerouter.subscription.codec.SubscriptionPacketParser} (all-or-nothing
 * decoding, {@link io.corerouter.subscription.codec.InvalidSubscriptionException}) and
 * {@link io.corerouter.subscription.codec.SubscriptionPacketWriter} (what clients and forwarding
 * routers send).
 */
package io.corerouter.subscription.codec;
