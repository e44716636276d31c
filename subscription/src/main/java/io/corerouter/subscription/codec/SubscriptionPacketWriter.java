package io.corerouter.subscription.codec;

import io.corerouter.core.codec.uwsgi.UwsgiVars;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.function.UnaryOperator;

/**
 * Writes subscription datagrams as uWSGI's clients do (spec §2.13): header {@code 224 | u16le size |
 * command}, then {@code key}, {@code address}, {@code modifier1}, {@code modifier2}, {@code cores},
 * {@code load}, {@code weight}, the SNI files and {@code notify} when set, and for signed packets
 * {@code unix} and finally {@code sign}, the RSA signature of every var byte before it (spec §2.9).
 * Used by the {@code Subscriber} client and by routers forwarding subscriptions (spec §2.11).
 */
public final class SubscriptionPacketWriter {
    private SubscriptionPacketWriter() {
    }

    /** Appends {@code packet} unsigned (with {@code unix} only if it is not 0). */
    public static void write(ByteBuf out, SubscriptionPacket packet) {
        write(out, packet, null);
    }

    /**
     * Appends {@code packet}; with a {@code signer}, appends {@code unix} and then {@code sign}, the
     * signer's answer for the var bytes written so far.
     *
     * @param signer the signature of the given bytes (RSA PKCS#1 v1.5), or null for an unsigned packet
     */
    public static void write(ByteBuf out, SubscriptionPacket packet, UnaryOperator<byte[]> signer) {
        int header = UwsgiVars.beginPacket(out);
        int vars = out.writerIndex();
        UwsgiVars.add(out, SubscriptionPacket.KEY, packet.key());
        UwsgiVars.add(out, SubscriptionPacket.ADDRESS, packet.address());
        UwsgiVars.addNumber(out, SubscriptionPacket.MODIFIER1_VAR, packet.modifier1());
        UwsgiVars.addNumber(out, SubscriptionPacket.MODIFIER2_VAR, packet.modifier2());
        UwsgiVars.addNumber(out, SubscriptionPacket.CORES, packet.cores());
        UwsgiVars.addNumber(out, SubscriptionPacket.LOAD, packet.load());
        UwsgiVars.addNumber(out, SubscriptionPacket.WEIGHT, packet.weight());
        addIfSet(out, SubscriptionPacket.SNI_KEY, packet.sniKey());
        addIfSet(out, SubscriptionPacket.SNI_CRT, packet.sniCrt());
        addIfSet(out, SubscriptionPacket.SNI_CA, packet.sniCa());
        addIfSet(out, SubscriptionPacket.NOTIFY, packet.notifyPath());
        addIfSet(out, SubscriptionPacket.PROTO, packet.proto());
        if (signer != null || packet.unix() != 0) {
            UwsgiVars.addNumber(out, SubscriptionPacket.UNIX, packet.unix());
        }
        if (signer != null) {
            byte[] signature = signer.apply(ByteBufUtil.getBytes(out, vars, out.writerIndex() - vars));
            UwsgiVars.writeField(out, SubscriptionPacket.SIGN);
            out.writeShortLE(signature.length);
            out.writeBytes(signature);
        }
        UwsgiVars.finishPacket(out, header, SubscriptionPacket.MODIFIER1,
                packet.unsubscribe() ? SubscriptionPacket.UNSUBSCRIBE : SubscriptionPacket.SUBSCRIBE);
    }

    private static void addIfSet(ByteBuf out, String name, String value) {
        if (value != null) {
            UwsgiVars.add(out, name, value);
        }
    }
}
