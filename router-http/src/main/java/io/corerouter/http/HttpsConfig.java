package io.corerouter.http;

import io.corerouter.core.config.ConfigException;
import io.corerouter.core.config.Endpoint;
import io.corerouter.core.config.OptionSpec;
import io.corerouter.core.config.OptionTable;
import io.corerouter.core.config.ParsedOptions;
import io.corerouter.ssl.TlsConfig;
import io.corerouter.ssl.TlsListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The TLS side of the HTTP router (spec §5.1, §5.2, §4.12): {@code --https} listeners, which run
 * the same pipeline as {@code --http} ones with TLS in front, and {@code --http-to-https} listeners,
 * which answer every request with a redirect to https.
 *
 * @param listeners      {@code --https} and {@code --https2}, in option order
 * @param exportCert     {@code --https-export-cert}: also send the client certificate as PEM ({@code HTTPS_CC})
 * @param sessionContext {@code --https-session-context}: the TLS session id context; by default
 *                       {@code http-<socket name>}, so set the same value on routers that should resume
 *                       each other's sessions
 * @param redirects      {@code --http-to-https ADDR[,PORT]}
 */
public record HttpsConfig(List<TlsListener> listeners, boolean exportCert, Optional<String> sessionContext,
                          List<Redirect> redirects) {
    public static final String GROUP = "HTTPS router";
    public static final String HTTPS = "https";
    public static final String HTTPS2 = "https2";
    public static final String EXPORT_CERT = "https-export-cert";
    public static final String SESSION_CONTEXT = "https-session-context";
    public static final String HTTP_TO_HTTPS = "http-to-https";
    /** No https listener, no redirect listener. */
    public static final HttpsConfig NONE = new HttpsConfig(List.of(), false, Optional.empty(), List.of());

    /**
     * A plain listener answering {@code 301 Location: https://HOST[:PORT]URI} (spec §4.12).
     *
     * @param endpoint  where to listen
     * @param httpsPort the port written into the Location, or empty for none
     */
    public record Redirect(Endpoint endpoint, OptionalInt httpsPort) {
        public Redirect {
            Objects.requireNonNull(endpoint, "endpoint");
            Objects.requireNonNull(httpsPort, "httpsPort");
        }

        /** Parses {@code ADDR[,PORT]}. */
        public static Redirect parse(String text) {
            int comma = text.indexOf(',');
            if (comma < 0) {
                return new Redirect(Endpoint.parseListener(text), OptionalInt.empty());
            }
            String port = text.substring(comma + 1);
            if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')
                    || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
                throw new IllegalArgumentException(text + " (expected: ADDR[,PORT] with PORT 1-65535)");
            }
            return new Redirect(Endpoint.parseListener(text.substring(0, comma)), OptionalInt.of(Integer.parseInt(port)));
        }
    }

    public HttpsConfig {
        listeners = List.copyOf(listeners);
        Objects.requireNonNull(sessionContext, "sessionContext");
        redirects = List.copyOf(redirects);
    }

    /** True when the HTTP router has a TLS or redirect listener. */
    public boolean any() {
        return !listeners.isEmpty() || !redirects.isEmpty();
    }

    public static void registerOptions(OptionTable table) {
        table.register(OptionSpec.required(GROUP, HTTPS, "ADDR,CRT,KEY[,CIPHERS[,CLIENTCA]]", "",
                "HTTPS listener with default certificate CRT (!CLIENTCA: client certificate mandatory)").asRepeatable());
        table.register(OptionSpec.required(GROUP, HTTPS2, "addr=ADDR,cert=CRT,key=KEY[,ciphers=C][,clientca=CA][,h2=1]", "",
                "HTTPS listener, key=value form; h2=1 offers HTTP/2 by ALPN on it (h2=0: not, whatever --http2 says)").asRepeatable());
        table.register(OptionSpec.flag(GROUP, EXPORT_CERT,
                "also send the client certificate as PEM in HTTPS_CC"));
        table.register(OptionSpec.required(GROUP, SESSION_CONTEXT, "NAME", "http-<socket name>",
                "TLS session id context; give routers that share sessions or ticket keys the same one"));
        table.register(OptionSpec.required(GROUP, HTTP_TO_HTTPS, "ADDR[,PORT]", "",
                "plain listener answering every request with 301 to https://HOST[:PORT]URI").asRepeatable());
    }

    /** True when an option that needs the HTTP router was given. */
    public static boolean given(ParsedOptions options) {
        return options.has(HTTPS) || options.has(HTTPS2) || options.has(HTTP_TO_HTTPS);
    }

    public static HttpsConfig from(ParsedOptions options) throws ConfigException {
        List<TlsListener> listeners = new ArrayList<>(TlsConfig.listeners(options, HTTPS, TlsListener::parseCsv));
        listeners.addAll(TlsConfig.listeners(options, HTTPS2, TlsListener::parseKeyValue));
        List<Redirect> redirects = new ArrayList<>();
        for (ParsedOptions.Value value : options.values(HTTP_TO_HTTPS)) {
            try {
                redirects.add(Redirect.parse(value.text()));
            } catch (IllegalArgumentException e) {
                throw ConfigException.of(HTTP_TO_HTTPS, e.getMessage(), value.source());
            }
        }
        return new HttpsConfig(listeners, options.flag(EXPORT_CERT),
                options.last(SESSION_CONTEXT).filter(s -> !s.isEmpty()), redirects);
    }
}
