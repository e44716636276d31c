package io.corerouter.subscription;

import io.corerouter.core.config.ConfigException;
import io.corerouter.core.config.OptionSpec;
import io.corerouter.core.config.OptionTable;
import io.corerouter.core.config.OptionValues;
import io.corerouter.core.config.ParsedOptions;
import io.corerouter.core.config.RouterSubscriptionOptions;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.security.Signature;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * How every subscription server of the process treats announced nodes (spec §2.6-2.9); these are
 * global options in uWSGI too. Per-router options (where the server listens) are in
 * {@link RouterSubscriptionOptions}.
 *
 * @param algo          {@code --subscription-algo} (wrr): how a key's nodes share its requests
 * @param tolerance     {@code --subscription-tolerance} (17 s): a node not announced for longer is dead
 * @param dotsplit      {@code --subscription-dotsplit}: a missing key is retried with its parent domains
 * @param signCheck     {@code --subscriptions-sign-check DIGEST:DIR}: only signed subscriptions are accepted
 * @param signTolerance {@code --subscriptions-sign-check-tolerance} (86400 s): oldest accepted {@code unix} value
 * @param maxKeys       {@code --subscription-max-keys} (10000): keys one router's table holds at most; a
 *                      packet that would add one more is dropped and counted (uWSGI has no bound)
 * @param maxNodes      {@code --subscription-max-nodes} (256): nodes one key holds at most, likewise
 * @param allow         {@code --subscription-allow CIDR}: UDP sources whose packets are read; empty means
 *                      every source (UNIX datagram sockets are governed by their file permissions)
 */
