package io.corerouter.core.route;

import io.corerouter.core.backend.AddressNode;
import io.corerouter.core.backend.BackendNode;
import io.corerouter.core.config.Endpoint;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * The key-derived mappers of spec §3.4: {@code --R-use-pattern P} ({@link #pattern}) builds the node
 * address by expanding P with the key, {@code --R-use-base B} ({@link #base}) appends the key to B.
 * The result is parsed like a {@code --R-to} address (spec §3.5), e.g. {@code /run/app/%s.sock} gives
 * one UNIX socket per domain.
 *
 * <p>Pattern expansion is uWSGI's ({@code uwsgi_cr_map_use_pattern}): {@code %s} becomes the key,
 * {@code %%} becomes {@code %}, {@code %(} stays {@code %(}, and any other {@code %X} is dropped.
 *
 * <p>Two safety rules uWSGI lacks: the key is client-controlled, so a key containing {@code /} or a
 * NUL (a path escape such as {@code ../../x}) and the empty key find no node; and a TCP result whose
 * host is not an IP literal finds no node, because name resolution would block the event loop.
 * Either way the request is answered like an unknown key.
 */
public final class PatternMapper implements KeyMapper {
    private final String template;
    private final boolean isPattern;

    private PatternMapper(String template, boolean isPattern) {
        this.template = Objects.requireNonNull(template, "template");
        this.isPattern = isPattern;
    }

    /** {@code --R-use-pattern}. */
    public static PatternMapper pattern(String pattern) {
        return new PatternMapper(pattern, true);
    }

    /** {@code --R-use-base}. */
    public static PatternMapper base(String base) {
        return new PatternMapper(base, false);
    }

    @Override
    public BackendNode pick(CharSequence key) {
        if (!isSafeKey(key)) {
            return null;
        }
        String address = isPattern ? expand(template, key) : template + key;
        try {
            Endpoint endpoint = Endpoint.parseBackend(address);
            return new AddressNode(address, toSocketAddress(endpoint), endpoint.protocol());
        } catch (IllegalArgumentException | UnknownHostException e) {
            return null;
        }
    }

    /** {@code %s} → key, {@code %%} → {@code %}, {@code %(} kept, other {@code %X} removed. */
    static String expand(String pattern, CharSequence key) {
        StringBuilder out = new StringBuilder(pattern.length() + key.length());
        int n = pattern.length();
        for (int i = 0; i < n; i++) {
            char c = pattern.charAt(i);
            if (c != '%' || i + 1 == n) {
                out.append(c);
                continue;
            }
            char next = pattern.charAt(++i);
            switch (next) {
                case 's' -> out.append(key);
                case '%' -> out.append('%');
                case '(' -> out.append("%(");
                default -> {
                    // dropped, as in uWSGI
                }
            }
        }
        return out.toString();
    }

    private static boolean isSafeKey(CharSequence key) {
        if (key.length() == 0) {
            return false;
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c == '/' || c == 0) {
                return false;
            }
        }
        return true;
    }

    /** Like {@link Endpoint#toSocketAddress()} but never resolves a name (event-loop safe). */
    private static SocketAddress toSocketAddress(Endpoint endpoint) throws UnknownHostException {
        if (endpoint.kind() != Endpoint.Kind.TCP) {
            return endpoint.toSocketAddress();
        }
        byte[] literal = NetUtil.createByteArrayFromIpAddressString(endpoint.host());
        if (literal == null) {
            throw new UnknownHostException(endpoint.host() + " is not an IP literal");
        }
        return new InetSocketAddress(InetAddress.getByAddress(literal), endpoint.port());
    }

    @Override
    public String toString() {
        return (isPattern ? "pattern " : "base ") + template;
    }
}
