package io.corerouter.core.observe;

import io.netty.buffer.ByteBuf;

/** Reads the status of an HTTP/1.x status line at the start of a buffer, without copying. */
final class HttpStatusLine {
    private static final int MIN = "HTTP/1.1 200".length();

    private HttpStatusLine() {
    }

    /** The status code, or 0 when {@code buf} does not start with {@code HTTP/x.y NNN}. */
    static int status(ByteBuf buf) {
        int i = buf.readerIndex();
        if (buf.readableBytes() < MIN || buf.getByte(i) != 'H' || buf.getByte(i + 1) != 'T' || buf.getByte(i + 2) != 'T'
                || buf.getByte(i + 3) != 'P' || buf.getByte(i + 4) != '/' || buf.getByte(i + 8) != ' ') {
            return 0;
        }
        int status = 0;
        for (int j = i + 9; j < i + 12; j++) {
            byte b = buf.getByte(j);
            if (b < '0' || b > '9') {
                return 0;
            }
            status = status * 10 + (b - '0');
        }
        return status;
    }
}
