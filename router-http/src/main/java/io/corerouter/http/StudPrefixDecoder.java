package io.corerouter.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * {@code --http-stud-prefix} (spec §4.11): a connection from a listed peer starts with the 5 bytes
 * stud writes, family {@code 0x02} then an IPv4 address. Decodes them into a {@link StudPrefix},
 * then removes itself; any other family is a protocol error and closes the connection.
 */
final class StudPrefixDecoder extends ByteToMessageDecoder {
    static final int LENGTH = 5;
    static final int AF_INET = 0x02;

    /** What the prefix said: the client address stud saw. */
    record StudPrefix(InetAddress client) {
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws UnknownHostException {
        if (in.readableBytes() < LENGTH) {
            return;
        }
        int family = in.readUnsignedByte();
        if (family != AF_INET) {
            in.skipBytes(in.readableBytes());
            throw new CorruptedFrameException("stud prefix with address family " + family + " (expected: 2)");
        }
        byte[] address = new byte[4];
        in.readBytes(address);
        out.add(new StudPrefix(InetAddress.getByAddress(address)));
        ctx.pipeline().remove(this);
    }
}
