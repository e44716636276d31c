package io.corerouter.fast;

import io.corerouter.core.codec.uwsgi.UwsgiPacket;
import io.corerouter.core.codec.uwsgi.UwsgiVarVisitor;
import io.corerouter.core.codec.uwsgi.UwsgiVarsParser;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * The fastrouter's routing key, read from the packet's vars in wire order with uWSGI's precedence
 * (spec §8.1 item 1, {@code fr_get_hostname}):
 * <ul>
 *   <li>{@code UWSGI_FASTROUTER_KEY} sets the key and locks out {@code HTTP_HOST}, in any position (a
 *       later one wins over an earlier one);</li>
 *   <li>{@code HTTP_HOST} sets the key unless {@code UWSGI_FASTROUTER_KEY} was seen; an empty value
 *       resets it to empty;</li>
 *   <li>{@code SERVER_NAME} sets the key only while it is still empty;</li>
 *   <li>a value longer than 255 bytes is ignored.</li>
 * </ul>
 * One pass over the vars, no allocation but the key itself.
 */
final class FastRouterKey implements UwsgiVarVisitor {
    /** Longest key value taken; longer values are ignored (uWSGI's key buffer). */
    static final int MAX_KEY_LENGTH = 255;

    private ByteBuf block;
    private int valueIndex;
    private int valueLength;
    private boolean locked;

    private FastRouterKey() {
    }

    /** The key of {@code packet}: {@code ""} when no var gave one. */
    static String of(UwsgiPacket packet) {
        FastRouterKey visitor = new FastRouterKey();
        packet.forEachVar(visitor);
        if (visitor.block == null || visitor.valueLength == 0) {
            return "";
        }
        return visitor.block.toString(visitor.valueIndex, visitor.valueLength, StandardCharsets.ISO_8859_1);
    }

    @Override
    public boolean visit(ByteBuf block, int keyIndex, int keyLength, int valueIndex, int valueLength) {
        if (valueLength > MAX_KEY_LENGTH) {
            return true;
        }
        if (UwsgiVarsParser.keyEquals(block, keyIndex, keyLength, "UWSGI_FASTROUTER_KEY")) {
            locked = true;
            set(block, valueIndex, valueLength);
        } else if (UwsgiVarsParser.keyEquals(block, keyIndex, keyLength, "HTTP_HOST")) {
            if (!locked) {
                set(block, valueIndex, valueLength);
            }
        } else if (UwsgiVarsParser.keyEquals(block, keyIndex, keyLength, "SERVER_NAME")) {
            if (this.valueLength == 0) {
                set(block, valueIndex, valueLength);
            }
        }
        return true;
    }

    private void set(ByteBuf block, int valueIndex, int valueLength) {
        this.block = block;
        this.valueIndex = valueIndex;
        this.valueLength = valueLength;
    }
}
