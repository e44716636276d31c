/**
 * uWSGI's subscription system (spec §2) for corerouter's routers. Start with
 * {@link io.corerouter.subscription.RouterSubscriptions}: one call gives a router its table (its
 * {@link io.corerouter.core.route.KeyMapper}), subscription servers, sweep, notify acks,
 * re-subscription and cheap mode. Then {@link io.corerouter.subscription.SubscriptionServer} (datagrams
 * in), {@link io.corerouter.subscription.Subscriber} (datagrams out, the client of
 * {@code --subscribe2}) and {@link io.corerouter.subscription.DatagramSender}.
 *
 * <p>Sub-packages: {@code codec} (the datagram), {@code table} (keys, nodes, balancing, health),
 * {@code sign} (RSA signatures).
 *
 * <p>Options: {@link io.corerouter.subscription.SubscriptionOptions} (global server options, read through
 * {@code SubscriptionSection}) and {@link io.corerouter.subscription.SubscriberOptions} with
 * {@code SubscribeTarget} (the client, read through {@code SubscriberSection}); each router's
 * {@code --R-subscription-server} options are core's {@code RouterSubscriptionOptions}.
 */
package io.corerouter.subscription;
