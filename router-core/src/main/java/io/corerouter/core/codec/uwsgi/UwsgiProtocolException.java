package io.corerouter.core.codec.uwsgi;

import io.netty.handler.codec.DecoderException;

/**
 * A uwsgi packet that breaks the framing rules of spec §1 (zero-length key, a length that overruns
 * the vars block, a vars block over 65535 bytes). The connection that produced it cannot be trusted
 * to be in sync any more and is closed.
 */
public class UwsgiProtocolException extends DecoderException {
    public UwsgiProtocolException(String message) {
        super(message);
    }

    public UwsgiProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
