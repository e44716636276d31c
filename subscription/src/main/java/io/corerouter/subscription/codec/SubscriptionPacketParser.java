package io.corerouter.subscription.codec;

import static io.corerouter.subscription.codec.SubscriptionPacket.MAX_ADDRESS;
import static io.corerouter.subscription.codec.SubscriptionPacket.MAX_DATAGRAM;
import static io.corerouter.subscription.codec.SubscriptionPacket.MAX_KEY;
import static io.corerouter.subscription.codec.SubscriptionPacket.MAX_NOTIFY;

import io.corerouter.core.codec.uwsgi.UwsgiProtocolException;
import io.corerouter.core.codec.uwsgi.UwsgiVarVisitor;
import io.corerouter.core.codec.uwsgi.UwsgiVars;
import io.corerouter.core.codec.uwsgi.UwsgiVarsParser;
import io.corerouter.core.config.NodeProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;

/**
 * Decodes one subscription datagram (spec §2.1-2.2) all or nothing: the vars block is validated
 * first ({@link UwsgiVarsParser#validate}), then read; any broken rule throws
 * {@link InvalidSubscriptionException} and nothing of the datagram is used (deviations.md: uWSGI
 * applies the vars before a truncated record).
 *
 * <p>Header: modifier1 (byte 0) is ignored, the datasize (bytes 1-2) is ignored as in uWSGI (the
 * vars are the rest of the datagram), byte 3 is 0 for subscribe and anything else for unsubscribe.
 * Rejected: datagrams under 4 bytes or over {@value SubscriptionPacket#MAX_DATAGRAM}, broken records,
 * a missing, empty or over-255-byte key or address, a {@code notify} over 101 bytes, numbers that are
 * not plain decimal digits (uWSGI turns them into garbage), modifiers over 255, and a {@code sign}
 * that is not the last record (the bytes after it would not be covered by the signature). Unknown
 * vars are ignored; of repeated vars the last one counts.
 *
 * <p>Stateless; reads the readable bytes of the datagram without moving its indices.
 */
public final class SubscriptionPacketParser {
    private SubscriptionPacketParser() {
    }

    /**
     * Decodes the readable bytes of {@code datagram}.
     *
     * @throws InvalidSubscriptionException if any rule is broken
     */
    public static SubscriptionPacket parse(ByteBuf datagram) {
        int length = datagram.readableBytes();
        if (length < UwsgiVars.HEADER_LENGTH) {
            throw new InvalidSubscriptionException("datagram of " + length + " bytes is shorter than the uwsgi header");
        }
        if (length > MAX_DATAGRAM) {
            throw new InvalidSubscriptionException("datagram of " + length + " bytes (max " + MAX_DATAGRAM + ")");
        }
        int start = datagram.readerIndex();
        int varsIndex = start + UwsgiVars.HEADER_LENGTH;
        int varsLength = length - UwsgiVars.HEADER_LENGTH;
        try {
            UwsgiVarsParser.validate(datagram, varsIndex, varsLength);
        } catch (UwsgiProtocolException e) {
            throw new InvalidSubscriptionException(e.getMessage());
        }
        Fields fields = new Fields();
        // a duplicate, not a slice: the visitor's indices are then the datagram's own
        UwsgiVarsParser.forEach(datagram.duplicate().setIndex(varsIndex, varsIndex + varsLength), fields);
        boolean unsubscribe = datagram.getByte(start + 3) != 0;
        String key = required(fields.key, SubscriptionPacket.KEY, MAX_KEY);
        String address = required(fields.address, SubscriptionPacket.ADDRESS, MAX_ADDRESS);
        if (fields.notify != null && (fields.notify.isEmpty() || fields.notify.length() > MAX_NOTIFY)) {
            throw new InvalidSubscriptionException("notify of " + fields.notify.length() + " bytes (expected: 1-"
                    + MAX_NOTIFY + ")");
        }
        byte[] signature = null;
        byte[] signedBase = null;
        if (fields.signRecord >= 0) {
            if (!fields.signIsLast) {
                throw new InvalidSubscriptionException("sign is not the last var");
            }
            signature = ByteBufUtil.getBytes(datagram, fields.signValue, fields.signLength);
            signedBase = ByteBufUtil.getBytes(datagram, varsIndex, fields.signRecord - varsIndex);
        }
        return new SubscriptionPacket(unsubscribe, key, address, fields.modifier1, fields.modifier2, fields.cores,
                fields.load, fields.weight, fields.unix, fields.notify, fields.sniKey, fields.sniCrt, fields.sniCa,
                signature, signedBase, fields.proto);
    }

    private static String required(String value, String name, int max) {
        if (value == null) {
            throw new InvalidSubscriptionException("no " + name);
        }
        if (value.isEmpty() || value.length() > max) {
            throw new InvalidSubscriptionException(name + " of " + value.length() + " bytes (expected: 1-" + max + ")");
        }
        return value;
    }

