package io.corerouter.core.server;

/** Pipeline handler names shared by every router, so pipelines read alike and can be edited by name. */
public final class HandlerNames {
    public static final String IDLE_TIMEOUT = "idle-timeout";
    public static final String HARAKIRI = "harakiri";
    public static final String PROXY_PROTOCOL = "proxy-protocol";
    public static final String TLS = "tls";
    public static final String TLS_HANDSHAKE = "tls-handshake";
    public static final String HTTP_CODEC = "http-codec";
    public static final String UWSGI_DECODER = "uwsgi-decoder";
    public static final String ROUTER = "router";
    public static final String BACKEND_DECODER = "backend-decoder";
    public static final String BACKEND = "backend";
    public static final String RELAY = "relay";
    public static final String XCLIENT = "xclient";

    private HandlerNames() {
    }
}
