package io.corerouter.http;

import static io.corerouter.http.UwsgiPacket.vars;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.core.codec.uwsgi.TooLongUwsgiPacketException;
import io.corerouter.core.codec.uwsgi.UwsgiVars;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.CharsetUtil;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import org.junit.jupiter.api.Test;

class HttpToUwsgiTest {
    private static final HttpToUwsgi PLAIN = new HttpToUwsgi("18080", "vm", false, List.of(), false);

    /** Spec §4.2 example, built in code. */
    @Test
    void specExample() {
        HttpRequest request = get("/a%20b/../c//d?x=1&y=%20");
        request.headers()
                .add("Host", "example.com:8080")
                .add("X-Foo", "a")
                .add("X-Foo", "b")
                .add("X-Foo", "c")
                .add("Content-Type", "text/x")
                .add("User-Agent", "t")
                .add("Accept-Encoding", "gzip");
        assertEquals(specExampleVars(), translate(PLAIN, request).vars());
    }

    /** Spec §4.2 example, from the bytes a client sends, through Netty's decoder. */
    @Test
    void specExampleFromTheWire() {
        HttpRequest request = decode("GET /a%20b/../c//d?x=1&y=%20 HTTP/1.1\r\n"
                + "Host: example.com:8080\r\n"
                + "X-Foo: a\r\n"
                + "X-Foo: b\r\n"
                + "X-Foo: c\r\n"
                + "Content-Type: text/x\r\n"
                + "User-Agent: t\r\n"
                + "Accept-Encoding: gzip\r\n"
                + "\r\n");
        assertEquals(specExampleVars(), translate(PLAIN, request).vars());
    }

    private static List<UwsgiPacket.Var> specExampleVars() {
        return vars(
                "REQUEST_METHOD", "GET",
                "PATH_INFO", "/c//d",
                "REQUEST_URI", "/a%20b/../c//d?x=1&y=%20",
                "QUERY_STRING", "x=1&y=%20",
                "SERVER_PROTOCOL", "HTTP/1.1",
                "SCRIPT_NAME", "",
                "SERVER_NAME", "vm",
                "SERVER_PORT", "18080",
                "UWSGI_ROUTER", "http",
                "REMOTE_ADDR", "127.0.0.1",
                "REMOTE_PORT", "54321",
                "HTTP_HOST", "example.com:8080",
                "HTTP_X_FOO", "a, b, c",
                "CONTENT_TYPE", "text/x",
                "HTTP_USER_AGENT", "t",
                "HTTP_ACCEPT_ENCODING", "gzip");
    }

    @Test
    void withoutQueryRequestUriComesBeforePathInfoAndQueryStringIsEmpty() {
        HttpRequest request = get("/x/./y/../z%41");
        request.headers().add("Host", "h");
        assertEquals(vars(
                "REQUEST_METHOD", "GET",
                "REQUEST_URI", "/x/./y/../z%41",
                "PATH_INFO", "/x/zA",
                "QUERY_STRING", "",
                "SERVER_PROTOCOL", "HTTP/1.1",
                "SCRIPT_NAME", "",
                "SERVER_NAME", "vm",
                "SERVER_PORT", "18080",
                "UWSGI_ROUTER", "http",
                "REMOTE_ADDR", "127.0.0.1",
                "REMOTE_PORT", "54321",
                "HTTP_HOST", "h"), translate(PLAIN, request).vars());
    }

    @Test
    void queryStringIsRawTextAfterTheFirstQuestionMark() {
        UwsgiPacket packet = translate(PLAIN, get("/p%2F#frag?a=%20+b?c#d"));
        assertEquals("/p/", packet.get("PATH_INFO"));
        assertEquals("/p%2F#frag?a=%20+b?c#d", packet.get("REQUEST_URI"));
        assertEquals("a=%20+b?c#d", packet.get("QUERY_STRING"));
        assertEquals(List.of("REQUEST_METHOD", "PATH_INFO", "REQUEST_URI", "QUERY_STRING"),
                packet.keys().subList(0, 4));

        UwsgiPacket emptyQuery = translate(PLAIN, get("/p?"));
        assertEquals(List.of("REQUEST_METHOD", "PATH_INFO", "REQUEST_URI", "QUERY_STRING"),
                emptyQuery.keys().subList(0, 4));
        assertEquals("", emptyQuery.get("QUERY_STRING"));
    }

