/**
 * JMH micro benchmarks, and the open-loop load client of the macro benchmarks. Start with
 * {@link io.corerouter.bench.HttpToUwsgiBenchmark}, the per-request cost of turning an HTTP head into a
 * uwsgi packet; {@link io.corerouter.bench.FixedRateClient} is what bench/latency-compare.sh sends its
 * fixed-rate requests with.
 */
package io.corerouter.bench;
