package io.corerouter.subscription;

import io.corerouter.core.config.ConfigException;
import io.corerouter.core.config.OptionSpec;
import io.corerouter.core.config.OptionTable;
import io.corerouter.core.config.OptionValues;
import io.corerouter.core.config.ParsedOptions;
import io.corerouter.core.config.RouterSubscriptionOptions;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.security.Signature;
import java.time.Duration;
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
 */
public record SubscriptionOptions(Algo algo, Duration tolerance, boolean dotsplit, Optional<SignCheck> signCheck,
                                  Duration signTolerance) {
    public static final String ALGO = "subscription-algo";
    public static final String TOLERANCE = "subscription-tolerance";
    public static final String DOTSPLIT = "subscription-dotsplit";
    public static final String SIGN_CHECK = "subscriptions-sign-check";
    public static final String SIGN_CHECK_TOLERANCE = "subscriptions-sign-check-tolerance";
    /** Help section of the subscription server options. */
    public static final String GROUP = "Subscription server";
    public static final Duration DEFAULT_TOLERANCE = Duration.ofSeconds(17);
    public static final Duration DEFAULT_SIGN_TOLERANCE = Duration.ofSeconds(86400);
    /** The defaults: wrr, 17 s, no dotsplit, no signatures. */
    public static final SubscriptionOptions DEFAULTS = new SubscriptionOptions(Algo.WRR, DEFAULT_TOLERANCE, false,
            Optional.empty(), DEFAULT_SIGN_TOLERANCE);

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
    }

    private static void requirePositive(String what, Duration d) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + ": " + d + " (expected: > 0)");
        }
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
        return new SubscriptionOptions(algo,
                OptionValues.seconds(options, TOLERANCE, DEFAULT_TOLERANCE, 1),
                options.flag(DOTSPLIT),
                signCheck,
                OptionValues.seconds(options, SIGN_CHECK_TOLERANCE, DEFAULT_SIGN_TOLERANCE, 1));
    }
}
