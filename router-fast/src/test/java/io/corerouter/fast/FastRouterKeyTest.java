package io.corerouter.fast;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.corerouter.core.codec.uwsgi.UwsgiPacket;
import io.corerouter.core.codec.uwsgi.UwsgiVars;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/** The key precedence of spec §8.1 item 1. */
class FastRouterKeyTest {
    private static String key(String... pairs) {
        ByteBuf vars = Unpooled.buffer();
        for (int i = 0; i < pairs.length; i += 2) {
            UwsgiVars.add(vars, pairs[i], pairs[i + 1]);
        }
        UwsgiPacket packet = new UwsgiPacket(0, 0, vars);
        try {
            return FastRouterKey.of(packet);
        } finally {
            packet.release();
        }
    }

    @Test
    void serverNameAlone() {
        assertEquals("s.test", key("SERVER_NAME", "s.test"));
    }

    @Test
    void httpHostAfterServerNameWins() {
        assertEquals("h.test", key("SERVER_NAME", "s.test", "HTTP_HOST", "h.test"));
    }

    @Test
    void serverNameAfterHttpHostIsIgnored() {
        assertEquals("h.test", key("HTTP_HOST", "h.test", "SERVER_NAME", "s.test"));
    }

    @Test
    void fastrouterKeyWinsInAnyPosition() {
        assertEquals("k", key("UWSGI_FASTROUTER_KEY", "k", "HTTP_HOST", "h.test", "SERVER_NAME", "s.test"));
        assertEquals("k", key("SERVER_NAME", "s.test", "HTTP_HOST", "h.test", "UWSGI_FASTROUTER_KEY", "k"));
        assertEquals("k2", key("UWSGI_FASTROUTER_KEY", "k1", "UWSGI_FASTROUTER_KEY", "k2"));
    }

    @Test
    void emptyHttpHostResetsThenServerNameSets() {
        assertEquals("s.test", key("HTTP_HOST", "h.test", "HTTP_HOST", "", "SERVER_NAME", "s.test"));
    }

    @Test
    void valuesOver255BytesAreIgnored() {
        assertEquals("s.test", key("SERVER_NAME", "s.test", "HTTP_HOST", "x".repeat(256)));
        assertEquals("x".repeat(255), key("HTTP_HOST", "x".repeat(255)));
    }

    @Test
    void noKeyVarGivesEmptyKey() {
        assertEquals("", key("REQUEST_METHOD", "GET"));
        assertEquals("", key());
    }
}
