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
 * session), and {@code HttpSession} is the per-connection state machine. Around it, one job each:
 * {@code RequestChecks} (smuggling defences on the decoded head), {@code RawMode} (websocket and raw
 * requests), {@code SpooledBody} (de-chunked bodies: memory, then a temporary file),
 * {@code ResponseGzip} ({@code --http-auto-gzip}), {@code Tunnel} (the switch to a byte relay),
 * {@code BackendHandler}/{@code BackendResponseDecoder} (the node side) and {@code ErrorResponses}.
 * docs/http-hardening.md describes the behaviour they add up to.
 */
package io.corerouter.http;
