package io.corerouter.subscription;

import io.corerouter.core.config.ConfigException;
import io.corerouter.core.config.OptionSpec;
import io.corerouter.core.config.OptionTable;
import io.corerouter.core.config.OptionValues;
import io.corerouter.core.config.ParsedOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The subscription client side (spec §2.13): nodes this process announces to subscription servers,
 * so a backend that is not uWSGI can join a router from a shell with {@code bin/corerouter
 * --subscribe2 server=...,key=...,addr=...}.
 *
 * @param targets {@code --subscribe2} and {@code --subscribe-to} entries, in option order
 * @param freq    {@code --subscribe-freq} (10 s): seconds between announces
 */
public record SubscriberOptions(List<SubscribeTarget> targets, Duration freq) {
    public static final String SUBSCRIBE2 = SubscribeTarget.SUBSCRIBE2;
    public static final String SUBSCRIBE_TO = SubscribeTarget.SUBSCRIBE_TO;
    public static final String FREQ = "subscribe-freq";
    public static final String NOTIFY_SOCKET = "subscription-notify-socket";
    /** Help section of the subscription client options. */
    public static final String GROUP = "Subscription client";
    public static final Duration DEFAULT_FREQ = Duration.ofSeconds(10);
    /** Nothing announced. */
    public static final SubscriberOptions NONE = new SubscriberOptions(List.of(), DEFAULT_FREQ);

    public SubscriberOptions {
        targets = List.copyOf(targets);
        Objects.requireNonNull(freq, "freq");
        if (freq.isNegative() || freq.isZero()) {
            throw new IllegalArgumentException(FREQ + ": " + freq + " (expected: > 0)");
        }
    }

    /** Whether anything is announced. */
    public boolean enabled() {
        return !targets.isEmpty();
    }

    /** Registers the subscription client options. */
    public static void registerOptions(OptionTable table) {
        table.register(OptionSpec.required(GROUP, SUBSCRIBE2, "k=v,...", "",
                        "announce a node: server=ADDR,key=KEY,addr=NODE[,weight=N][,modifier1=N][,modifier2=N]"
                                + "[,sign=DIGEST:PRIVKEY][,check=FILE][,sni_key=F,sni_crt=F,sni_ca=F][,proto=uwsgi|puwsgi|http]")
                .asRepeatable());
        table.register(OptionSpec.required(GROUP, SUBSCRIBE_TO, "NODE=SERVER:KEY", "",
                        "announce NODE for KEY to SERVER (ip:port or /path), uWSGI syntax; "
                                + "optionally ,MODIFIER1[,DIGEST:PRIVKEY]")
                .withAliases("st", "subscribe").asRepeatable());
        table.register(OptionSpec.required(GROUP, FREQ, "N", Long.toString(DEFAULT_FREQ.toSeconds()),
                "seconds between announces (after one at start and one a second later)"));
        table.register(OptionSpec.required(GROUP, NOTIFY_SOCKET, "PATH", "none",
                "ask servers to acknowledge new nodes with a datagram to this UNIX socket"));
    }

    /**
     * Reads the subscription client options, {@code --subscribe2} and {@code --subscribe-to} in the
     * order they were given.
     *
     * @throws ConfigException naming the first bad entry
     */
    public static SubscriberOptions from(ParsedOptions options, Consumer<String> warnings) throws ConfigException {
        Optional<String> notify = options.last(NOTIFY_SOCKET);
        List<SubscribeTarget> targets = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        for (ParsedOptions.Value value : options.inOrder()) {
            boolean two = value.option().equals(SUBSCRIBE2);
            if (!two && !value.option().equals(SUBSCRIBE_TO)) {
                continue;
            }
            try {
                targets.add(two ? SubscribeTarget.parseSubscribe2(value.text(), notify, lines)
                        : SubscribeTarget.parseSubscribeTo(value.text(), notify));
            } catch (IllegalArgumentException e) {
                throw ConfigException.of(value.option(), e.getMessage(), value.source());
            }
        }
        lines.forEach(warnings);
        return new SubscriberOptions(targets, OptionValues.seconds(options, FREQ, DEFAULT_FREQ, 1));
    }
}
