package io.corerouter.http;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.Iterator;
import java.util.Map;

/**
 * The key an HTTP request is routed by (spec §4.4): the Host header value verbatim, port and case
 * kept, so {@code Example.com:8080} and {@code example.com} are different keys, as in uWSGI.
 *
 * <p>Without a Host header the key is the TLS SNI name, or else the system host name. Several Host
 * headers give their values joined with {@code ", "}, as uWSGI merges them (§4.1). A Host value
 * longer than {@value #MAX_LENGTH} bytes, which uWSGI drops the connection for, and an empty one,
 * which uWSGI answers by closing silently, are bad requests here: the caller answers 400
 * (deviations.md, "Errors are answered, not swallowed").
 */
public final class RoutingKey {
    /** Longest key a Host header may give (uWSGI's key buffer). */
    public static final int MAX_LENGTH = 255;
    private static final String HOST = "HOST";

    private RoutingKey() {
    }

    /**
     * Returns the routing key for a request with these headers.
     *
     * @param sniName    the SNI name of the TLS session, or {@code null} (plain HTTP, or no SNI)
     * @param serverName the system host name
     * @throws BadRequestException if the Host header is empty or longer than {@value #MAX_LENGTH} bytes
     */
    public static String of(HttpHeaders headers, String sniName, String serverName) {
        // The same walk and merge as the HTTP_HOST var, so the key always equals that var's value.
        CharSequence host = null;
        StringBuilder merged = null;
        Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
        while (it.hasNext()) {
            Map.Entry<CharSequence, CharSequence> header = it.next();
            if (!HeaderVars.mangledEquals(header.getKey(), HOST)) {
                continue;
            }
            if (host == null) {
                host = header.getValue();
            } else {
                if (merged == null) {
                    merged = new StringBuilder(host);
                    host = merged;
                }
                merged.append(", ").append(header.getValue());
            }
        }
        if (host == null) {
            return sniName != null ? sniName : serverName;
        }
        if (host.length() == 0) {
            throw new BadRequestException("empty Host header");
        }
        if (host.length() > MAX_LENGTH) {
            throw new BadRequestException("Host header longer than " + MAX_LENGTH + " bytes");
        }
        return host.toString();
    }
}
