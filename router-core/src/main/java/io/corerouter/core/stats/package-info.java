/**
 * Stats servers (spec §3.11): one JSON document per connection, with uWSGI's field names and order.
 *
 * <p>Start with {@link io.corerouter.core.stats.StatsServer} (binds, answers, closes), then
 * {@link io.corerouter.core.stats.StatsDocument} (process header) and
 * {@link io.corerouter.core.stats.RouterStats} (a router's sessions, sockets and nodes). Other modules
 * add members through {@link io.corerouter.core.stats.StatsSource}; everything goes through
 * {@link io.corerouter.core.stats.JsonWriter}, which always escapes (uWSGI does not, deviations.md).
 */
package io.corerouter.core.stats;
