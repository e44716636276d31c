package io.corerouter.core.codec.uwsgi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/**
 * Writes uwsgi packets in place: a 4-byte header followed by {@code u16le key_len | key | u16le
 * val_len | val} records (spec §1.1, §1.2).
 *
 * <p>Callers reserve the header with {@link #beginPacket}, append records, then patch the header
 * with {@link #finishPacket}. Nothing is allocated besides the target buffer. Character sequences
 * are written as ISO-8859-1, one byte per char, which is how Netty's HTTP decoder turned the raw
 * header bytes into chars: the bytes on the wire are the bytes the client sent.
 */
public final class UwsgiVars {
    /** Size of the uwsgi header: modifier1, u16le datasize, modifier2. */
    public static final int HEADER_LENGTH = 4;
    /** Largest vars block the header can describe. */
    public static final int MAX_DATASIZE = 0xFFFF;
    /** Largest key or value a u16 length can describe. */
    public static final int MAX_FIELD_LENGTH = 0xFFFF;

    private UwsgiVars() {
    }

    /**
     * Reserves the header at the writer index.
     *
     * @return the index of the header, to give to {@link #finishPacket}
     */
    public static int beginPacket(ByteBuf out) {
        int headerIndex = out.writerIndex();
        out.writeInt(0);
        return headerIndex;
    }

    /** Appends one record whose key and value are chars in the range 0-255. */
    public static void add(ByteBuf out, CharSequence key, CharSequence value) {
        writeField(out, key);
        writeField(out, value);
    }

    /** Appends one record whose value is the decimal text of {@code value} ({@code %lld}). */
    public static void addNumber(ByteBuf out, CharSequence key, long value) {
        writeField(out, key);
        int lengthIndex = out.writerIndex();
        out.writeShortLE(0);
        int start = out.writerIndex();
        ByteBufUtil.writeAscii(out, Long.toString(value));
        out.setShortLE(lengthIndex, out.writerIndex() - start);
    }

    /** Appends one record whose value is the readable bytes of {@code value} (not consumed). */
    public static void add(ByteBuf out, CharSequence key, ByteBuf value) {
        writeField(out, key);
        int length = value.readableBytes();
        checkFieldLength(length);
        out.writeShortLE(length);
        out.writeBytes(value, value.readerIndex(), length);
    }

    /**
     * Writes a u16le length followed by the chars of {@code field} as bytes.
     *
     * @throws TooLongUwsgiPacketException if the field is longer than 65535 bytes
     */
    public static void writeField(ByteBuf out, CharSequence field) {
        int length = field.length();
        checkFieldLength(length);
        out.writeShortLE(length);
        ByteBufUtil.writeAscii(out, field);
    }

    /**
     * Patches the header reserved by {@link #beginPacket} with the modifiers and the size of
     * everything written after it.
     *
     * @throws TooLongUwsgiPacketException if the vars block is larger than 65535 bytes
     */
    public static void finishPacket(ByteBuf out, int headerIndex, int modifier1, int modifier2) {
        int datasize = out.writerIndex() - headerIndex - HEADER_LENGTH;
        if (datasize > MAX_DATASIZE) {
            throw new TooLongUwsgiPacketException(datasize, MAX_DATASIZE);
        }
        out.setByte(headerIndex, modifier1);
        out.setShortLE(headerIndex + 1, datasize);
        out.setByte(headerIndex + 3, modifier2);
    }

    private static void checkFieldLength(int length) {
        if (length > MAX_FIELD_LENGTH) {
            throw new TooLongUwsgiPacketException(length, MAX_FIELD_LENGTH);
        }
    }
}
