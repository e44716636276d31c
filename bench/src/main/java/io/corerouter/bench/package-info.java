/**
 * JMH micro benchmarks. Start with {@link io.corerouter.bench.HttpToUwsgiBenchmark}, the per-request
 * cost of turning an HTTP head into a uwsgi packet.
 */
package io.corerouter.bench;