    /** Collects the known vars; indices are the datagram's (the walk runs over a duplicate of it). */
    private static final class Fields implements UwsgiVarVisitor {
        String key;
        String address;
        int modifier1;
        int modifier2;
        long cores;
        long load;
        long weight;
        long unix;
        String notify;
        String sniKey;
        String sniCrt;
        String sniCa;
        String proto;
        int signRecord = -1;
        int signValue;
        int signLength;
        boolean signIsLast;

        @Override
        public boolean visit(ByteBuf block, int keyIndex, int keyLength, int valueIndex, int valueLength) {
            // a record after sign means sign was not last
            signIsLast = false;
            switch (keyLength) {
                case 3 -> {
                    if (is(block, keyIndex, keyLength, SubscriptionPacket.KEY)) {
                        key = text(block, valueIndex, valueLength);
                    }
                }
                case 4 -> {
                    if (is(block, keyIndex, keyLength, SubscriptionPacket.LOAD)) {
                        load = number(block, valueIndex, valueLength, SubscriptionPacket.LOAD, Long.MAX_VALUE);
                    } else if (is(block, keyIndex, keyLength, SubscriptionPacket.UNIX)) {
                        unix = number(block, valueIndex, valueLength, SubscriptionPacket.UNIX, Long.MAX_VALUE);
                    } else if (is(block, keyIndex, keyLength, SubscriptionPacket.SIGN)) {
                        signRecord = keyIndex - 2;
                        signValue = valueIndex;
                        signLength = valueLength;
                        signIsLast = true;
                    }
                }
                case 5 -> {
                    if (is(block, keyIndex, keyLength, SubscriptionPacket.CORES)) {
                        cores = number(block, valueIndex, valueLength, SubscriptionPacket.CORES, Long.MAX_VALUE);
                    } else if (is(block, keyIndex, keyLength, SubscriptionPacket.PROTO)) {
                        proto = text(block, valueIndex, valueLength);
                        try {
                            NodeProtocol.ofName(proto);
                        } catch (IllegalArgumentException e) {
                            throw new InvalidSubscriptionException("proto: " + e.getMessage());
                        }
                    }
                }
                case 6 -> {
                    if (is(block, keyIndex, keyLength, SubscriptionPacket.WEIGHT)) {
                        weight = number(block, valueIndex, valueLength, SubscriptionPacket.WEIGHT, Long.MAX_VALUE);
                    } else if (is(block, keyIndex, keyLength, SubscriptionPacket.NOTIFY)) {
                        notify = text(block, valueIndex, valueLength);
                    } else if (is(block, keyIndex, keyLength, SubscriptionPacket.SNI_CA)) {
                        sniCa = text(block, valueIndex, valueLength);
                    }
                }
                case 7 -> {
                    if (is(block, keyIndex, keyLength, SubscriptionPacket.ADDRESS)) {
                        address = text(block, valueIndex, valueLength);
                    } else if (is(block, keyIndex, keyLength, SubscriptionPacket.SNI_KEY)) {
                        sniKey = text(block, valueIndex, valueLength);
                    } else if (is(block, keyIndex, keyLength, SubscriptionPacket.SNI_CRT)) {
                        sniCrt = text(block, valueIndex, valueLength);
                    }
                }
                case 9 -> {
                    if (is(block, keyIndex, keyLength, SubscriptionPacket.MODIFIER1_VAR)) {
                        modifier1 = (int) number(block, valueIndex, valueLength, SubscriptionPacket.MODIFIER1_VAR, 255);
                    } else if (is(block, keyIndex, keyLength, SubscriptionPacket.MODIFIER2_VAR)) {
                        modifier2 = (int) number(block, valueIndex, valueLength, SubscriptionPacket.MODIFIER2_VAR, 255);
                    }
                }
                default -> {
                    // unknown var: ignored, like uWSGI
                }
            }
            return true;
        }

        private static boolean is(ByteBuf block, int keyIndex, int keyLength, String name) {
            return UwsgiVarsParser.keyEquals(block, keyIndex, keyLength, name);
        }

        private static String text(ByteBuf block, int index, int length) {
            return length == 0 ? "" : block.toString(index, length, StandardCharsets.ISO_8859_1);
        }

        /** Plain decimal digits, at most {@code max}; uWSGI's uwsgi_str_num does not check at all. */
        private static long number(ByteBuf block, int index, int length, String name, long max) {
            if (length == 0 || length > 19) {
                throw new InvalidSubscriptionException(name + ": " + length + "-digit number (expected: 1-19 digits)");
            }
            long n = 0;
            for (int i = 0; i < length; i++) {
                int digit = block.getByte(index + i) - '0';
                if (digit < 0 || digit > 9) {
                    throw new InvalidSubscriptionException(name + ": not a decimal number");
                }
                n = n * 10 + digit;
                if (n < 0) {
                    throw new InvalidSubscriptionException(name + ": number out of range");
                }
            }
            if (n > max) {
                throw new InvalidSubscriptionException(name + ": " + n + " (expected: 0-" + max + ")");
            }
            return n;
        }
    }
}