    @Test
    void postWithContentLengthHasNoPrefixAndKeepsItsPosition() {
        HttpRequest request = decode("POST /form HTTP/1.1\r\n"
                + "Host: h\r\n"
                + "Content-Length: 11\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\n"
                + "Accept: */*\r\n"
                + "\r\n"
                + "a=1&b=2&c=3");
        UwsgiPacket packet = translate(PLAIN, request);
        assertEquals("POST", packet.get("REQUEST_METHOD"));
        assertEquals(vars(
                "HTTP_HOST", "h",
                "CONTENT_LENGTH", "11",
                "CONTENT_TYPE", "application/x-www-form-urlencoded",
                "HTTP_ACCEPT", "*/*"), headerVars(packet));
    }

    @Test
    void headWithoutContentLengthSendsNone() {
        HttpRequest request = decode("HEAD /x HTTP/1.0\r\nHost: h\r\n\r\n");
        UwsgiPacket packet = translate(PLAIN, request);
        assertEquals("HEAD", packet.get("REQUEST_METHOD"));
        assertEquals("HTTP/1.0", packet.get("SERVER_PROTOCOL"));
        assertFalse(packet.keys().contains("CONTENT_LENGTH"));
        assertFalse(packet.keys().contains("HTTP_CONTENT_LENGTH"));
    }

