/**
 * The sslrouter (spec §5.5, §5.6): TLS in, plaintext bytes out to a node.
 *
 * <p>Start reading from {@link io.corerouter.ssl.router.SslRouter} (listeners, mapper, start-up), then
 * {@code SslRouterInitializer} (the pipeline) and {@code SslRouterSession} (handshake, node choice,
 * connect with retries, hand-over to core's {@link io.corerouter.core.relay.RelayHandler}).
 * Options: {@code SslRouterConfig}, registered and built by {@link io.corerouter.ssl.router.SslRouterKind}.
 */
package io.corerouter.ssl.router;
