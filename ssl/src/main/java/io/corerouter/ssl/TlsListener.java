package io.corerouter.ssl;

import io.corerouter.core.config.Endpoint;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A TLS listener: {@code --https ADDR,CRT,KEY[,CIPHERS[,CLIENTCA]]} or the key=value form
 * {@code --https2 addr=...,cert=|crt=...,key=...[,ciphers=...][,clientca=|client_ca=...]}; the same
 * two forms for {@code --sslrouter} / {@code --sslrouter2} (spec §5.1).
 *
 * @param endpoint where to listen (spec §3.2 syntax); its name is the socket name of the default
 *                 session id context and of the sslrouter key
 * @param files    the default certificate of the listener (served when no SNI entry matches)
 * @param h2       the {@code h2=0|1} key of the key=value form: HTTP/2 by ALPN on this listener, whatever
 *                 {@code --http2} says; empty when not given (the HTTP router's {@code --http2} decides;
 *                 the sslrouter relays bytes and ignores it)
 */
public record TlsListener(Endpoint endpoint, TlsFiles files, Optional<Boolean> h2) {

    public TlsListener {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(files, "files");
        Objects.requireNonNull(h2, "h2");
    }

    /** A listener that leaves HTTP/2 to {@code --http2}. */
    public TlsListener(Endpoint endpoint, TlsFiles files) {
        this(endpoint, files, Optional.empty());
    }

    /** Parses {@code ADDR,CRT,KEY[,CIPHERS[,CLIENTCA]]}. */
    public static TlsListener parseCsv(String text) {
        int comma = text.indexOf(',');
        if (comma <= 0) {
            throw new IllegalArgumentException(text + " (expected: ADDR,CRT,KEY[,CIPHERS[,CLIENTCA]])");
        }
        return new TlsListener(Endpoint.parseListener(text.substring(0, comma)),
                TlsFiles.parseCsv(text.substring(comma + 1)));
    }

    /**
     * Parses {@code addr=ADDR,cert=CRT,key=KEY[,ciphers=C][,clientca=CA]} ({@code crt} and
     * {@code client_ca} are accepted as well; {@code spdy} is ignored, SPDY being obsolete; {@code h2=1}
     * offers HTTP/2 by ALPN, {@code h2=0} does not, whatever {@code --http2} says).
     */
    public static TlsListener parseKeyValue(String text) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String item : text.split(",")) {
            int eq = item.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(text + " (expected: addr=ADDR,cert=CRT,key=KEY[,ciphers=C][,clientca=CA])");
            }
            String name = item.substring(0, eq);
            String value = item.substring(eq + 1);
            switch (name) {
                case "addr", "key", "ciphers", "spdy", "h2" -> values.put(name, value);
                case "cert", "crt" -> values.put("cert", value);
                case "clientca", "client_ca" -> values.put("clientca", value);
                default -> throw new IllegalArgumentException(text + " (unknown key '" + name + "')");
            }
        }
        String addr = values.get("addr");
        if (addr == null || addr.isEmpty()) {
            throw new IllegalArgumentException(text + " (expected: addr=ADDR)");
        }
        return new TlsListener(Endpoint.parseListener(addr),
                TlsFiles.of(values.get("cert"), values.get("key"), values.get("ciphers"), values.get("clientca")),
                h2(text, values.get("h2")));
    }

    private static Optional<Boolean> h2(String text, String value) {
        if (value == null) {
            return Optional.empty();
        }
        return switch (value.toLowerCase(java.util.Locale.ROOT)) {
            case "1", "true", "on", "yes" -> Optional.of(true);
            case "0", "false", "off", "no" -> Optional.of(false);
            default -> throw new IllegalArgumentException(text + " (h2=" + value + ": expected 1 or 0)");
        };
    }
}
