package io.corerouter.core.codec.uwsgi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * One uwsgi packet without its body: the two header modifiers and the raw vars block (spec §1.1,
 * §1.2). {@link #content()} is the vars block exactly as on the wire; a decoded packet holds a
 * retained slice of the input, never a copy. The header's datasize is not stored: it is the
 * content's length, so the two cannot disagree.
 *
 * <p>Vars are read in place: {@link #get} and {@link #getBytes} allocate only their result, and
 * {@link #forEachVar} hands out index ranges. A packet produced by {@link UwsgiPacketDecoder} has
 * a valid block; on a hand-built one, the readers throw {@link UwsgiProtocolException} at the
 * first broken record. Build blocks with {@link UwsgiVars}.
 *
 * <p>Reference counted: whoever receives a packet releases it (or passes it on).
 */
public final class UwsgiPacket extends DefaultByteBufHolder {
    private final int modifier1;
    private final int modifier2;

    /**
     * Takes ownership of {@code vars} (its readable bytes are the vars block). If this throws, the
     * caller still owns {@code vars}.
     *
     * @throws IllegalArgumentException if a modifier is outside 0-255
     * @throws TooLongUwsgiPacketException if the block is longer than 65535 bytes
     */
    public UwsgiPacket(int modifier1, int modifier2, ByteBuf vars) {
        super(vars);
        this.modifier1 = UwsgiModifiers.checkModifier(modifier1, "modifier1");
        this.modifier2 = UwsgiModifiers.checkModifier(modifier2, "modifier2");
        if (vars.readableBytes() > UwsgiVars.MAX_DATASIZE) {
            throw new TooLongUwsgiPacketException(vars.readableBytes(), UwsgiVars.MAX_DATASIZE);
        }
    }

    /** Header byte 0: the request type (spec §1.5). */
    public int modifier1() {
        return modifier1;
    }

    /** Header byte 3: the sub-type; for subscriptions, 0 subscribes and anything else unsubscribes. */
    public int modifier2() {
        return modifier2;
    }

    /** The header's datasize: the length of the vars block. */
    public int datasize() {
        return content().readableBytes();
    }

    /**
     * Visits the vars in wire order, duplicates included.
     *
     * @return {@code true} if every var was visited, {@code false} if the visitor stopped
     * @see UwsgiVarsParser#forEach
     */
    public boolean forEachVar(UwsgiVarVisitor visitor) {
        return UwsgiVarsParser.forEach(content(), visitor);
    }

    /**
     * The value of the last var named {@code key}, as ISO-8859-1 text.
     *
     * @return the value, {@code ""} if empty, {@code null} if absent
     * @see UwsgiVarsParser#get
     */
    public String get(CharSequence key) {
        return UwsgiVarsParser.get(content(), key);
    }

    /**
     * The value bytes of the last var named {@code key}, as a slice of {@link #content()} that is
     * not retained: valid while this packet is.
     *
     * @return the slice, or {@code null} if absent
     * @see UwsgiVarsParser#getBytes
     */
    public ByteBuf getBytes(CharSequence key) {
        return UwsgiVarsParser.getBytes(content(), key);
    }

    @Override
    public UwsgiPacket copy() {
        return (UwsgiPacket) super.copy();
    }

    @Override
    public UwsgiPacket duplicate() {
        return (UwsgiPacket) super.duplicate();
    }

    @Override
    public UwsgiPacket retainedDuplicate() {
        return (UwsgiPacket) super.retainedDuplicate();
    }

    /** A packet with the same modifiers and {@code content} as its vars block. */
    @Override
    public UwsgiPacket replace(ByteBuf content) {
        return new UwsgiPacket(modifier1, modifier2, content);
    }

    /** The same vars with other modifiers, sharing (and retaining) this packet's content. */
    public UwsgiPacket withModifiers(int modifier1, int modifier2) {
        // checked before retaining, so a bad modifier cannot leak the duplicate
        UwsgiModifiers.checkModifier(modifier1, "modifier1");
        UwsgiModifiers.checkModifier(modifier2, "modifier2");
        return new UwsgiPacket(modifier1, modifier2, content().retainedDuplicate());
    }

    @Override
    public UwsgiPacket retain() {
        super.retain();
        return this;
    }

    @Override
    public UwsgiPacket retain(int increment) {
        super.retain(increment);
        return this;
    }

    @Override
    public UwsgiPacket touch() {
        super.touch();
        return this;
    }

    @Override
    public UwsgiPacket touch(Object hint) {
        super.touch(hint);
        return this;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UwsgiPacket other
                && modifier1 == other.modifier1
                && modifier2 == other.modifier2
                && super.equals(o);
    }

    @Override
    public int hashCode() {
        return (super.hashCode() * 31 + modifier1) * 31 + modifier2;
    }

    @Override
    public String toString() {
        return "UwsgiPacket(modifier1=" + modifier1 + ", modifier2=" + modifier2
                + ", datasize=" + content().readableBytes() + ")";
    }
}
