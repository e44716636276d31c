package io.corerouter.core.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.ZoneOffset;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class AccessLogFormatTest {
    /** nginx's "combined" format, as log parsers (goaccess, Logstash's COMBINEDAPACHELOG) read it. */
    static final Pattern COMBINED = Pattern.compile("^(\\S+) - (\\S+) \\[([^\\]]+)\\] \"(\\S+) (\\S+) (\\S+)\" (\\d{3}|-) "
            + "(\\d+) \"([^\"]*)\" \"([^\"]*)\"(.*)$");

    private static Exchange exchange() {
        Exchange e = new Exchange(new RouterObserver("http"), new RouterObserver("http").listener(":80"));
        e.remote = new InetSocketAddress("192.0.2.7", 5555);
        e.begin(0);
        e.method = "GET";
        e.uri = "/a?b=\"c\"";
        e.proto = "HTTP/1.1";
        e.referer = "http://ref/";
        e.uagent = "curl/8";
        e.node = "/run/app.sock";
        e.key = "example.com";
        e.status = 200;
        e.size = 1234;
        return e;
    }

    @Test
    void defaultFormatIsNginxCombinedPlusNodeAndDuration() {
        StringBuilder out = new StringBuilder();
        AccessLogFormat.parse(AccessLogFormat.DEFAULT, ZoneOffset.UTC).format(exchange(), 12_345_678, 1_796_226_000_000L, out);
        String line = out.toString();
        assertEquals("192.0.2.7 - - [02/Dec/2026:15:40:00 +0000] \"GET /a?b=\\x22c\\x22 HTTP/1.1\" 200 1234 "
                + "\"http://ref/\" \"curl/8\" node=/run/app.sock msecs=12", line);
        assertTrue(COMBINED.matcher(line).matches(), line);
    }

    @Test
    void everyVariable() {
        Exchange e = exchange();
        e.vars = new String[] {"req-1", null};
        StringBuilder out = new StringBuilder();
        AccessLogFormat.parse("%(addr)|%(method)|%(uri)|%(proto)|%(status)|%(size)|%(msecs)|%(micros)|%(time)|%(host)"
                + "|%(node)|%(key)|%(var.HTTP_X_REQUEST_ID)|%(var.HTTP_X_NONE)|%%", ZoneOffset.UTC)
                .format(e, 2_500_000, 1_796_226_000_123L, out);
        assertEquals("192.0.2.7|GET|/a?b=\\x22c\\x22|HTTP/1.1|200|1234|2|2500|1796226000|-|/run/app.sock|example.com"
                + "|req-1|-|%%", out.toString());
    }

    @Test
    void headerNamesFollowUwsgiCgiNaming() {
        AccessLogFormat f = AccessLogFormat.parse("%(var.HTTP_X_REQUEST_ID) %(var.CONTENT_TYPE) %(var.REMOTE_USER)");
        assertEquals("X-REQUEST-ID", f.headerNames()[0]);
        assertEquals("Content-Type", f.headerNames()[1]);
        assertEquals(null, f.headerNames()[2]);
        assertEquals("REMOTE_USER", f.varNames()[2]);
    }

    @Test
    void unknownVariableIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AccessLogFormat.parse("%(bogus)"));
        assertTrue(e.getMessage().contains("unknown variable %(bogus)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AccessLogFormat.parse("x %(uri"));
        assertTrue(e.getMessage().contains("unclosed"), e.getMessage());
    }
}
