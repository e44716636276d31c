package io.corerouter.core.codec.uwsgi;

/**
 * The vars block would exceed its limit: the configured maximum on decode, or the wire maximum of
 * 65535 bytes ({@link UwsgiVars#MAX_DATASIZE}) on encode. Spec §1.1, §1.3.
 */
public class TooLongUwsgiPacketException extends UwsgiProtocolException {
    private final int size;
    private final int limit;

    public TooLongUwsgiPacketException(int size, int limit) {
        super("uwsgi vars block of " + size + " bytes exceeds the limit of " + limit);
        this.size = size;
        this.limit = limit;
    }

    public int size() {
        return size;
    }

    public int limit() {
        return limit;
    }
}
