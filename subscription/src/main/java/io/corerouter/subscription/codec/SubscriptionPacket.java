package io.corerouter.subscription.codec;

import java.util.Objects;

/**
 * One subscription datagram, decoded (spec §2.1-2.2): subscribe or unsubscribe one node
 * ({@code address}) for one routing {@code key}.
 *
 * <p>Strings are the raw bytes as ISO-8859-1 chars (one char per byte), so keys compare byte for
 * byte as in uWSGI. Absent optional strings are null, absent numbers 0 (what uWSGI stores).
 * {@code signature} and {@code signedBase} are present together: the RSA signature and the bytes it
 * covers, the vars before the {@code sign} record (spec §2.9). Arrays are not copied; treat them as
 * read-only.
 *
 * @param unsubscribe true when header byte 3 (modifier2) is not 0
 * @param key         routing key, 1-255 bytes
 * @param address     node address, 1-255 bytes
 * @param modifier1   0-255, applied only by the packet that creates the node
 * @param modifier2   0-255, likewise
 * @param cores       informational
 * @param load        informational
 * @param weight      WRR/WLRC weight; 0 means 1
 * @param unix        the signer's clock ({@code unix}), 0 when absent
 * @param notifyPath  UNIX datagram path acknowledged on node creation (spec §2.10), or null
 * @param sniKey      SNI key file (spec §5.4), or null
 * @param sniCrt      SNI certificate file, or null
 * @param sniCa       SNI client CA file, or null
 * @param signature   the {@code sign} value, or null
 * @param signedBase  the bytes the signature covers, or null
 * @param proto       what the node speaks ({@code uwsgi}, {@code puwsgi}, {@code http}: corerouter's key, which
 *                    uWSGI's routers ignore), or null for the router's {@code --R-subscription-protocol}
 */
public record SubscriptionPacket(boolean unsubscribe, String key, String address, int modifier1, int modifier2,
                                 long cores, long load, long weight, long unix, String notifyPath, String sniKey,
                                 String sniCrt, String sniCa, byte[] signature, byte[] signedBase, String proto) {
    /** modifier1 every uWSGI client sends; the server ignores it (spec §1.5). */
    public static final int MODIFIER1 = 224;
    /** Header byte 3 of a subscribe. */
    public static final int SUBSCRIBE = 0;
    /** Header byte 3 clients send to unsubscribe (any non-zero value unsubscribes). */
    public static final int UNSUBSCRIBE = 1;
    /** uWSGI reads subscriptions into a 4096-byte buffer; larger datagrams are rejected. */
    public static final int MAX_DATAGRAM = 4096;
    /** Longest key (uWSGI's slot key buffer, spec §2.2). */
    public static final int MAX_KEY = 255;
    /** Longest address. */
    public static final int MAX_ADDRESS = 255;
    /** Longest notify path (uWSGI's node.notify buffer). */
    public static final int MAX_NOTIFY = 101;

    // the vars of a subscription datagram (spec §2.2), in the order uWSGI's clients write them
    public static final String KEY = "key";
    public static final String ADDRESS = "address";
    public static final String MODIFIER1_VAR = "modifier1";
    public static final String MODIFIER2_VAR = "modifier2";
    public static final String CORES = "cores";
    public static final String LOAD = "load";
    public static final String WEIGHT = "weight";
    public static final String SNI_KEY = "sni_key";
    public static final String SNI_CRT = "sni_crt";
    public static final String SNI_CA = "sni_ca";
    public static final String NOTIFY = "notify";
    public static final String UNIX = "unix";
    public static final String SIGN = "sign";
    /** corerouter's key for the node's protocol (issue 10: persistent node connections). */
    public static final String PROTO = "proto";

    public SubscriptionPacket {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(address, "address");
        if ((signature == null) != (signedBase == null)) {
            throw new IllegalArgumentException("signature and signedBase go together");
        }
    }

    /** A subscribe (or unsubscribe) of {@code address} for {@code key} with every other field at its default. */
    public static SubscriptionPacket of(boolean unsubscribe, String key, String address) {
        return new SubscriptionPacket(unsubscribe, key, address, 0, 0, 0, 0, 0, 0, null, null, null, null, null, null, null);
    }

    /** The weight balancers use: 0 counts as 1 (spec §2.2). */
    public long effectiveWeight() {
        return weight == 0 ? 1 : weight;
    }

    /** Whether the packet is signed. */
    public boolean signed() {
        return signature != null;
    }

    /** This packet with another weight. */
    public SubscriptionPacket withWeight(long newWeight) {
        return new SubscriptionPacket(unsubscribe, key, address, modifier1, modifier2, cores, load, newWeight, unix,
                notifyPath, sniKey, sniCrt, sniCa, signature, signedBase, proto);
    }

    /** This packet with other modifiers. */
    public SubscriptionPacket withModifiers(int newModifier1, int newModifier2) {
        return new SubscriptionPacket(unsubscribe, key, address, newModifier1, newModifier2, cores, load, weight, unix,
                notifyPath, sniKey, sniCrt, sniCa, signature, signedBase, proto);
    }

    /** This packet as a subscribe ({@code false}) or unsubscribe ({@code true}). */
    public SubscriptionPacket withUnsubscribe(boolean newUnsubscribe) {
        return new SubscriptionPacket(newUnsubscribe, key, address, modifier1, modifier2, cores, load, weight, unix,
                notifyPath, sniKey, sniCrt, sniCa, signature, signedBase, proto);
    }

    /** This packet with another node address and no signature (what a router re-announces, spec §2.11). */
    public SubscriptionPacket forwardedAs(String newAddress) {
        return new SubscriptionPacket(unsubscribe, key, newAddress, modifier1, modifier2, 0, 0, 0, 0,
                null, sniKey, sniCrt, sniCa, null, null, proto);
    }

    /** This packet with a notify path. */
    public SubscriptionPacket withNotify(String newNotify) {
        return new SubscriptionPacket(unsubscribe, key, address, modifier1, modifier2, cores, load, weight, unix,
                newNotify, sniKey, sniCrt, sniCa, signature, signedBase, proto);
    }

    /** This packet with SNI files. */
    public SubscriptionPacket withSni(String newSniKey, String newSniCrt, String newSniCa) {
        return new SubscriptionPacket(unsubscribe, key, address, modifier1, modifier2, cores, load, weight, unix,
                notifyPath, newSniKey, newSniCrt, newSniCa, signature, signedBase, proto);
    }

    /** This packet with a {@code proto} value. */
    public SubscriptionPacket withProto(String newProto) {
        return new SubscriptionPacket(unsubscribe, key, address, modifier1, modifier2, cores, load, weight, unix,
                notifyPath, sniKey, sniCrt, sniCa, signature, signedBase, newProto);
    }

    /** This packet with a {@code unix} value (set by signing clients). */
    public SubscriptionPacket withUnix(long newUnix) {
        return new SubscriptionPacket(unsubscribe, key, address, modifier1, modifier2, cores, load, weight, newUnix,
                notifyPath, sniKey, sniCrt, sniCa, signature, signedBase, proto);
    }

    @Override
    public String toString() {
        return (unsubscribe ? "unsubscribe " : "subscribe ") + key + " => " + address;
    }
}
