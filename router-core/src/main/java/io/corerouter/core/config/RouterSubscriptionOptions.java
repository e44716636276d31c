package io.corerouter.core.config;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One router's subscription options (spec §2.1, §2.8, §2.11), registered for router kind R by
 * {@link RouterOptionNames#registerSubscriptions} and read by {@link #from}, so every router kind
 * gets them with one call each.
 *
 * @param servers         {@code --R-subscription-server}: where nodes announce themselves. A
 *                        {@link Endpoint.Kind#TCP TCP} endpoint here means a UDP socket
 *                        ({@code host:port}); a path or {@code @name} a UNIX datagram socket
 * @param fallbackKey     {@code --R-subscription-fallback-key}: looked up when the key has no node; in
 *                        the form keys have on the wire (the ISO-8859-1 chars of its UTF-8 bytes)
 * @param resubscribe     {@code --R-resubscribe}: subscription servers every received subscription is
 *                        forwarded to, announcing this router's first listener (spec §2.11)
 * @param resubscribeBind {@code --R-resubscribe-bind}: UDP source address of the forwarded packets
 * @param protocol        {@code --R-subscription-protocol}: what subscribed nodes speak when their packet
 *                        has no {@code proto} key (default uwsgi)
 */
public record RouterSubscriptionOptions(List<Endpoint> servers, Optional<String> fallbackKey,
                                        List<Endpoint> resubscribe, Optional<Endpoint> resubscribeBind,
                                        NodeProtocol protocol) {
    /** No subscription server. */
    public static final RouterSubscriptionOptions NONE =
            new RouterSubscriptionOptions(List.of(), Optional.empty(), List.of(), Optional.empty());

    /** Subscribed nodes speak the classic uwsgi protocol unless their packet says otherwise. */
    public RouterSubscriptionOptions(List<Endpoint> servers, Optional<String> fallbackKey, List<Endpoint> resubscribe,
            Optional<Endpoint> resubscribeBind) {
        this(servers, fallbackKey, resubscribe, resubscribeBind, NodeProtocol.UWSGI);
    }

    /** A subscription key is at most 255 bytes (spec §2.2). */
    public static final int MAX_KEY_BYTES = 255;

    public RouterSubscriptionOptions {
        servers = List.copyOf(servers);
        Objects.requireNonNull(fallbackKey, "fallbackKey");
        resubscribe = List.copyOf(resubscribe);
        Objects.requireNonNull(resubscribeBind, "resubscribeBind");
        Objects.requireNonNull(protocol, "protocol");
    }

    /** Whether a subscription server is configured (the subscription table is the router's mapper). */
    public boolean enabled() {
        return !servers.isEmpty();
    }

    /**
     * Reads the subscription options of router {@code kind}; options the kind did not register read
     * as absent.
     *
     * @throws ConfigException naming the first bad option
     */
    public static RouterSubscriptionOptions from(ParsedOptions options, String kind) throws ConfigException {
        RouterOptionNames names = new RouterOptionNames(kind);
        List<Endpoint> servers = OptionValues.endpoints(options, names.subscriptionServer(), Endpoint::parseListener);
        Optional<ParsedOptions.Value> fallback = options.lastValue(names.subscriptionFallbackKey());
        Optional<String> fallbackKey = Optional.empty();
        if (fallback.isPresent()) {
            String key = fallback.get().text();
            byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
            if (bytes.length == 0 || bytes.length > MAX_KEY_BYTES) {
                throw ConfigException.invalid(names.subscriptionFallbackKey(), key, "a key of 1-255 bytes",
                        fallback.get().source());
            }
            fallbackKey = Optional.of(new String(bytes, StandardCharsets.ISO_8859_1));
        }
        List<Endpoint> resubscribe = OptionValues.endpoints(options, names.resubscribe(), Endpoint::parseBackend);
        List<Endpoint> bind = OptionValues.endpoints(options, names.resubscribeBind(), Endpoint::parseListener);
        for (Endpoint b : bind) {
            if (b.kind() != Endpoint.Kind.TCP) {
                throw ConfigException.invalid(names.resubscribeBind(), b.name(), "a UDP host:port",
                        options.lastValue(names.resubscribeBind()).orElseThrow().source());
            }
        }
        NodeProtocol protocol = NodeProtocol.UWSGI;
        Optional<ParsedOptions.Value> proto = options.lastValue(names.subscriptionProtocol());
        if (proto.isPresent()) {
            try {
                protocol = NodeProtocol.ofName(proto.get().text());
            } catch (IllegalArgumentException e) {
                throw ConfigException.invalid(names.subscriptionProtocol(), proto.get().text(), "uwsgi, puwsgi or http",
                        proto.get().source());
            }
        }
        return new RouterSubscriptionOptions(servers, fallbackKey, resubscribe,
                bind.isEmpty() ? Optional.empty() : Optional.of(bind.get(bind.size() - 1)), protocol);
    }
}
