package io.corerouter.core.codec.uwsgi;

import io.netty.buffer.ByteBuf;

/**
 * Receives the records of a vars block as index ranges into the block, so a walk allocates
 * nothing: compare keys in place with {@link UwsgiVarsParser#keyEquals}, and slice or decode only
 * the values you keep. Driven by {@link UwsgiVarsParser#forEach} and {@link UwsgiPacket#forEachVar}.
 */
@FunctionalInterface
public interface UwsgiVarVisitor {
    /**
     * Visits one {@code key = value} record. Indices are absolute in {@code block} (for
     * {@link ByteBuf#getByte(int)} and friends); lengths may be 0 for a value, never for a key.
     *
     * @return {@code true} to go on with the next record, {@code false} to stop the walk
     */
    boolean visit(ByteBuf block, int keyIndex, int keyLength, int valueIndex, int valueLength);
}
