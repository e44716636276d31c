/**
 * The HTTP router: HTTP/1.1 requests in, uwsgi packets out (spec §4).
 *
 * <p>Start reading from {@link io.corerouter.http.HttpToUwsgi}, which turns a decoded
 * {@link io.netty.handler.codec.http.HttpRequest} into the uwsgi vars block in the exact order of
 * spec §4.2. It uses {@link io.corerouter.http.PathInfoDecoder} for {@code PATH_INFO} (§4.3) and
 * {@code HeaderVars} for the header vars (§4.1). {@link io.corerouter.http.RoutingKey} picks the key a
 * request is routed by (§4.4) and rejects bad Host headers with a
 * {@link io.corerouter.http.BadRequestException}.
 *
 * <p>Then the connection: {@code HttpRouterInitializer} builds the pipeline (idle timeout, optional
 * PROXY header via {@code ProxyProtocolDetector}, stud prefix, HTTP codec ({@code ServerCodec}, whose
 * {@code StrictRequestDecoder} rejects obs-fold heads), {@code ConnectionLimiter},
 * session), and {@code HttpSession} is the per-connection state machine: it holds the state and
 * makes the decisions (answer, retry, keep or close, tunnel). Read it next; the mechanics it
 * delegates, one job each, are {@code CurrentRequest} (what the request head said),
 * {@code RequestForwarder} (uwsgi packet and body to the node: streamed, held while connecting,
 * re-chunked, or de-chunked into a {@code SpooledBody}: memory, then a temporary file),
 * {@code NodeAttempts} (node choice, connect, connect failures and retries), {@code ResponseRelay}
 * (the node's response to the client: framing, keepalive, {@code ResponseGzip}, flush per batch,
 * backpressure), {@code HeadDeadline} (header and keepalive timer), {@code Tunnel} (the switch to a
 * byte relay), {@code BackendHandler}/core's {@code ResponseDecoder} (the node channel's end) and
 * {@code ErrorResponses}. Checks on the head are in {@code RequestChecks} (smuggling defences, decoder
 * failures) and {@code RawMode} (websocket and raw requests).
 * docs/http-hardening.md describes the behaviour they add up to.
 *
 * <p>Options: {@link io.corerouter.http.HttpRouterKind} (what the launcher sees), {@code HttpRouterConfig}
 * with {@code HttpFeatures}, {@code KeepAlive} and {@code UwsgiVar}, and {@code HttpsConfig}.
 */
package io.corerouter.http;
