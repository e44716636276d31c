package io.corerouter.core.codec.uwsgi;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/**
 * Writes a {@link UwsgiPacket} as its 4-byte header (modifier1, u16le datasize, modifier2) and its
 * vars block (spec §1.1). Stateless, so one {@link #INSTANCE} serves every pipeline.
 *
 * <p>A vars block over 65535 bytes cannot be described by the header: the write fails with an
 * {@link io.netty.handler.codec.EncoderException} caused by {@link TooLongUwsgiPacketException}
 * ({@link UwsgiPacket}'s constructor already rejects such blocks; this catches content grown
 * afterwards). The request body is not part of the packet: write it after as plain buffers.
 */
@Sharable
public final class UwsgiPacketEncoder extends MessageToByteEncoder<UwsgiPacket> {
    /** The one instance; the encoder holds no state. */
    public static final UwsgiPacketEncoder INSTANCE = new UwsgiPacketEncoder();

    private UwsgiPacketEncoder() {
        super(UwsgiPacket.class);
    }

    /**
     * Appends {@code packet}'s header and vars to {@code out} without consuming or releasing the
     * packet. For callers that assemble their own buffer (benchmarks, a front that prepends the
     * packet to buffered body bytes).
     *
     * @throws TooLongUwsgiPacketException if the vars block is longer than 65535 bytes
     */
    public static void write(UwsgiPacket packet, ByteBuf out) {
        ByteBuf vars = packet.content();
        int headerIndex = UwsgiVars.beginPacket(out);
        out.writeBytes(vars, vars.readerIndex(), vars.readableBytes());
        UwsgiVars.finishPacket(out, headerIndex, packet.modifier1(), packet.modifier2());
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, UwsgiPacket packet, ByteBuf out) {
        write(packet, out);
    }

    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, UwsgiPacket packet, boolean preferDirect) {
        int size = UwsgiVars.HEADER_LENGTH + packet.content().readableBytes();
        return preferDirect ? ctx.alloc().ioBuffer(size) : ctx.alloc().heapBuffer(size);
    }
}