public record SubscriptionOptions(Algo algo, Duration tolerance, boolean dotsplit, Optional<SignCheck> signCheck,
                                  Duration signTolerance, int maxKeys, int maxNodes, List<Cidr> allow) {
    public static final String ALGO = "subscription-algo";
    public static final String TOLERANCE = "subscription-tolerance";
    public static final String DOTSPLIT = "subscription-dotsplit";
    public static final String SIGN_CHECK = "subscriptions-sign-check";
    public static final String SIGN_CHECK_TOLERANCE = "subscriptions-sign-check-tolerance";
    public static final String MAX_KEYS = "subscription-max-keys";
    public static final String MAX_NODES = "subscription-max-nodes";
    public static final String ALLOW = "subscription-allow";
    /** Help section of the subscription server options. */
    public static final String GROUP = "Subscription server";
    public static final Duration DEFAULT_TOLERANCE = Duration.ofSeconds(17);
    public static final Duration DEFAULT_SIGN_TOLERANCE = Duration.ofSeconds(86400);
    /** Keys per table: generous for a real fleet, a few MB of heap at most (docs/subscriptions.md). */
    public static final int DEFAULT_MAX_KEYS = 10_000;
    /** Nodes per key. */
    public static final int DEFAULT_MAX_NODES = 256;
    /** The defaults: wrr, 17 s, no dotsplit, no signatures, 10000 keys of 256 nodes, every source. */
    public static final SubscriptionOptions DEFAULTS = new SubscriptionOptions(Algo.WRR, DEFAULT_TOLERANCE, false,
            Optional.empty(), DEFAULT_SIGN_TOLERANCE);

    /** The options with the default bounds and no source restriction. */
    public SubscriptionOptions(Algo algo, Duration tolerance, boolean dotsplit, Optional<SignCheck> signCheck,
            Duration signTolerance) {
        this(algo, tolerance, dotsplit, signCheck, signTolerance, DEFAULT_MAX_KEYS, DEFAULT_MAX_NODES, List.of());
    }

    /** These options with other bounds. */
    public SubscriptionOptions withLimits(int newMaxKeys, int newMaxNodes) {
        return new SubscriptionOptions(algo, tolerance, dotsplit, signCheck, signTolerance, newMaxKeys, newMaxNodes,
                allow);
    }

    /** These options with another allow list. */
    public SubscriptionOptions withAllow(List<Cidr> newAllow) {
        return new SubscriptionOptions(algo, tolerance, dotsplit, signCheck, signTolerance, maxKeys, maxNodes,
                newAllow);
    }

    /**
     * One {@code --subscription-allow} entry: an IPv4 or IPv6 network, {@code 10.0.0.0/8},
     * {@code fd00::/8}, or one address ({@code 127.0.0.1} is {@code 127.0.0.1/32}). Bits past the prefix
     * are ignored. An IPv4 network also matches IPv4-mapped IPv6 sources ({@code ::ffff:10.1.2.3}), what
     * a dual-stack socket reports.
     *
     * @param text    as configured, for messages
     * @param network the address bytes (4 or 16), masked to the prefix
     * @param prefix  0-32 or 0-128
     */
    public record Cidr(String text, byte[] network, int prefix) {
        public Cidr {
            Objects.requireNonNull(text, "text");
            network = network.clone();
            if (network.length != 4 && network.length != 16) {
                throw new IllegalArgumentException(text + " (expected: an IPv4 or IPv6 address)");
            }
            if (prefix < 0 || prefix > network.length * 8) {
                throw new IllegalArgumentException(text + " (expected: a prefix of 0-" + network.length * 8 + ")");
            }
            for (int bit = prefix; bit < network.length * 8; bit++) {
                network[bit >> 3] &= (byte) ~(0x80 >>> (bit & 7));
            }
        }

        /**
         * Parses {@code ADDRESS[/PREFIX]}; IPv6 may be written in brackets.
         *
         * @throws IllegalArgumentException naming what is wrong
         */
        public static Cidr parse(String text) {
            int slash = text.indexOf('/');
            String host = slash < 0 ? text : text.substring(0, slash);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            byte[] address = NetUtil.createByteArrayFromIpAddressString(host);
            if (address == null) {
                throw new IllegalArgumentException(text + " (expected: ADDRESS[/PREFIX] with an IPv4 or IPv6 "
                        + "address, e.g. 10.0.0.0/8 or fd00::/8)");
            }
            int prefix = address.length * 8;
            if (slash >= 0) {
                String digits = text.substring(slash + 1);
                if (digits.isEmpty() || digits.length() > 3 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')
                        || Integer.parseInt(digits) > prefix) {
                    throw new IllegalArgumentException(text + " (expected: a prefix length of 0-" + prefix
                            + ")");
                }
                prefix = Integer.parseInt(digits);
            }
            return new Cidr(text, address, prefix);
        }

        /** Whether {@code address} is in this network. */
        public boolean matches(InetAddress address) {
            return matches(address.getAddress());
        }

        /** Whether the address bytes (4 or 16) are in this network. */
        public boolean matches(byte[] address) {
            int offset = 0;
            if (address.length != network.length) {
                if (network.length != 4 || !isIpv4Mapped(address)) {
                    return false;
                }
                offset = 12;
            }
            int whole = prefix >> 3;
            for (int i = 0; i < whole; i++) {
                if (address[offset + i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix & 7;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff00 >>> rest) & 0xff;
            return (address[offset + whole] & mask) == (network[whole] & 0xff);
        }

        private static boolean isIpv4Mapped(byte[] address) {
            if (address.length != 16) {
                return false;
            }
            for (int i = 0; i < 10; i++) {
                if (address[i] != 0) {
                    return false;
                }
            }
            return address[10] == (byte) 0xff && address[11] == (byte) 0xff;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Cidr c && prefix == c.prefix && Arrays.equals(network, c.network);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(network) * 31 + prefix;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /** Whether a packet from {@code address} may be read: the allow list is empty or has a network with it. */
    public boolean allows(InetAddress address) {
        if (allow.isEmpty()) {
            return true;
        }
        if (address == null) {
            return false; // an unresolved source is in no network
        }
        byte[] bytes = address.getAddress();
        for (Cidr cidr : allow) {
            if (cidr.matches(bytes)) {
                return true;
            }
        }
        return false;
    }

    /** Load-balancing algorithms of uWSGI 2.0 (spec §2.7). */
    public enum Algo {
        /** Weighted round robin; corerouter's is smooth and exact (deviations.md). */
        WRR,
        /** Least reference count: the node with the fewest requests in flight. */
        LRC,
        /** Weighted least reference count: fewest requests in flight per unit of weight. */
        WLRC;

        /** The option value: {@code wrr}, {@code lrc}, {@code wlrc}. */
        public String optionValue() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * {@code --subscriptions-sign-check DIGEST:DIR} (spec §2.9).
     *
     * @param digest    the OpenSSL digest name as given ({@code SHA256}, {@code sha1})
     * @param dir       where {@code <sanitised key>.pem} public keys are read from
     * @param algorithm the matching {@link Signature} algorithm: RSA PKCS#1 v1.5 ({@code SHA256withRSA})
     */
    public record SignCheck(String digest, Path dir, String algorithm) {
        public SignCheck {
            Objects.requireNonNull(digest, "digest");
            Objects.requireNonNull(dir, "dir");
            Objects.requireNonNull(algorithm, "algorithm");
        }

        /**
         * Maps an OpenSSL digest name to the JDK's RSA signature algorithm: {@code sha256} and
         * {@code SHA-256} give {@code SHA256withRSA}.
         *
         * @throws IllegalArgumentException if the JDK has no such RSA signature
         */
        public static String rsaAlgorithm(String digest) {
            String d = digest.toUpperCase(Locale.ROOT).replace("-", "");
            String algorithm = d + "withRSA";
            try {
                Signature.getInstance(algorithm);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalArgumentException(digest
                        + " (expected: a digest name such as SHA1, SHA256, SHA384 or SHA512)");
            }
            return algorithm;
        }
    }

    public SubscriptionOptions {
        Objects.requireNonNull(algo, "algo");
        requirePositive(TOLERANCE, tolerance);
        Objects.requireNonNull(signCheck, "signCheck");
        requirePositive(SIGN_CHECK_TOLERANCE, signTolerance);
        if (maxKeys < 1) {
            throw new IllegalArgumentException(MAX_KEYS + ": " + maxKeys + " (expected: > 0)");
        }
        if (maxNodes < 1) {
            throw new IllegalArgumentException(MAX_NODES + ": " + maxNodes + " (expected: > 0)");
        }
        allow = List.copyOf(allow);
    }

    private static void requirePositive(String what, Duration d) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + ": " + d + " (expected: > 0)");
        }
    }

    /**
     * What differs in {@code next}, one item per option as a reload reports it:
     * {@code subscription-algo=lrc}, {@code subscription-max-keys=100}, {@code subscriptions-sign-check off}.
     */
    public List<String> changesTo(SubscriptionOptions next) {
        List<String> items = new ArrayList<>();
        if (algo != next.algo) {
            items.add(ALGO + "=" + next.algo.optionValue());
        }
        if (!tolerance.equals(next.tolerance)) {
            items.add(TOLERANCE + "=" + next.tolerance.toSeconds());
        }
        if (dotsplit != next.dotsplit) {
            items.add(DOTSPLIT + "=" + next.dotsplit);
        }
        if (!signCheck.equals(next.signCheck)) {
            items.add(SIGN_CHECK + next.signCheck.map(c -> "=" + c.digest() + ":" + c.dir()).orElse(" off"));
        }
        if (!signTolerance.equals(next.signTolerance)) {
            items.add(SIGN_CHECK_TOLERANCE + "=" + next.signTolerance.toSeconds());
        }
        if (maxKeys != next.maxKeys) {
            items.add(MAX_KEYS + "=" + next.maxKeys);
        }
        if (maxNodes != next.maxNodes) {
            items.add(MAX_NODES + "=" + next.maxNodes);
        }
        if (!allow.equals(next.allow)) {
            items.add(ALLOW + (next.allow.isEmpty() ? " any" : "=" + next.allow));
        }
        return items;
    }

    /** Registers the global subscription server options. */
    public static void registerOptions(OptionTable table) {
        table.register(OptionSpec.required(GROUP, ALGO, "NAME", "wrr",
                "how a key's nodes share its requests: wrr (weighted round robin), lrc (least requests in flight) "
                        + "or wlrc (lrc per unit of weight)"));
        table.register(OptionSpec.required(GROUP, TOLERANCE, "N", Long.toString(DEFAULT_TOLERANCE.toSeconds()),
                "seconds without an announce after which a node is dead and removed"));
        table.register(OptionSpec.flag(GROUP, DOTSPLIT,
                "retry a missing key with its parent domains: a.b.example.com, .b.example.com, .example.com... "
                        + "(5 lookups at most)"));
        table.register(OptionSpec.required(GROUP, SIGN_CHECK, "DIGEST:DIR", "off",
                "accept only subscriptions signed with RSA and DIGEST, verified with DIR/<key>.pem"));
        table.register(OptionSpec.required(GROUP, SIGN_CHECK_TOLERANCE, "N",
                Long.toString(DEFAULT_SIGN_TOLERANCE.toSeconds()),
                "seconds a signed subscription's unix time may lag behind this clock"));
        table.register(OptionSpec.required(GROUP, MAX_KEYS, "N", Integer.toString(DEFAULT_MAX_KEYS),
                "keys a router's table holds at most; packets that would add one more are dropped and counted"));
        table.register(OptionSpec.required(GROUP, MAX_NODES, "N", Integer.toString(DEFAULT_MAX_NODES),
                "nodes a key holds at most; packets that would add one more are dropped and counted"));
        table.register(OptionSpec.required(GROUP, ALLOW, "CIDR", "any",
                "read subscription packets only from this IPv4 or IPv6 network (10.0.0.0/8, fd00::/8, 127.0.0.1); "
                        + "others are dropped and counted").asRepeatable());
    }

    /**
     * Reads the global subscription server options.
     *
     * @param warnings receives one line per ignored value (an unknown algorithm falls back to wrr,
     *                 as in uWSGI)
     * @throws ConfigException naming the first bad option
     */
    public static SubscriptionOptions from(ParsedOptions options, Consumer<String> warnings) throws ConfigException {
        Algo algo = Algo.WRR;
        Optional<ParsedOptions.Value> algoValue = options.lastValue(ALGO);
        if (algoValue.isPresent()) {
            String text = algoValue.get().text();
            try {
                algo = Algo.valueOf(text.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                warnings.accept(ALGO + ": unknown algorithm '" + text + "', using wrr (expected: wrr, lrc or wlrc)"
                        + ConfigException.suffix(algoValue.get().source()));
            }
        }
        Optional<SignCheck> signCheck = Optional.empty();
        Optional<ParsedOptions.Value> sign = options.lastValue(SIGN_CHECK);
        if (sign.isPresent()) {
            String text = sign.get().text();
            int colon = text.indexOf(':');
            if (colon <= 0 || colon == text.length() - 1) {
                throw ConfigException.invalid(SIGN_CHECK, text, "DIGEST:DIR", sign.get().source());
            }
            String digest = text.substring(0, colon);
            try {
                signCheck = Optional.of(new SignCheck(digest, Path.of(text.substring(colon + 1)),
                        SignCheck.rsaAlgorithm(digest)));
            } catch (IllegalArgumentException e) {
                throw ConfigException.of(SIGN_CHECK, e.getMessage(), sign.get().source());
            }
        }
        List<Cidr> allow = new ArrayList<>();
        for (ParsedOptions.Value value : options.values(ALLOW)) {
            try {
                allow.add(Cidr.parse(value.text()));
            } catch (IllegalArgumentException e) {
                throw ConfigException.of(ALLOW, e.getMessage(), value.source());
            }
        }
        return new SubscriptionOptions(algo,
                OptionValues.seconds(options, TOLERANCE, DEFAULT_TOLERANCE, 1),
                options.flag(DOTSPLIT),
                signCheck,
                OptionValues.seconds(options, SIGN_CHECK_TOLERANCE, DEFAULT_SIGN_TOLERANCE, 1),
                OptionValues.integer(options, MAX_KEYS, DEFAULT_MAX_KEYS, 1, Integer.MAX_VALUE),
                OptionValues.integer(options, MAX_NODES, DEFAULT_MAX_NODES, 1, Integer.MAX_VALUE),
                allow);
    }
}
