package io.corerouter.core.codec.uwsgi;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Walks a uwsgi vars block ({@code u16le key_len | key | u16le val_len | val}, repeated; spec §1.2)
 * with the worker's strict rules, which also cover what the router-side parser rejects:
 *
 * <ul>
 *   <li>a key length needs two bytes; a trailing single byte is an overrun;</li>
 *   <li>a zero key length is rejected ("uwsgi key cannot be null");</li>
 *   <li>a key must end strictly before the block ends, leaving room for the value length;</li>
 *   <li>a value may end exactly at the end of the block; any length that overruns is rejected.</li>
 * </ul>
 *
 * <p>The block is the readable bytes of the given buffer; no method moves its indices. Breaking a
 * rule throws {@link UwsgiProtocolException} naming the offset (from the start of the block) and
 * the rule. There is no lenient mode: both consumers of raw blocks want all or nothing (the
 * fastrouter closes on a bad packet, spec §8.1; the subscription server rejects the whole datagram,
 * deviations.md), so they {@link #validate} first and then read.
 *
 * <p>Lookups compare the key's chars with the bytes in place (ISO-8859-1, one char per byte) and
 * allocate nothing but their result.
 */
public final class UwsgiVarsParser {
    private static final long NOT_FOUND = -1;

    private UwsgiVarsParser() {
    }

    /**
     * Checks every record of the readable bytes of {@code block}. Reads only the length fields, so
     * it costs a few reads per var.
     *
     * @return the number of records (vars) in the block
     * @throws UwsgiProtocolException at the first record that breaks a rule
     */
    public static int validate(ByteBuf block) {
        return validate(block, block.readerIndex(), block.readableBytes());
    }

    /**
     * Like {@link #validate(ByteBuf)} for the {@code length} bytes at {@code index} of {@code buf},
     * without making a slice.
     *
     * @return the number of records (vars) in the block
     * @throws UwsgiProtocolException at the first record that breaks a rule
     * @throws IndexOutOfBoundsException if the range is outside {@code buf}
     */
    public static int validate(ByteBuf buf, int index, int length) {
        if (index < 0 || length < 0 || index > buf.capacity() - length) {
            throw new IndexOutOfBoundsException(
                    "index: " + index + ", length: " + length + " (capacity: " + buf.capacity() + ")");
        }
        int start = index;
        int end = index + length;
        int count = 0;
        for (int p = start; p < end; p = nextRecord(buf, start, p, end)) {
            count++;
        }
        return count;
    }

    /**
     * Calls {@code visitor} for each record in order, checking each record before visiting it.
     * Records before a broken one have been visited when the exception is thrown: call
     * {@link #validate} first when a half-applied block must not happen.
     *
     * @return {@code true} if every record was visited, {@code false} if the visitor stopped
     * @throws UwsgiProtocolException at the first record that breaks a rule
     */
    public static boolean forEach(ByteBuf block, UwsgiVarVisitor visitor) {
        int start = block.readerIndex();
        int end = block.writerIndex();
        int p = start;
        while (p < end) {
            int next = nextRecord(block, start, p, end);
            int keyLength = block.getUnsignedShortLE(p);
            int keyIndex = p + 2;
            int valueIndex = keyIndex + keyLength + 2;
            if (!visitor.visit(block, keyIndex, keyLength, valueIndex, next - valueIndex)) {
                return false;
            }
            p = next;
        }
        return true;
    }

    /**
     * Whether the {@code keyLength} bytes at {@code keyIndex} are the chars of {@code key} (chars
     * above 255 never match). For visitors; allocates nothing.
     */
    public static boolean keyEquals(ByteBuf block, int keyIndex, int keyLength, CharSequence key) {
        if (keyLength != key.length()) {
            return false;
        }
        for (int i = 0; i < keyLength; i++) {
            if ((block.getByte(keyIndex + i) & 0xFF) != key.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The value of the last record whose key is {@code key}, decoded as ISO-8859-1 (later
     * occurrences win, as in the subscription server and the fastrouter key, spec §1.2).
     *
     * @return the value, {@code ""} for an empty one, {@code null} if no record has that key
     * @throws UwsgiProtocolException if the block breaks a rule
     */
    public static String get(ByteBuf block, CharSequence key) {
        long found = findLast(block, key);
        if (found == NOT_FOUND) {
            return null;
        }
        return block.toString(valueIndex(found), valueLength(found), StandardCharsets.ISO_8859_1);
    }

    /**
     * Like {@link #get} but returns the value bytes as a slice of {@code block}: not retained, so
     * valid only while the block is; {@link ByteBuf#retain()} it to keep it longer.
     *
     * @return the slice, empty for an empty value, {@code null} if no record has that key
     */
    public static ByteBuf getBytes(ByteBuf block, CharSequence key) {
        long found = findLast(block, key);
        if (found == NOT_FOUND) {
            return null;
        }
        return block.slice(valueIndex(found), valueLength(found));
    }

    /** Finds the last record with {@code key}; packs its value index and length into a long. */
    private static long findLast(ByteBuf block, CharSequence key) {
        int start = block.readerIndex();
        int end = block.writerIndex();
        long found = NOT_FOUND;
        int p = start;
        while (p < end) {
            int next = nextRecord(block, start, p, end);
            int keyLength = block.getUnsignedShortLE(p);
            if (keyEquals(block, p + 2, keyLength, key)) {
                int valueIndex = p + 2 + keyLength + 2;
                found = ((long) valueIndex << 32) | (next - valueIndex);
            }
            p = next;
        }
        return found;
    }

    private static int valueIndex(long found) {
        return (int) (found >>> 32);
    }

    private static int valueLength(long found) {
        return (int) found;
    }

    /**
     * Checks the record at {@code p} and returns the index just after it. Works on remaining byte
     * counts rather than end indices so no sum can overflow.
     */
    private static int nextRecord(ByteBuf block, int start, int p, int end) {
        int remaining = end - p;
        if (remaining < 2) {
            throw broken(start, p, "truncated key length (" + remaining + " byte left in the vars block)");
        }
        int keyLength = block.getUnsignedShortLE(p);
        if (keyLength == 0) {
            throw broken(start, p, "zero-length key (uwsgi key cannot be null)");
        }
        remaining -= 2;
        if (keyLength >= remaining) {
            throw broken(start, p, "key length " + keyLength + " overruns the vars block ("
                    + remaining + " bytes left; a key must end before the block does)");
        }
        int valueLengthIndex = p + 2 + keyLength;
        remaining -= keyLength;
        if (remaining < 2) {
            throw broken(start, valueLengthIndex,
                    "truncated value length (" + remaining + " byte left in the vars block)");
        }
        int valueLength = block.getUnsignedShortLE(valueLengthIndex);
        remaining -= 2;
        if (valueLength > remaining) {
            throw broken(start, valueLengthIndex, "value length " + valueLength
                    + " overruns the vars block (" + remaining + " bytes left)");
        }
        return valueLengthIndex + 2 + valueLength;
    }

    private static UwsgiProtocolException broken(int start, int index, String what) {
        return new UwsgiProtocolException("uwsgi vars at offset " + (index - start) + ": " + what);
    }
}
