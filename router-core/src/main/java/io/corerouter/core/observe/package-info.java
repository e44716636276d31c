/**
 * What the routers count and log per request (issue 12): the request-path half of the Prometheus
 * metrics, the status page and the access log.
 *
 * <p>Start with {@link io.corerouter.core.observe.ObserveHandler} (first in every client pipeline:
 * connections, bytes, the connection's {@link io.corerouter.core.observe.Exchange}), then
 * {@link io.corerouter.core.observe.RouterObserver} (a router's counters, which the launcher's
 * collectors read at scrape time) and {@link io.corerouter.core.observe.AccessLog} (a bounded queue
 * and one writer thread; {@link io.corerouter.core.observe.AccessLogFormat} compiles uWSGI's
 * {@code %(name)} formats). Everything an event loop touches is a {@code LongAdder} or a
 * {@link io.corerouter.core.observe.LatencyHistogram}: no lock, no allocation per request.
 */
package io.corerouter.core.observe;