    @Test
    void methodIsNotValidatedOrNormalised() {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf("get"), "/");
        assertEquals("get", translate(PLAIN, request).get("REQUEST_METHOD"));
    }

    @Test
    void headersWhoseMangledNamesMatchAreMergedAtTheFirstPosition() {
        HttpRequest request = decode("GET / HTTP/1.1\r\n"
                + "X-Foo: 1\r\n"
                + "Accept: a\r\n"
                + "x-foo: 2\r\n"
                + "content-type: t\r\n"
                + "X_Foo: 3\r\n"
                + "Content_Type: u\r\n"
                + "Host: h\r\n"
                + "ACCEPT: b\r\n"
                + "\r\n");
        assertEquals(vars(
                "HTTP_X_FOO", "1, 2, 3",
                "HTTP_ACCEPT", "a, b",
                "CONTENT_TYPE", "t, u",
                "HTTP_HOST", "h"), headerVars(translate(PLAIN, request)));
    }

    @Test
    void valuesAreWrittenAsNettyTrimmedThem() {
        // uWSGI keeps trailing whitespace and a leading TAB (spec §4.1); we send the trimmed value
        HttpRequest request = decode("GET / HTTP/1.1\r\nX-Pad: \t v  w \t \r\nX-Empty:\r\n\r\n");
        assertEquals(vars("HTTP_X_PAD", "v  w", "HTTP_X_EMPTY", ""), headerVars(translate(PLAIN, request)));
    }

    @Test
    void namesAreMangledOnlyByCaseAndDash() {
        HttpRequest request = get("/");
        request.headers().add("x-a.b~c", "1").add("Sec-CH-UA", "2").add("content-length-x", "3");
        assertEquals(vars("HTTP_X_A.B~C", "1", "HTTP_SEC_CH_UA", "2", "HTTP_CONTENT_LENGTH_X", "3"),
                headerVars(translate(PLAIN, request)));
    }

    @Test
    void serverNameAsHttpHostPutsTheHostRightBeforeHttpHost() {
        HttpToUwsgi translator = new HttpToUwsgi("80", "vm", true, List.of(), false);
        HttpRequest request = get("/");
        request.headers().add("Accept", "*/*").add("Host", "Example.com:80").add("X", "y");
        UwsgiPacket packet = translate(translator, request);
        assertEquals(List.of("REQUEST_METHOD", "REQUEST_URI", "PATH_INFO", "QUERY_STRING", "SERVER_PROTOCOL",
                "SCRIPT_NAME", "SERVER_PORT", "UWSGI_ROUTER", "REMOTE_ADDR", "REMOTE_PORT",
                "HTTP_ACCEPT", "SERVER_NAME", "HTTP_HOST", "HTTP_X"), packet.keys());
        assertEquals("Example.com:80", packet.get("SERVER_NAME"));
        assertEquals("Example.com:80", packet.get("HTTP_HOST"));
    }

    @Test
    void serverNameAsHttpHostWithoutHostSendsNoServerName() {
        HttpToUwsgi translator = new HttpToUwsgi("80", "vm", true, List.of(), false);
        HttpRequest request = decode("GET / HTTP/1.0\r\nAccept: */*\r\n\r\n");
        UwsgiPacket packet = translate(translator, request);
        assertFalse(packet.keys().contains("SERVER_NAME"), packet.keys().toString());
        assertEquals(vars("HTTP_ACCEPT", "*/*"), headerVars(packet));
    }

    @Test
    void repeatedHostIsMergedInServerNameToo() {
        HttpToUwsgi translator = new HttpToUwsgi("80", "vm", true, List.of(), false);
        HttpRequest request = get("/");
        request.headers().add("X-Foo", "1").add("Host", "a").add("X-Foo", "2").add("host", "b").add("Z", "z");
        assertEquals(vars(
                "HTTP_X_FOO", "1, 2",
                "SERVER_NAME", "a, b",
                "HTTP_HOST", "a, b",
                "HTTP_Z", "z"), headerVars(translate(translator, request)));

        HttpRequest plain = get("/");
        plain.headers().add("Host", "a").add("host", "b");
        UwsgiPacket packet = translate(PLAIN, plain);
        assertEquals("vm", packet.get("SERVER_NAME"));
        assertEquals("a, b", packet.get("HTTP_HOST"));
    }

    @Test
    void httpsListenerSaysSoAfterUwsgiRouter() {
        HttpToUwsgi https = new HttpToUwsgi("443", "vm", false, List.of(), true);
        UwsgiPacket packet = translate(https, get("/"));
        List<String> keys = packet.keys();
        assertEquals(List.of("SERVER_NAME", "SERVER_PORT", "UWSGI_ROUTER", "HTTPS", "REMOTE_ADDR"),
                keys.subList(keys.indexOf("SERVER_NAME"), keys.indexOf("REMOTE_ADDR") + 1));
        assertEquals("on", packet.get("HTTPS"));
        assertEquals("443", packet.get("SERVER_PORT"));
        assertFalse(translate(PLAIN, get("/")).keys().contains("HTTPS"));
    }

    @Test
    void extraVarsComeLastInOptionOrder() {
        List<UwsgiVar> extra = List.of(
                new UwsgiVar("B", "2"),
                new UwsgiVar("A", "x=y"),
                new UwsgiVar("EMPTY", ""),
                new UwsgiVar("B", "again"));
        HttpToUwsgi translator = new HttpToUwsgi("", "vm", false, extra, false);
        HttpRequest request = get("/");
        request.headers().add("Host", "h");
        UwsgiPacket packet = translate(translator, request);
        List<UwsgiPacket.Var> all = packet.vars();
        assertEquals(vars("HTTP_HOST", "h", "B", "2", "A", "x=y", "EMPTY", "", "B", "again"),
                all.subList(all.size() - 5, all.size()));
        assertEquals("", packet.get("SERVER_PORT"));
    }

    @Test
    void remotePortIsInHostOrder() {
        HttpRequest request = get("/");
        assertEquals("4660", translate(PLAIN, request, "10.0.0.1", 0x1234).get("REMOTE_PORT"));
        assertEquals("1", translate(PLAIN, request, "10.0.0.1", 1).get("REMOTE_PORT"));
        assertEquals("65535", translate(PLAIN, request, "::1", 65535).get("REMOTE_PORT"));
        assertEquals("::1", translate(PLAIN, request, "::1", 65535).get("REMOTE_ADDR"));
    }

    @Test
    void negativeRemotePortLeavesTheVarOut() {
        UwsgiPacket packet = translate(PLAIN, get("/"), "192.0.2.1", -1);
        assertEquals("192.0.2.1", packet.get("REMOTE_ADDR"));
        assertFalse(packet.keys().contains("REMOTE_PORT"));
    }

    @Test
    void highBytesInHeadersAndTargetSurviveByteExact() {
        byte[] head = ("GET /caf\u00e9/%C3%A9?q=\u00ff\u0080 HTTP/1.1\r\n"
                + "Host: h\r\n"
                + "X-Bin: \u0080\u00ff\u00e9 a\u00a0b\r\n"
                + "\r\n").getBytes(CharsetUtil.ISO_8859_1);
        HttpRequest request = decode(head);
        ByteBuf out = PooledByteBufAllocator.DEFAULT.directBuffer();
        try {
            PLAIN.write(request, "127.0.0.1", 54321, out, 0, 0);
            assertContains(out, record("HTTP_X_BIN",
                    new byte[] {(byte) 0x80, (byte) 0xff, (byte) 0xe9, ' ', 'a', (byte) 0xa0, 'b'}));
            assertContains(out, record("PATH_INFO",
                    new byte[] {'/', 'c', 'a', 'f', (byte) 0xe9, '/', (byte) 0xc3, (byte) 0xa9}));
            assertContains(out, record("QUERY_STRING", new byte[] {'q', '=', (byte) 0xff, (byte) 0x80}));
        } finally {
            out.release();
        }
    }

    @Test
    void headerFieldsModifiersAndDatasize() {
        ByteBuf out = PooledByteBufAllocator.DEFAULT.heapBuffer();
        try {
            out.writeCharSequence("junk", CharsetUtil.US_ASCII);
            int written = PLAIN.write(get("/"), "127.0.0.1", 54321, out, 5, 3);
            assertEquals(out.readableBytes() - 4, written);
            assertEquals("junk", out.readCharSequence(4, CharsetUtil.US_ASCII).toString());
            UwsgiPacket packet = UwsgiPacket.parse(out);
            assertEquals(5, packet.modifier1());
            assertEquals(3, packet.modifier2());
            assertEquals(written - 4, out.getUnsignedShortLE(out.readerIndex() + 1));
        } finally {
            out.release();
        }
    }

    @Test
    void aBlockOfExactly65535BytesFitsAndOneMoreThrows() {
        int probeLength = 100;
        ByteBuf out = PooledByteBufAllocator.DEFAULT.directBuffer();
        try {
            PLAIN.write(withFiller(probeLength), "127.0.0.1", 54321, out, 0, 0);
            int fitting = probeLength + UwsgiVars.MAX_DATASIZE - (out.readableBytes() - UwsgiVars.HEADER_LENGTH);
            out.clear();
            PLAIN.write(withFiller(fitting), "127.0.0.1", 54321, out, 0, 0);
            assertEquals(UwsgiVars.MAX_DATASIZE, out.readableBytes() - UwsgiVars.HEADER_LENGTH);
            assertEquals(UwsgiVars.MAX_DATASIZE, out.getUnsignedShortLE(1));

            out.clear().writeByte('x');
            TooLongUwsgiPacketException e = assertThrows(TooLongUwsgiPacketException.class,
                    () -> PLAIN.write(withFiller(fitting + 1), "127.0.0.1", 54321, out, 0, 0));
            assertEquals(UwsgiVars.MAX_DATASIZE + 1, e.size());
            assertEquals(1, out.writerIndex(), "out is left as it was");
        } finally {
            out.release();
        }
    }

    @Test
    void mergedValueOver65535BytesThrows() {
        HttpRequest request = get("/");
        String half = "v".repeat(40_000);
        request.headers().add("X-Big", half).add("X-Big", half);
        ByteBuf out = PooledByteBufAllocator.DEFAULT.directBuffer();
        try {
            assertThrows(TooLongUwsgiPacketException.class,
                    () -> PLAIN.write(request, "127.0.0.1", 54321, out, 0, 0));
            assertEquals(0, out.writerIndex());
        } finally {
            out.release();
        }
    }

    @Test
    void manyHeadersWithOneMergeKeepEveryOtherVarIntact() {
        HttpRequest request = get("/");
        HttpHeaders headers = request.headers();
        for (int i = 0; i < 40; i++) {
            headers.add("H" + i, "value-" + i);
            if (i % 7 == 0) {
                headers.add("h0", "again-" + i);
            }
        }
        UwsgiPacket packet = translate(PLAIN, request);
        List<UwsgiPacket.Var> vars = headerVars(packet);
        assertEquals(40, vars.size());
        assertEquals("value-0, again-0, again-7, again-14, again-21, again-28, again-35", vars.get(0).value());
        for (int i = 1; i < 40; i++) {
            assertEquals(new UwsgiPacket.Var("HTTP_H" + i, "value-" + i), vars.get(i));
        }
    }

    @Test
    void aLongHeaderListIsMergedTheSameWay() {
        HttpRequest request = get("/");
        HttpHeaders headers = request.headers();
        headers.add("X-Rep", "first");
        for (int i = 0; i < 200; i++) {
            headers.add("X-H" + i, "value-" + i);
            headers.add(i % 2 == 0 ? "x-rep" : "X_REP", String.valueOf(i));
        }
        headers.add("Host", "h");
        HttpToUwsgi translator = new HttpToUwsgi("80", "vm", true, List.of(), false);
        List<UwsgiPacket.Var> vars = headerVars(translate(translator, request));
        assertEquals(203, vars.size());
        assertEquals("HTTP_X_REP", vars.get(0).key());
        assertTrue(vars.get(0).value().startsWith("first, 0, 1, 2, "));
        assertTrue(vars.get(0).value().endsWith(", 198, 199"));
        assertEquals(new UwsgiPacket.Var("HTTP_X_H199", "value-199"), vars.get(200));
        assertEquals(vars("SERVER_NAME", "h", "HTTP_HOST", "h"), vars.subList(201, 203));
    }

    @Test
    void oneTranslatorServesManyRequestsAlike() {
        HttpRequest request = decode("GET /a?b HTTP/1.1\r\nHost: h\r\nX: 1\r\nx: 2\r\n\r\n");
        UwsgiPacket first = translate(PLAIN, request);
        assertEquals(first, translate(PLAIN, request));
        assertEquals("1, 2", first.get("HTTP_X"));
        assertEquals("1", request.headers().getAll("X").get(0), "the request is not modified");
    }

    private static HttpRequest withFiller(int length) {
        HttpRequest request = get("/");
        request.headers().add("Host", "h").add("X-Filler", "f".repeat(length));
        return request;
    }

    private static HttpRequest get(String uri) {
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
    }

    private static HttpRequest decode(String head) {
        return decode(head.getBytes(CharsetUtil.ISO_8859_1));
    }

    /** Feeds raw bytes through Netty's decoder, as the router's pipeline will. */
    private static HttpRequest decode(byte[] head) {
        EmbeddedChannel channel = new EmbeddedChannel(new HttpRequestDecoder());
        try {
            channel.writeInbound(Unpooled.wrappedBuffer(head));
            HttpRequest request = channel.readInbound();
            assertTrue(request.decoderResult().isSuccess(), () -> request.decoderResult().toString());
            Object content;
            while ((content = channel.readInbound()) != null) {
                ReferenceCountUtil.release(content);
            }
            return request;
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    private static UwsgiPacket translate(HttpToUwsgi translator, HttpRequest request) {
        return translate(translator, request, "127.0.0.1", 54321);
    }

    private static UwsgiPacket translate(HttpToUwsgi translator, HttpRequest request, String addr, int port) {
        ByteBuf out = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        try {
            int written = translator.write(request, addr, port, out, 0, 0);
            assertEquals(out.readableBytes(), written);
            return UwsgiPacket.parse(out);
        } finally {
            out.release();
        }
    }

    /** The vars after REMOTE_PORT (or REMOTE_ADDR): the header vars, for a translator without extras. */
    private static List<UwsgiPacket.Var> headerVars(UwsgiPacket packet) {
        List<String> keys = packet.keys();
        int last = Math.max(keys.indexOf("REMOTE_PORT"), keys.indexOf("REMOTE_ADDR"));
        return packet.vars().subList(last + 1, keys.size());
    }

    /** The encoded record {@code u16le len | key | u16le len | value}. */
    private static byte[] record(String key, byte[] value) {
        ByteBuf buf = Unpooled.buffer();
        UwsgiVars.add(buf, key, Unpooled.wrappedBuffer(value));
        return ByteBufUtil.getBytes(buf);
    }

    private static void assertContains(ByteBuf out, byte[] record) {
        assertTrue(ByteBufUtil.indexOf(Unpooled.wrappedBuffer(record), out) >= 0,
                () -> "record " + ByteBufUtil.hexDump(record) + " not in " + ByteBufUtil.hexDump(out));
    }
}
