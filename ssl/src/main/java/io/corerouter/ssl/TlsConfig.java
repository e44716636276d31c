package io.corerouter.ssl;

import io.corerouter.core.config.ConfigException;
import io.corerouter.core.config.OptionSpec;
import io.corerouter.core.config.OptionTable;
import io.corerouter.core.config.OptionValues;
import io.corerouter.core.config.ParsedOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The process-wide TLS settings shared by every TLS listener (https and sslrouter): SNI entries,
 * the session cache, session-ticket keys and how often certificate files are checked (spec §5.1,
 * §5.3; deviations.md for the session cache).
 *
 * @param sni             {@code --sni}: exact server names, in option order
 * @param sniRegexp       {@code --sni-regexp}: regular expressions tried in order after the exact names
 * @param sniDir          {@code --sni-dir}: directory of {@code NAME.crt}, {@code NAME.key} and optional {@code NAME.ca}
 * @param sniDirCiphers   {@code --sni-dir-ciphers}: cipher list of contexts from the directory and from subscriptions
 * @param sessionCacheName {@code --ssl-sessions-use-cache[=NAME]}: the session cache's name in logs and stats
 * @param sessionCacheSize {@code --ssl-sessions-cache-size} (20480): sessions kept for session-id
 *                        resumption, shared by every event loop; 0 turns the cache off
 * @param sessionTimeout  {@code --ssl-sessions-timeout} (300 s): lifetime of cached sessions and tickets
 * @param ticketKeys      {@code --ssl-ticket-keys}: nginx-format ticket key file (48-byte keys, first encrypts)
 * @param reloadInterval  {@code --ssl-reload-interval} (5 s): how often certificate, key and ticket key
 *                        files are checked for changes; {@link Duration#ZERO} = never
 * @param verbose         {@code --ssl-verbose}: failed handshakes are logged as warnings with their reason
 * @param rawOptions      {@code --ssl-option N} (repeatable): OpenSSL {@code SSL_OP_*} bits set on every
 *                        TLS connection, as uWSGI's {@code SSL_CTX_set_options} (BoringSSL keeps their values)
 * @param verifyDepth     {@code --ssl-verify-depth N}: at most N intermediate CAs between a client
 *                        certificate and the client CA (OpenSSL's verify depth); empty = no limit of ours
 * @param expiryWarningDays {@code --ssl-expiry-warning N} (30): a certificate that expires within N days
 *                        is loaded with a warning; 0 = no warning (an expired one is always refused)
 * @param ocsp            OCSP stapling: {@code --ssl-ocsp-stapling}, {@code --ssl-ocsp-responder},
 *                        {@code --ssl-ocsp-file}
 */
public record TlsConfig(List<SniEntry> sni, List<SniEntry> sniRegexp, Optional<Path> sniDir,
                        Optional<String> sniDirCiphers, String sessionCacheName, int sessionCacheSize,
                        Duration sessionTimeout, Optional<Path> ticketKeys, Duration reloadInterval,
                        boolean verbose, List<Long> rawOptions, OptionalInt verifyDepth, int expiryWarningDays,
                        Ocsp ocsp) {
    public static final String GROUP = "TLS (https, sslrouter)";
    public static final String SNI = "sni";
    public static final String SNI_REGEXP = "sni-regexp";
    public static final String SNI_DIR = "sni-dir";
    public static final String SNI_DIR_CIPHERS = "sni-dir-ciphers";
    public static final String SESSIONS_USE_CACHE = "ssl-sessions-use-cache";
    public static final String SESSIONS_TIMEOUT = "ssl-sessions-timeout";
    public static final String SESSIONS_CACHE_SIZE = "ssl-sessions-cache-size";
    public static final String TICKET_KEYS = "ssl-ticket-keys";
    public static final String RELOAD_INTERVAL = "ssl-reload-interval";
    public static final String VERBOSE = "ssl-verbose";
    public static final String OPTION = "ssl-option";
    public static final String ENABLE3 = "ssl-enable3";
    public static final String TMP_DIR = "ssl-tmp-dir";
    public static final String VERIFY_DEPTH = "ssl-verify-depth";
    public static final String EXPIRY_WARNING = "ssl-expiry-warning";
    public static final String OCSP_STAPLING = "ssl-ocsp-stapling";
    public static final String OCSP_RESPONDER = "ssl-ocsp-responder";
    public static final String OCSP_FILE = "ssl-ocsp-file";
    public static final int DEFAULT_EXPIRY_WARNING_DAYS = 30;
    public static final int DEFAULT_SESSION_CACHE_SIZE = 20480;
    public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(300);
    public static final Duration DEFAULT_RELOAD_INTERVAL = Duration.ofSeconds(5);
    /** The session cache's name when {@code --ssl-sessions-use-cache} gives none. */
    public static final String DEFAULT_CACHE_NAME = "ssl-sessions";

    /** The settings when no TLS option was given. */
    public static final TlsConfig DEFAULTS = new TlsConfig(List.of(), List.of(), Optional.empty(), Optional.empty(),
            DEFAULT_CACHE_NAME, DEFAULT_SESSION_CACHE_SIZE, DEFAULT_SESSION_TIMEOUT, Optional.empty(),
            DEFAULT_RELOAD_INTERVAL, false, List.of(), OptionalInt.empty(), DEFAULT_EXPIRY_WARNING_DAYS, Ocsp.NONE);

    /**
     * OCSP stapling settings: which certificates get their OCSP response stapled to handshakes and
     * where the responses come from.
     *
     * @param stapling  {@code --ssl-ocsp-stapling}: fetch and staple the response of every certificate
     *                  (listener defaults, SNI, directory and subscription ones) from the responder named in
     *                  the certificate (Authority Information Access), or {@link #responder}
     * @param responder {@code --ssl-ocsp-responder URL}: the responder asked instead of the certificate's own
     * @param files     {@code --ssl-ocsp-file CRT,FILE} (repeatable): certificate file -> a DER OCSP response
     *                  file stapled for it instead of fetching (nginx's {@code ssl_stapling_file}), followed
     *                  on change
     */
    public record Ocsp(boolean stapling, Optional<URI> responder, Map<Path, Path> files) {
        public static final Ocsp NONE = new Ocsp(false, Optional.empty(), Map.of());

        public Ocsp {
            Objects.requireNonNull(responder, "responder");
            files = Map.copyOf(files);
        }

        /** The response file configured for certificate file {@code cert} (paths compared absolute), if any. */
        public Optional<Path> fileFor(Path cert) {
            Path wanted = cert.toAbsolutePath().normalize();
            return files.entrySet().stream()
                    .filter(e -> e.getKey().toAbsolutePath().normalize().equals(wanted))
                    .map(Map.Entry::getValue)
                    .findFirst();
        }
    }

    public TlsConfig {
        sni = List.copyOf(sni);
        sniRegexp = List.copyOf(sniRegexp);
        Objects.requireNonNull(sniDir, "sniDir");
        Objects.requireNonNull(sniDirCiphers, "sniDirCiphers");
        Objects.requireNonNull(sessionCacheName, "sessionCacheName");
        if (sessionCacheSize < 0) {
            throw new IllegalArgumentException(SESSIONS_CACHE_SIZE + ": " + sessionCacheSize + " (expected: >= 0)");
        }
        if (sessionTimeout.isNegative() || sessionTimeout.isZero()) {
            throw new IllegalArgumentException(SESSIONS_TIMEOUT + ": " + sessionTimeout + " (expected: > 0)");
        }
        Objects.requireNonNull(ticketKeys, "ticketKeys");
        if (reloadInterval.isNegative()) {
            throw new IllegalArgumentException(RELOAD_INTERVAL + ": " + reloadInterval + " (expected: >= 0)");
        }
        rawOptions = List.copyOf(rawOptions);
        Objects.requireNonNull(verifyDepth, "verifyDepth");
        if (verifyDepth.isPresent() && verifyDepth.getAsInt() < 0) {
            throw new IllegalArgumentException(VERIFY_DEPTH + ": " + verifyDepth.getAsInt() + " (expected: >= 0)");
        }
        if (expiryWarningDays < 0) {
            throw new IllegalArgumentException(EXPIRY_WARNING + ": " + expiryWarningDays + " (expected: >= 0)");
        }
        Objects.requireNonNull(ocsp, "ocsp");
    }

    public static void registerOptions(OptionTable table) {
        table.register(OptionSpec.required(GROUP, SNI, "\"NAME CRT,KEY[,CIPHERS[,CLIENTCA]]\"", "",
                "serve CRT to clients asking for server name NAME (!CLIENTCA: client certificate mandatory)").asRepeatable());
        table.register(OptionSpec.required(GROUP, SNI_REGEXP, "\"REGEXP CRT,KEY[,CIPHERS[,CLIENTCA]]\"", "",
                "like --sni for every server name REGEXP matches, tried in order after the exact names").asRepeatable());
        table.register(OptionSpec.required(GROUP, SNI_DIR, "DIR", "none",
                "serve DIR/NAME.crt and DIR/NAME.key (and DIR/NAME.ca as client CA) to clients asking for NAME"));
        table.register(OptionSpec.required(GROUP, SNI_DIR_CIPHERS, "CIPHERS", "ECDHE+AEAD (docs/tls.md)",
                "cipher list of the contexts built from --sni-dir and from subscriptions (sni_key/sni_crt)"));
        table.register(OptionSpec.optional(GROUP, SESSIONS_USE_CACHE, "NAME", DEFAULT_CACHE_NAME,
                "name of the in-process TLS session cache shared by every event loop (always on; see --ssl-sessions-cache-size)"));
        table.register(OptionSpec.required(GROUP, SESSIONS_TIMEOUT, "N", "300",
                "seconds a TLS session (cached or in a ticket) can be resumed"));
        table.register(OptionSpec.required(GROUP, SESSIONS_CACHE_SIZE, "N", Integer.toString(DEFAULT_SESSION_CACHE_SIZE),
                "TLS sessions kept for session-id resumption (0 = no cache; tickets still work)"));
        table.register(OptionSpec.required(GROUP, TICKET_KEYS, "FILE", "random per process",
                "session-ticket keys in nginx's format (48-byte keys; the first encrypts, all decrypt), re-read when FILE changes"));
        table.register(OptionSpec.required(GROUP, RELOAD_INTERVAL, "N", "5",
                "seconds between checks of certificate, key and ticket key files for changes (0 = never)"));
        table.register(OptionSpec.flag(GROUP, VERBOSE, "log failed TLS handshakes as warnings, with their reason"));
        table.register(OptionSpec.required(GROUP, OPTION, "N", "",
                "set the OpenSSL SSL_OP_* bits N (decimal) on every TLS connection, e.g. 16384 = no session tickets")
                .asRepeatable());
        table.register(OptionSpec.required(GROUP, VERIFY_DEPTH, "N", "no limit",
                "client certificates may chain to the client CA through at most N intermediate CAs"));
        table.register(OptionSpec.required(GROUP, EXPIRY_WARNING, "DAYS", Integer.toString(DEFAULT_EXPIRY_WARNING_DAYS),
                "warn when a loaded certificate expires within DAYS days (0 = never; expired ones are refused)"));
        table.register(OptionSpec.flag(GROUP, OCSP_STAPLING,
                "staple each certificate's OCSP response, fetched in the background from the responder it names"));
        table.register(OptionSpec.required(GROUP, OCSP_RESPONDER, "URL", "the certificate's",
                "OCSP responder to ask instead of the one named in each certificate"));
        table.register(OptionSpec.required(GROUP, OCSP_FILE, "CRT,FILE", "",
                "staple the DER OCSP response in FILE for certificate CRT instead of fetching it; re-read when FILE changes")
                .asRepeatable());
        table.register(OptionSpec.flag(GROUP, ENABLE3,
                "accepted for uWSGI configs and ignored with a warning: SSLv3 is never offered (TLS 1.2 and 1.3 only)"));
        table.register(OptionSpec.required(GROUP, TMP_DIR, "DIR", "none",
                "accepted for uWSGI configs: corerouter keeps certificate data in memory and writes no temporary files"));
    }

    /** Reads the TLS options (all optional); options accepted only for compatibility are reported to {@code warnings}. */
    public static TlsConfig from(ParsedOptions options, java.util.function.Consumer<String> warnings)
            throws ConfigException {
        if (options.flag(ENABLE3)) {
            warnings.accept(ENABLE3 + " ignored: SSLv3 is insecure and not offered (TLS 1.2 and 1.3 only)");
        }
        options.last(TMP_DIR).ifPresent(dir -> warnings.accept(TMP_DIR + " " + dir
                + " ignored: certificate data is kept in memory, no temporary files are written"));
        List<Long> rawOptions = new ArrayList<>();
        for (ParsedOptions.Value value : options.values(OPTION)) {
            try {
                long bits = Long.parseLong(value.text().trim());
                if (bits <= 0 || bits > 0xFFFFFFFFL) {
                    throw new NumberFormatException();
                }
                rawOptions.add(bits);
            } catch (NumberFormatException e) {
                throw ConfigException.invalid(OPTION, value.text(), "a decimal SSL_OP_* value, 1-4294967295",
                        value.source());
            }
        }
        List<SniEntry> sni = sniEntries(options, SNI);
        List<SniEntry> sniRegexp = sniEntries(options, SNI_REGEXP);
        for (int i = 0; i < sniRegexp.size(); i++) {
            try {
                Pattern.compile(sniRegexp.get(i).name());
            } catch (PatternSyntaxException e) {
                ParsedOptions.Value value = options.values(SNI_REGEXP).get(i);
                throw ConfigException.of(SNI_REGEXP, "bad regular expression " + sniRegexp.get(i).name()
                        + ": " + e.getDescription(), value.source());
            }
        }
        String cacheName = options.last(SESSIONS_USE_CACHE).filter(s -> !s.isEmpty()).orElse(DEFAULT_CACHE_NAME);
        return new TlsConfig(sni, sniRegexp,
                options.last(SNI_DIR).filter(s -> !s.isEmpty()).map(Path::of),
                options.last(SNI_DIR_CIPHERS).filter(s -> !s.isEmpty()),
                cacheName,
                OptionValues.integer(options, SESSIONS_CACHE_SIZE, DEFAULT_SESSION_CACHE_SIZE, 0, Integer.MAX_VALUE),
                OptionValues.seconds(options, SESSIONS_TIMEOUT, DEFAULT_SESSION_TIMEOUT, 1),
                options.last(TICKET_KEYS).filter(s -> !s.isEmpty()).map(Path::of),
                OptionValues.seconds(options, RELOAD_INTERVAL, DEFAULT_RELOAD_INTERVAL, 0),
                options.flag(VERBOSE),
                rawOptions,
                options.has(VERIFY_DEPTH)
                        ? OptionalInt.of(OptionValues.integer(options, VERIFY_DEPTH, 0, 0, 100))
                        : OptionalInt.empty(),
                OptionValues.integer(options, EXPIRY_WARNING, DEFAULT_EXPIRY_WARNING_DAYS, 0, 36500),
                ocsp(options));
    }

    private static Ocsp ocsp(ParsedOptions options) throws ConfigException {
        Optional<URI> responder = Optional.empty();
        Optional<ParsedOptions.Value> url = options.lastValue(OCSP_RESPONDER);
        if (url.isPresent()) {
            String text = url.get().text();
            try {
                URI uri = new URI(text);
                if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                    throw new URISyntaxException(text, "not an http URL");
                }
                responder = Optional.of(uri);
            } catch (URISyntaxException e) {
                throw ConfigException.invalid(OCSP_RESPONDER, text, "an http:// URL", url.get().source());
            }
        }
        Map<Path, Path> files = new LinkedHashMap<>();
        for (ParsedOptions.Value value : options.values(OCSP_FILE)) {
            String[] parts = value.text().split(",", -1);
            if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
                throw ConfigException.invalid(OCSP_FILE, value.text(), "CRT,FILE", value.source());
            }
            files.put(Path.of(parts[0]), Path.of(parts[1]));
        }
        return new Ocsp(options.flag(OCSP_STAPLING), responder, files);
    }

    private static List<SniEntry> sniEntries(ParsedOptions options, String name) throws ConfigException {
        List<SniEntry> entries = new ArrayList<>();
        for (ParsedOptions.Value value : options.values(name)) {
            try {
                entries.add(SniEntry.parse(value.text()));
            } catch (IllegalArgumentException e) {
                throw ConfigException.of(name, e.getMessage(), value.source());
            }
        }
        return entries;
    }

    /** Parses every value of a TLS listener option with {@code parser}. */
    public static List<TlsListener> listeners(ParsedOptions options, String name,
                                       java.util.function.Function<String, TlsListener> parser) throws ConfigException {
        List<TlsListener> listeners = new ArrayList<>();
        for (ParsedOptions.Value value : options.values(name)) {
            try {
                listeners.add(parser.apply(value.text()));
            } catch (IllegalArgumentException e) {
                throw ConfigException.of(name, e.getMessage(), value.source());
            }
        }
        return listeners;
    }
}
