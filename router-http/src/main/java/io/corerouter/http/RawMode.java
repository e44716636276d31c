package io.corerouter.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;

/**
 * Whether a request stops being HTTP after its head (spec §4.8): then the bytes that follow the head
 * go to the node untouched, and the connection is a byte relay until EOF (no keep-alive).
 */
enum RawMode {
    /** An HTTP request: body framed by Content-Length or chunked encoding. */
    NONE,
    /**
     * A WebSocket handshake with {@code --http-websockets}: the response head is read as HTTP, and the
     * connection becomes a relay only if it is {@code 101}; any other answer is relayed and the
     * connection closed. Bytes the client sent after the handshake are held until then.
     */
    WEBSOCKET,
    /** {@code --http-raw-body}, {@code SOURCE} with {@code --http-manage-source}, RTSP with {@code --http-manage-rtsp}. */
    RAW;

    private static final HttpMethod SOURCE = HttpMethod.valueOf("SOURCE");

    static RawMode of(HttpRequest request, HttpFeatures features) {
        if (features.websockets() && isWebSocketHandshake(request.headers())) {
            return WEBSOCKET;
        }
        if (features.rawBody()
                || (features.manageSource() && SOURCE.equals(request.method()))
                || (features.manageRtsp() && RequestChecks.isRtsp(request))) {
            return RAW;
        }
        return NONE;
    }

    /**
     * uWSGI's score (spec §4.8): it starts at 1 and counts {@code Upgrade: websocket},
     * {@code Connection: Upgrade} and a {@code Sec-WebSocket-Version}; more than 2 with a non-empty
     * {@code Sec-WebSocket-Key} is a handshake. One difference: {@code Connection} is read as a token
     * list, so browsers' {@code Connection: keep-alive, Upgrade} counts (uWSGI wants the exact value).
     */
    static boolean isWebSocketHandshake(HttpHeaders headers) {
        String key = headers.get(HttpHeaderNames.SEC_WEBSOCKET_KEY);
        if (key == null || key.isEmpty()) {
            return false;
        }
        int score = 1;
        String upgrade = headers.get(HttpHeaderNames.UPGRADE);
        if (upgrade != null && HttpHeaderValues.WEBSOCKET.contentEqualsIgnoreCase(upgrade.trim())) {
            score++;
        }
        if (headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)) {
            score++;
        }
        if (headers.contains(HttpHeaderNames.SEC_WEBSOCKET_VERSION)) {
            score++;
        }
        return score > 2;
    }
}
