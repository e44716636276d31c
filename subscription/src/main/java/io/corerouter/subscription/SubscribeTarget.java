package io.corerouter.subscription;

import io.corerouter.core.config.Endpoint;
import io.corerouter.core.config.NodeProtocol;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One subscription this process announces, from {@code --subscribe2 k=v,...} or
 * {@code --subscribe-to [ADDRESS=]SERVER:KEY[,MODIFIER1[,DIGEST:PRIVKEY]]} (spec §2.13).
 *
 * <p>Keys, addresses and SNI paths are kept in the form they take on the wire: the ISO-8859-1 chars
 * of their UTF-8 bytes, one char per byte.
 *
 * @param server    the subscription server: UDP ({@link Endpoint.Kind#TCP TCP} endpoint) or a UNIX datagram path
 * @param key       the routing key announced, 1-255 bytes
 * @param address   the node address announced ({@code addr}), 1-255 bytes
 * @param weight    {@code weight} (0: the server counts it as 1)
 * @param modifier1 {@code modifier1} (0-255)
 * @param modifier2 {@code modifier2} (0-255)
 * @param sign      {@code sign=DIGEST:PRIVKEY}: sign every packet (spec §2.9)
 * @param check     {@code check=FILE}: skip this subscription while FILE exists
 * @param sniKey    {@code sni_key}: key file the server loads for an SNI context
 * @param sniCrt    {@code sni_crt}: certificate file
 * @param sniCa     {@code sni_ca}: client CA file
 * @param notifySocket {@code --subscription-notify-socket}: where the server acknowledges a new node
 * @param proto     {@code proto=uwsgi|puwsgi|http}: what the node speaks (corerouter's key, ignored by uWSGI)
 * @param text      the option as given, for logs
 */
public record SubscribeTarget(Endpoint server, String key, String address, long weight, int modifier1, int modifier2,
                              Optional<Sign> sign, Optional<Path> check, Optional<String> sniKey,
                              Optional<String> sniCrt, Optional<String> sniCa, Optional<String> notifySocket,
                              Optional<String> proto, String text) {
    public static final String SUBSCRIBE2 = "subscribe2";
    public static final String SUBSCRIBE_TO = "subscribe-to";
    /** Longest key or address a node may announce (spec §2.2). */
    public static final int MAX_FIELD_BYTES = 255;

    /**
     * {@code DIGEST:PRIVKEY}: an RSA private key (PEM, PKCS#8 or PKCS#1) and the digest to sign with.
     *
     * @param digest     the OpenSSL digest name as given
     * @param privateKey the PEM file
     * @param algorithm  the JDK signature algorithm ({@code SHA256withRSA})
     */
    public record Sign(String digest, Path privateKey, String algorithm) {
        public Sign {
            Objects.requireNonNull(digest, "digest");
            Objects.requireNonNull(privateKey, "privateKey");
            Objects.requireNonNull(algorithm, "algorithm");
        }

        static Sign parse(String text) {
            int colon = text.indexOf(':');
            if (colon <= 0 || colon == text.length() - 1) {
                throw new IllegalArgumentException("sign=" + text + " (expected: DIGEST:PRIVATE_KEY_FILE)");
            }
            String digest = text.substring(0, colon);
            return new Sign(digest, Path.of(text.substring(colon + 1)),
                    SubscriptionOptions.SignCheck.rsaAlgorithm(digest));
        }
    }

    public SubscribeTarget {
        Objects.requireNonNull(server, "server");
        checkField("key", key);
        checkField("addr", address);
        if (weight < 0) {
            throw new IllegalArgumentException("weight=" + weight + " (expected: >= 0)");
        }
        checkModifier("modifier1", modifier1);
        checkModifier("modifier2", modifier2);
        Objects.requireNonNull(sign, "sign");
        Objects.requireNonNull(check, "check");
        Objects.requireNonNull(sniKey, "sniKey");
        Objects.requireNonNull(sniCrt, "sniCrt");
        Objects.requireNonNull(sniCa, "sniCa");
        Objects.requireNonNull(notifySocket, "notifySocket");
        Objects.requireNonNull(proto, "proto");
        Objects.requireNonNull(text, "text");
    }

    private static void checkField(String name, String value) {
        Objects.requireNonNull(value, name);
        if (value.isEmpty() || value.length() > MAX_FIELD_BYTES) {
            throw new IllegalArgumentException(name + "=" + value + " (expected: 1-" + MAX_FIELD_BYTES + " bytes)");
        }
    }

    private static void checkModifier(String name, int value) {
        if (value < 0 || value > 255) {
            throw new IllegalArgumentException(name + "=" + value + " (expected: 0-255)");
        }
    }

    /** The ISO-8859-1 chars of the UTF-8 bytes of {@code text}: how it goes on the wire. */
    static String wire(String text) {
        return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    /**
     * Parses {@code --subscribe2 server=...,key=...[,addr=...][,weight=N][,modifier1=N][,modifier2=N]
     * [,sign=DIGEST:FILE][,check=FILE][,sni_key=...][,sni_crt=...][,sni_ca=...][,proto=P]}.
     *
     * @param warnings receives unknown keys, which are ignored
     * @throws IllegalArgumentException on a missing or malformed value
     */
    public static SubscribeTarget parseSubscribe2(String text, Optional<String> notify, List<String> warnings) {
        String server = null;
        String key = null;
        String addr = null;
        long weight = 0;
        Optional<String> proto = Optional.empty();
        int modifier1 = 0;
        int modifier2 = 0;
        Optional<Sign> sign = Optional.empty();
        Optional<Path> check = Optional.empty();
        Optional<String> sniKey = Optional.empty();
        Optional<String> sniCrt = Optional.empty();
        Optional<String> sniCa = Optional.empty();
        for (String item : text.split(",")) {
            if (item.isEmpty()) {
                continue;
            }
            int eq = item.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(item + " (expected: key=value)");
            }
            String name = item.substring(0, eq);
            String value = item.substring(eq + 1);
            switch (name) {
                case "server" -> server = value;
                case "key" -> key = value;
                case "addr" -> addr = value;
                case "weight" -> weight = number(name, value, Long.MAX_VALUE);
                case "modifier1" -> modifier1 = (int) number(name, value, 255);
                case "modifier2" -> modifier2 = (int) number(name, value, 255);
                case "sign" -> sign = Optional.of(Sign.parse(value));
                case "check" -> check = Optional.of(Path.of(value));
                case "sni_key" -> sniKey = Optional.of(wire(value));
                case "sni_crt" -> sniCrt = Optional.of(wire(value));
                case "sni_ca" -> sniCa = Optional.of(wire(value));
                case "proto" -> proto = Optional.of(NodeProtocol.ofName(value).name().toLowerCase(java.util.Locale.ROOT));
                case "socket" -> throw new IllegalArgumentException(
                        "socket=" + value + " (corerouter has no uwsgi sockets: give addr=ADDRESS)");
                default -> warnings.add(SUBSCRIBE2 + ": ignoring unknown key '" + name + "' in " + text);
            }
        }
        if (server == null || key == null) {
            throw new IllegalArgumentException(text + " (expected: at least server=ADDR,key=KEY)");
        }
        if (addr == null) {
            throw new IllegalArgumentException(text + " (expected: addr=ADDRESS: corerouter has no uwsgi socket "
                    + "to announce)");
        }
        return new SubscribeTarget(Endpoint.parseBackend(server), wire(key), wire(addr), weight, modifier1, modifier2,
                sign, check, sniKey, sniCrt, sniCa, notify.map(SubscribeTarget::wire), proto, text);
    }

    /**
     * Parses {@code --subscribe-to [ADDRESS=]SERVER:KEY[,MODIFIER1[,DIGEST:PRIVKEY]]}: SERVER is
     * {@code ip:port} or an absolute UNIX path, in which case KEY starts after the first ':' that
     * follows it. The {@code ADDRESS=} prefix is required here: uWSGI announces its first uwsgi
     * socket by default, and corerouter has none.
     *
     * @throws IllegalArgumentException on a malformed value
     */
    public static SubscribeTarget parseSubscribeTo(String text, Optional<String> notify) {
        int eq = text.indexOf('=');
        if (eq == 0) {
            throw new IllegalArgumentException(text + " (expected: ADDRESS=SERVER:KEY; =N shared sockets are "
                    + "not supported)");
        }
        if (eq < 0) {
            throw new IllegalArgumentException(text + " (expected: ADDRESS=SERVER:KEY: corerouter has no uwsgi "
                    + "socket to announce)");
        }
        String addr = text.substring(0, eq);
        String rest = text.substring(eq + 1);
        List<String> parts = new ArrayList<>(List.of(rest.split(",", -1)));
        String serverAndKey = parts.get(0);
        int keyColon;
        if (serverAndKey.startsWith("/")) {
            keyColon = serverAndKey.indexOf(':');
        } else {
            int portColon = serverAndKey.indexOf(':');
            keyColon = portColon < 0 ? -1 : serverAndKey.indexOf(':', portColon + 1);
        }
        if (keyColon <= 0 || keyColon == serverAndKey.length() - 1) {
            throw new IllegalArgumentException(text + " (expected: ADDRESS=SERVER:KEY with SERVER ip:port or "
                    + "/path)");
        }
        if (serverAndKey.startsWith("@")) {
            throw new IllegalArgumentException(text + " (expected: SERVER ip:port or /path)");
        }
        String server = serverAndKey.substring(0, keyColon);
        String key = serverAndKey.substring(keyColon + 1);
        int modifier1 = parts.size() > 1 && !parts.get(1).isEmpty() ? (int) number("modifier1", parts.get(1), 255) : 0;
        Optional<Sign> sign = parts.size() > 2 && !parts.get(2).isEmpty()
                ? Optional.of(Sign.parse(parts.get(2))) : Optional.empty();
        if (parts.size() > 3) {
            throw new IllegalArgumentException(text + " (expected: ADDRESS=SERVER:KEY[,MODIFIER1[,DIGEST:PRIVKEY]])");
        }
        if (key.startsWith("@")) {
            throw new IllegalArgumentException(text + " (@file key lists are not supported; give one key per "
                    + SUBSCRIBE_TO + ")");
        }
        return new SubscribeTarget(Endpoint.parseBackend(server), wire(key), wire(addr), 0, modifier1, 0, sign,
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                notify.map(SubscribeTarget::wire), Optional.empty(), text);
    }

    private static long number(String name, String value, long max) {
        if (value.isEmpty() || value.length() > 18 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException(name + "=" + value + " (expected: a number)");
        }
        long n = Long.parseLong(value);
        if (n > max) {
            throw new IllegalArgumentException(name + "=" + value + " (expected: 0-" + max + ")");
        }
        return n;
    }
}
