package io.corerouter.core.codec.uwsgi;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Decodes uwsgi packets (spec §1.1, §1.2) into {@link UwsgiPacket}s whose vars are retained slices
 * of the input. The vars block is validated once, when it is complete; a packet that comes out of
 * here never fails a read.
 *
 * <h2>Limits</h2>
 * <table>
 *   <caption>Limits and what happens when they are exceeded</caption>
 *   <tr><th>parameter</th><th>default</th><th>exceeded</th></tr>
 *   <tr><td>{@code maxDataSize}: largest datasize accepted, 0-65535</td><td>65535, the wire
 *       maximum, which is what the fastrouter accepts (spec §1.3, §8.1 item 8)</td>
 *       <td>{@link TooLongUwsgiPacketException}</td></tr>
 *   <tr><td>the rules of {@link UwsgiVarsParser}</td><td>-</td>
 *       <td>{@link UwsgiProtocolException}</td></tr>
 * </table>
 * After either exception the decoder is in {@code BAD_MESSAGE}: it discards (releases) all further
 * input, since framing is lost. The exception reaches {@code exceptionCaught}; close there.
 *
 * <h2>One packet or a stream</h2>
 * With {@code singlePacket = false} the input is a stream of packets, each a header and vars, no
 * body (subscription-like traffic). With {@code singlePacket = true} the first packet is decoded
 * and every later byte is the request body: it is passed on as plain {@link ByteBuf}s. A front that
 * relays the body (the fastrouter, STYLE.md item 5) should rather remove this decoder once it has
 * the packet, {@code ctx.pipeline().remove(decoder)}, even from inside {@code channelRead} of that
 * packet: {@link ByteToMessageDecoder} then hands any bytes it had already received on as one
 * {@link ByteBuf}, and later reads skip the decoder altogether. Those leftover bytes reach the next
 * handler from inside the {@code remove} call, so fire or store the packet first and be ready for
 * body bytes before removing.
 *
 * <p>Incomplete input waits: a header of fewer than 4 bytes or a partial vars block produce
 * nothing and the decoder keeps what it has (spec §8.1 item 5: the router waits until its timeout).
 */
public class UwsgiPacketDecoder extends ByteToMessageDecoder {
    /** Default for {@code maxDataSize}: the largest datasize the header can carry. */
    public static final int DEFAULT_MAX_DATA_SIZE = UwsgiVars.MAX_DATASIZE;

    private enum State {
        READ_HEADER,
        READ_VARS,
        BODY,
        BAD_MESSAGE
    }

    private final int maxDataSize;
    private final boolean singlePacket;

    private State state = State.READ_HEADER;
    private int modifier1;
    private int datasize;
    private int modifier2;

    /** A stream decoder with the default {@code maxDataSize} of 65535. */
    public UwsgiPacketDecoder() {
        this(DEFAULT_MAX_DATA_SIZE, false);
    }

    /**
     * @param maxDataSize largest datasize accepted, 0-65535
     * @param singlePacket {@code true} to decode one packet and pass the rest on as raw bytes,
     *     {@code false} to decode a stream of packets
     * @throws IllegalArgumentException if {@code maxDataSize} is outside 0-65535
     */
    public UwsgiPacketDecoder(int maxDataSize, boolean singlePacket) {
        if (maxDataSize < 0 || maxDataSize > UwsgiVars.MAX_DATASIZE) {
            throw new IllegalArgumentException(
                    "maxDataSize: " + maxDataSize + " (expected: 0-" + UwsgiVars.MAX_DATASIZE + ")");
        }
        this.maxDataSize = maxDataSize;
        this.singlePacket = singlePacket;
    }

    /** The largest datasize this decoder accepts. */
    public int maxDataSize() {
        return maxDataSize;
    }

    /** Whether this decoder stops after one packet and passes the rest on as raw bytes. */
    public boolean isSinglePacket() {
        return singlePacket;
    }

    @Override
    @SuppressWarnings("fallthrough") // READ_HEADER falls into READ_VARS, as in HttpObjectDecoder
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        switch (state) {
            case READ_HEADER:
                if (in.readableBytes() < UwsgiVars.HEADER_LENGTH) {
                    return;
                }
                int headerIndex = in.readerIndex();
                int size = in.getUnsignedShortLE(headerIndex + 1);
                if (size > maxDataSize) {
                    throw fail(in, new TooLongUwsgiPacketException(size, maxDataSize));
                }
                modifier1 = in.getUnsignedByte(headerIndex);
                modifier2 = in.getUnsignedByte(headerIndex + 3);
                datasize = size;
                in.skipBytes(UwsgiVars.HEADER_LENGTH);
                state = State.READ_VARS;
                // fall through: the vars are often in the same read
            case READ_VARS:
                if (in.readableBytes() < datasize) {
                    return;
                }
                try {
                    // validate before slicing: nothing to release if the block is broken
                    UwsgiVarsParser.validate(in, in.readerIndex(), datasize);
                } catch (UwsgiProtocolException e) {
                    throw fail(in, e);
                }
                out.add(new UwsgiPacket(modifier1, modifier2, in.readRetainedSlice(datasize)));
                state = singlePacket ? State.BODY : State.READ_HEADER;
                return;
            case BODY:
                int readable = in.readableBytes();
                if (readable > 0) {
                    out.add(in.readRetainedSlice(readable));
                }
                return;
            case BAD_MESSAGE:
                in.skipBytes(in.readableBytes());
                return;
            default:
                throw new IllegalStateException("unknown state: " + state);
        }
    }

    private UwsgiProtocolException fail(ByteBuf in, UwsgiProtocolException e) {
        state = State.BAD_MESSAGE;
        in.skipBytes(in.readableBytes());
        return e;
    }
}
