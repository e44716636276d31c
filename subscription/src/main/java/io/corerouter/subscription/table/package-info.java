/**
 * The subscription table (spec §2.3-2.8): start with
 * {@link io.corerouter.subscription.table.SubscriptionTable} (the router's
 * {@link io.corerouter.core.route.KeyMapper}; applies packets, sweeps, writes stats), then
 * {@link io.corerouter.subscription.table.SubscriptionSlot} (one key, an immutable node snapshot) and
 * {@link io.corerouter.subscription.table.SubscriptionNode} (a
 * {@link io.corerouter.core.backend.BackendNode} with uWSGI's counters). Balancing is in
 * {@code Balancer} and the smooth-WRR cycle in {@code WrrSchedule}. {@link
 * io.corerouter.subscription.table.SniSink} is where the table sends the TLS certificates nodes push
 * (spec §5.4). {@link io.corerouter.subscription.table.SubscriptionCounters} counts every datagram
 * by outcome and drop reason (the stats member {@code subscription_counters}), and {@code TableEventLog}
 * rate-limits the table's INFO lines (issue 15: the table is bounded by {@code --subscription-max-keys}
 * and {@code --subscription-max-nodes}).
 */
package io.corerouter.subscription.table;
