/**
 * Backend nodes and how sessions reach them.
 *
 * <p>Start reading at {@link io.corerouter.core.backend.BackendNode} (what a session is given, and what
 * it reports back: connected, connect failed, request failed or answered, released), then
 * {@link io.corerouter.core.backend.StaticNodes} / {@link io.corerouter.core.backend.StaticNode} (the
 * {@code --R-to} round robin and its nodes), {@link io.corerouter.core.backend.NodeSelector} (retries and
 * fallbacks, spec §3.6), {@link io.corerouter.core.backend.ConnectAttempts} and
 * {@link io.corerouter.core.backend.BackendConnector} (connects on the client's event loop).
 *
 * <p>Node health (docs/health.md): {@link io.corerouter.core.backend.NodeHealth} holds a node's state
 * (up, failed for the gracetime, down until checks pass) for every reader;
 * {@link io.corerouter.core.backend.HealthChecker} runs the active checks of one router, each a
 * {@link io.corerouter.core.backend.HealthCheck} on a connection of its own.
 */
package io.corerouter.core.backend;
