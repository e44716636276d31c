package io.corerouter.core.config;

import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.NetUtil;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A socket address as written in the configuration: a listener ({@code --http ADDR}) or a backend
 * node ({@code --http-to ADDR}, and later subscription node addresses).
 *
 * <p>Two parsers, because uWSGI splits the two differently:
 * <ul>
 *   <li>{@link #parseListener} (spec §3.2): TCP if the text contains {@code ':'}, the port being the
 *       text after the <em>last</em> {@code ':'}; {@code :8080} means all interfaces and
 *       {@code [::1]:8080} is IPv6. Otherwise a UNIX socket path; {@code @name} (or {@code \0name}) is
 *       in the Linux abstract namespace. Port 0 asks for an ephemeral port.</li>
 *   <li>{@link #parseBackend} (spec §3.5): split at the <em>first</em> {@code ':'}; an empty host means
 *       this machine (127.0.0.1). Host names and {@code [v6]:port} are accepted (deviations.md,
 *       "Addresses and sockets": uWSGI only takes IPv4 literals). Ports are 1-65535.</li>
 * </ul>
 * {@code =N} shared sockets and {@code fd://N} inherited sockets are not supported and rejected.
 *
 * @param kind TCP, UNIX path or abstract name
 * @param host for TCP: the host as written, without brackets ({@code ""} = all interfaces for a
 *             listener; a backend's empty host is stored as {@code 127.0.0.1}); {@code ""} otherwise
 * @param port for TCP: 0-65535; 0 otherwise
 * @param path for UNIX: the path; for ABSTRACT: the name without {@code @}; {@code ""} for TCP
 * @param name the text as configured: the socket name used in stats and as the source of SERVER_PORT
 *             (for a node, with its scheme)
 * @param protocol for a node: what it speaks, from the scheme of its address ({@link NodeProtocol});
 *             {@link NodeProtocol#UWSGI} for listeners and nodes without a scheme
 */
public record Endpoint(Kind kind, String host, int port, String path, String name, NodeProtocol protocol) {

    /** Address families corerouter can listen on and connect to. */
    public enum Kind { TCP, UNIX, ABSTRACT }

    /** Longest path or abstract name: {@code sun_path} holds 108 bytes, one of them a NUL. */
    public static final int MAX_PATH_BYTES = 107;

    private static final String LISTENER_FORMS = "host:port, :port, [v6]:port, a UNIX path or @name";
    private static final String BACKEND_FORMS = "host:port, [v6]:port, a UNIX path or @name";

    public Endpoint {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(protocol, "protocol");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("empty endpoint name");
        }
        if (kind == Kind.TCP) {
            if (!path.isEmpty() || port < 0 || port > 0xFFFF) {
                throw new IllegalArgumentException(name + ": a TCP endpoint has a port 0-65535 and no path");
            }
        } else if (!host.isEmpty() || port != 0 || path.isEmpty()) {
            throw new IllegalArgumentException(name + ": a UNIX endpoint has a path and no host or port");
        }
    }

    /** An endpoint of the classic uwsgi protocol (every listener, and nodes without a scheme). */
    public Endpoint(Kind kind, String host, int port, String path, String name) {
        this(kind, host, port, path, name, NodeProtocol.UWSGI);
    }

    /**
     * Parses a listening address (spec §3.2).
     *
     * @throws IllegalArgumentException with a message that starts with the text:
     *                                  {@code 1.2.3.4:99999 (expected: port 0-65535)}
     */
    public static Endpoint parseListener(String text) {
        Objects.requireNonNull(text, "text");
        Endpoint local = parseLocal(text, LISTENER_FORMS);
        if (local != null) {
            return local;
        }
        if (text.startsWith("[")) {
            return bracketed(text, 0);
        }
        int colon = text.lastIndexOf(':');
        return tcp(text, checkHost(text, text.substring(0, colon), LISTENER_FORMS), text.substring(colon + 1), 0);
    }

    /**
     * Parses a backend node address (spec §3.5).
     *
     * @throws IllegalArgumentException with a message that starts with the text:
     *                                  {@code 127.0.0.1:0 (expected: port 1-65535)}
     */
    public static Endpoint parseBackend(String text) {
        Objects.requireNonNull(text, "text");
        NodeProtocol protocol = NodeProtocol.ofAddress(text);
        if (protocol != NodeProtocol.UWSGI) {
            String rest = text.substring(protocol.scheme().length());
            Endpoint plain;
            try {
                plain = parseBackend(rest);
            } catch (IllegalArgumentException e) {
                throw bad(text, protocol.scheme() + "host:port, " + protocol.scheme() + "[v6]:port, "
                        + protocol.scheme() + "/path or " + protocol.scheme() + "@name");
            }
            return new Endpoint(plain.kind, plain.host, plain.port, plain.path, text, protocol);
        }
        Endpoint local = parseLocal(text, BACKEND_FORMS);
        if (local != null) {
            return local;
        }
        if (text.startsWith("[")) {
            return bracketed(text, 1);
        }
        int colon = text.indexOf(':');
        String host = checkHost(text, text.substring(0, colon), BACKEND_FORMS);
        return tcp(text, host.isEmpty() ? "127.0.0.1" : host, text.substring(colon + 1), 1);
    }

    /** Handles the empty, unsupported, abstract and path forms; null for {@code host:port} forms. */
    private static Endpoint parseLocal(String text, String forms) {
        if (text.isEmpty()) {
            throw bad(text, forms);
        }
        if (text.startsWith("=") || text.startsWith("fd://")) {
            throw bad(text, forms + "; shared (=N) and inherited (fd://N) sockets are not supported");
        }
        if (text.startsWith("@") || text.startsWith("\\0")) {
            String abstractName = text.substring(text.startsWith("@") ? 1 : 2);
            // uWSGI binds and connects "@name" as "\0name\0": both NULs count against sun_path
            if (abstractName.isEmpty() || bytes(abstractName) > MAX_PATH_BYTES - 1) {
                throw bad(text, "an abstract name of 1-" + (MAX_PATH_BYTES - 1) + " bytes");
            }
            return new Endpoint(Kind.ABSTRACT, "", 0, abstractName, text);
        }
        if (text.indexOf(':') < 0) {
            if (bytes(text) > MAX_PATH_BYTES) {
                throw bad(text, "a UNIX socket path of at most " + MAX_PATH_BYTES + " bytes");
            }
            return new Endpoint(Kind.UNIX, "", 0, text, text);
        }
        return null;
    }

    private static Endpoint bracketed(String text, int minPort) {
        int close = text.indexOf(']');
        if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
            throw bad(text, "[IPv6 address]:port");
        }
        String host = text.substring(1, close);
        if (!NetUtil.isValidIpV6Address(host)) {
            throw bad(text, "[IPv6 address]:port");
        }
        return tcp(text, host, text.substring(close + 2), minPort);
    }

    private static Endpoint tcp(String text, String host, String portText, int minPort) {
        int port = -1;
        if (!portText.isEmpty() && portText.length() <= 5 && portText.chars().allMatch(c -> c >= '0' && c <= '9')) {
            port = Integer.parseInt(portText);
        }
        if (port < minPort || port > 0xFFFF) {
            throw bad(text, "port " + minPort + "-65535");
        }
        return new Endpoint(Kind.TCP, host, port, "", text);
    }

    private static String checkHost(String text, String host, String forms) {
        if (host.chars().anyMatch(c -> c == '[' || c == ']' || c == '/' || Character.isWhitespace(c))) {
            throw bad(text, forms);
        }
        return host;
    }

    private static IllegalArgumentException bad(String text, String expected) {
        return new IllegalArgumentException((text.isEmpty() ? "''" : text) + " (expected: " + expected + ")");
    }

    private static int bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    /**
     * The SERVER_PORT var for requests accepted on this listener (spec §4.2): the text after the last
     * {@code ':'} of the name for TCP, {@code ""} for UNIX and abstract sockets.
     */
    public String serverPort() {
        return kind == Kind.TCP ? name.substring(name.lastIndexOf(':') + 1) : "";
    }

    /**
     * The address to bind or connect: an {@link InetSocketAddress} for TCP (the wildcard address for a
     * listener with an empty host), a Netty {@link DomainSocketAddress} otherwise. An abstract name is
     * given as {@code "\0name\0"}, which is how uWSGI binds and connects {@code @name}, so both sides
     * meet.
     *
     * <p><strong>May block</strong>: a host name (not an IP literal) is resolved with the system
     * resolver. Call it at startup or on an offload thread, never on an event loop.
     *
     * @throws UnknownHostException if the host name does not resolve
     */
    public SocketAddress toSocketAddress() throws UnknownHostException {
        switch (kind) {
            case UNIX:
                return new DomainSocketAddress(path);
            case ABSTRACT:
                return new DomainSocketAddress('\0' + path + '\0');
            default:
                if (host.isEmpty()) {
                    return new InetSocketAddress(port);
                }
                byte[] literal = NetUtil.createByteArrayFromIpAddressString(host);
                InetAddress address = literal != null ? InetAddress.getByAddress(literal) : InetAddress.getByName(host);
                return new InetSocketAddress(address, port);
        }
    }
}
