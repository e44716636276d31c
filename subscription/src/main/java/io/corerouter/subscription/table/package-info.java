/**
 * The subscription table (spec §2.3-2.8): start with
 * {@link io.corerouter.subscription.table.SubscriptionTable} (the router's
 * {@link io.corerouter.core.route.KeyMapper}; applies packets, sweeps, writes stats), then
 * {@link io.corerouter.subscription.table.SubscriptionSlot} (one key, an immutable node snapshot) and
 * {@link io.corerouter.subscription.table.SubscriptionNode} (a
 * {@link io.corerouter.core.backend.BackendNode} with uWSGI's counters). Balancing is in
 * {@code Balancer} and the smooth-WRR cycle in {@code WrrSchedule}. {@link
 * io.corerouter.subscription.table.SniSink} is where the table sends the TLS certificates nodes push
 * (spec §5.4).
 */
package io.corerouter.subscription.table;
