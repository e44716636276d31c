package io.corerouter.core.config;

/**
 * What a node speaks, chosen by the scheme of its address ({@code --R-to puwsgi://127.0.0.1:3032}):
 * no scheme is the classic uwsgi protocol, one request per connection (spec §1); {@code puwsgi://}
 * and {@code http://} nodes keep their connections open between requests, so the router pools them
 * ({@link io.corerouter.core.pool.NodePools}).
 *
 * <p>The scheme goes in front of every backend form: {@code puwsgi://host:port},
 * {@code puwsgi://[::1]:3032}, {@code puwsgi:///run/app.sock} (a UNIX path: the scheme, then the
 * absolute path), {@code http://@abstract}.
 */
public enum NodeProtocol {
    /** uWSGI's {@code --socket}: one uwsgi packet per connection, the response ends when the node closes. */
    UWSGI(""),
    /**
     * uWSGI's {@code --puwsgi-socket}: uwsgi packets, many per connection; each response is framed by its
     * HTTP head (Content-Length or chunked). uWSGI reads no request body on such a socket.
     */
    PUWSGI("puwsgi://"),
    /** uWSGI's {@code --http11-socket} (or any HTTP/1.1 server): HTTP/1.1 requests with keep-alive. */
    HTTP("http://");

    private final String scheme;

    NodeProtocol(String scheme) {
        this.scheme = scheme;
    }

    /** The address prefix: {@code puwsgi://}, {@code http://}, or empty for uwsgi. */
    public String scheme() {
        return scheme;
    }

    /** Whether connections to such nodes are kept and reused. */
    public boolean pooled() {
        return this != UWSGI;
    }

    /** Whether the node reads the request body (uWSGI's puwsgi parser has no body reader). */
    public boolean carriesBody() {
        return this != PUWSGI;
    }

    /** The protocol whose scheme starts {@code address}, or {@link #UWSGI} when none does. */
    public static NodeProtocol ofAddress(String address) {
        for (NodeProtocol protocol : values()) {
            if (protocol != UWSGI && address.regionMatches(true, 0, protocol.scheme, 0, protocol.scheme.length())) {
                return protocol;
            }
        }
        return UWSGI;
    }

    /**
     * The protocol named by a subscription key or option value: {@code uwsgi}, {@code puwsgi},
     * {@code http} (case-insensitive).
     *
     * @throws IllegalArgumentException for any other name
     */
    public static NodeProtocol ofName(String name) {
        for (NodeProtocol protocol : values()) {
            if (protocol.name().equalsIgnoreCase(name)) {
                return protocol;
            }
        }
        throw new IllegalArgumentException(name + " (expected: uwsgi, puwsgi or http)");
    }
}
