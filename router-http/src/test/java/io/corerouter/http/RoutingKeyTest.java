package io.corerouter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

class RoutingKeyTest {

    @Test
    void hostIsTakenVerbatimWithPortAndCase() {
        assertEquals("Example.COM:8080", RoutingKey.of(host("Example.COM:8080"), "sni.example", "vm"));
        assertEquals("[::1]:80", RoutingKey.of(host("[::1]:80"), null, "vm"));
    }

    @Test
    void withoutHostTheSniNameThenTheServerName() {
        assertEquals("sni.example", RoutingKey.of(new DefaultHttpHeaders(), "sni.example", "vm"));
        assertEquals("vm", RoutingKey.of(new DefaultHttpHeaders(), null, "vm"));
    }

    @Test
    void emptyHostIsABadRequest() {
        BadRequestException e = assertThrows(BadRequestException.class,
                () -> RoutingKey.of(host(""), "sni.example", "vm"));
        assertEquals("empty Host header", e.reason());
    }

    @Test
    void hostOf255BytesIsAcceptedAnd256Rejected() {
        String max = "h".repeat(RoutingKey.MAX_LENGTH);
        assertEquals(max, RoutingKey.of(host(max), null, "vm"));
        BadRequestException e = assertThrows(BadRequestException.class,
                () -> RoutingKey.of(host(max + "h"), null, "vm"));
        assertEquals("Host header longer than 255 bytes", e.reason());
    }

    @Test
    void repeatedHostsAreMergedLikeTheirVar() {
        HttpHeaders headers = new DefaultHttpHeaders().add("Host", "a").add("host", "b");
        assertEquals("a, b", RoutingKey.of(headers, null, "vm"));
        HttpHeaders tooLong = new DefaultHttpHeaders().add("Host", "h".repeat(200)).add("Host", "h".repeat(54));
        assertThrows(BadRequestException.class, () -> RoutingKey.of(tooLong, null, "vm"));
    }

    private static HttpHeaders host(String value) {
        return new DefaultHttpHeaders().add("Host", value);
    }
}
