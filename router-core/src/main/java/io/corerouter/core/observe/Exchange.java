package io.corerouter.core.observe;

import io.corerouter.core.codec.uwsgi.UwsgiPacket;
import io.corerouter.core.error.ErrorKind;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.AttributeKey;
import java.net.SocketAddress;

/**
 * What the metrics and the access log learn of the exchange in flight on one client connection: a
 * request of the HTTP router, the uwsgi request of a fastrouter connection, or the whole connection of
 * the rawrouter and sslrouter. One mutable record per connection, reset per request and touched only
 * on the connection's event loop; {@link ObserveHandler} makes it and the sessions add what only they
 * know ({@link #node}, {@link #failed}, {@link #request(Channel, UwsgiPacket)}), each a single call
 * that does nothing on a channel without one.
 *
 * <p>The request's texts (method, URI, headers) are only read when the router writes an access log:
 * without one an exchange costs no allocation.
 */
public final class Exchange {
    static final AttributeKey<Exchange> KEY = AttributeKey.valueOf(Exchange.class, "exchange");

    final RouterObserver observer;
    final ListenerCounters listener;
    SocketAddress remote;
    boolean perRequest;
    boolean active;
    long start;
    /** When the response head went out, or -1. */
    long head = -1;
    int status;
    long size;
    String method;
    String uri;
    String proto;
    String host;
    String referer;
    String uagent;
    String node;
    String key;
    /** Values of the {@code %(var.NAME)} variables of the access log format, in its order. */
    String[] vars;
    ErrorKind error;

    Exchange(RouterObserver observer, ListenerCounters listener) {
        this.observer = observer;
        this.listener = listener;
    }

    /** The exchange of {@code channel}, or null on a channel without {@link ObserveHandler}. */
    public static Exchange of(Channel channel) {
        return channel.hasAttr(KEY) ? channel.attr(KEY).get() : null;
    }

    /**
     * Gives {@code stream}, one HTTP/2 stream of client connection {@code connection}, its own exchange:
     * each stream is one request, counted and logged on the connection's listener.
     *
     * @return the stream's exchange, or null when the connection has none
     */
    public static Exchange forStream(Channel stream, Channel connection) {
        Exchange parent = of(connection);
        if (parent == null) {
            return null;
        }
        Exchange exchange = new Exchange(parent.observer, parent.listener);
        exchange.remote = parent.remote;
        exchange.perRequest = true;
        stream.attr(KEY).set(exchange);
        return exchange;
    }

    /** The counters of the listener that accepted the connection. */
    public ListenerCounters listener() {
        return listener;
    }

    /** The session picked {@code node} for routing key {@code key} (either may be null). */
    public static void node(Channel channel, String node, String key) {
        Exchange exchange = of(channel);
        if (exchange != null) {
            exchange.node = node;
            if (key != null) {
                exchange.key = key;
            }
        }
    }

    /** The router answers the exchange with an error of {@code kind} (counted by kind). */
    public static void failed(Channel channel, ErrorKind kind) {
        Exchange exchange = of(channel);
        if (exchange != null) {
            exchange.error = kind;
            exchange.observer.error(kind);
        }
    }

    /** A fastrouter's uwsgi request: its vars give the access log's request fields. */
    public static void request(Channel channel, UwsgiPacket packet, String key) {
        Exchange exchange = of(channel);
        if (exchange == null) {
            return;
        }
        exchange.key = key;
        AccessLog log = exchange.observer.accessLog();
        if (log == null) {
            return;
        }
        exchange.method = packet.get("REQUEST_METHOD");
        exchange.uri = packet.get("REQUEST_URI");
        exchange.proto = packet.get("SERVER_PROTOCOL");
        exchange.host = packet.get("HTTP_HOST");
        exchange.referer = packet.get("HTTP_REFERER");
        exchange.uagent = packet.get("HTTP_USER_AGENT");
        String[] names = log.format().varNames();
        if (names.length > 0) {
            exchange.vars = new String[names.length];
            for (int i = 0; i < names.length; i++) {
                exchange.vars[i] = packet.get(names[i]);
            }
        }
    }

    /** Marks the exchange as one request among several on the connection (the HTTP router). */
    public void perRequest() {
        perRequest = true;
    }

    /** Starts an exchange at {@code now} (nanoTime), forgetting the previous one. */
    public void begin(long now) {
        active = true;
        start = now;
        head = -1;
        status = 0;
        size = 0;
        method = null;
        uri = null;
        proto = null;
        host = null;
        referer = null;
        uagent = null;
        node = null;
        key = null;
        vars = null;
        error = null;
    }

    /** An HTTP request head: its texts are kept when the router writes an access log. */
    public void request(HttpRequest request) {
        AccessLog log = observer.accessLog();
        if (log == null) {
            return;
        }
        method = request.method().name();
        uri = request.uri();
        proto = request.protocolVersion().text();
        HttpHeaders headers = request.headers();
        host = headers.get(HttpHeaderNames.HOST);
        referer = headers.get(HttpHeaderNames.REFERER);
        uagent = headers.get(HttpHeaderNames.USER_AGENT);
        String[] names = log.format().headerNames();
        if (names.length > 0) {
            vars = new String[names.length];
            for (int i = 0; i < names.length; i++) {
                vars[i] = names[i] == null ? null : headers.get(names[i]);
            }
        }
    }

    /** The response head went out with {@code status}. */
    public void responseHead(int status, long now) {
        if (head < 0) {
            this.status = status;
            this.head = now;
        }
    }

    /** {@code bytes} more of the response went to the client. */
    public void addSize(long bytes) {
        size += bytes;
    }

    /** Whether an exchange is in flight. */
    public boolean active() {
        return active;
    }

    /** Whether a response head was seen. */
    public boolean headSent() {
        return head >= 0;
    }

    /** Ends the exchange at {@code now}: counted, timed and logged. */
    public void end(long now) {
        if (!active) {
            return;
        }
        active = false;
        observer.done(this, now);
    }
}
