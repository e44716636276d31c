package io.corerouter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.core.testing.RawHttpClient;
import io.corerouter.core.testing.RawHttpClient.Response;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Request smuggling and framing defences (docs/http-hardening.md), in the manner of HAProxy's
 * {@code reg-tests/http-messaging/http_transfer_encoding.vtc} and the RFC 9112 §6 rules: exact bytes
 * over a socket, and for each case the status, how many requests really reached the node (a counting
 * fake node), and the connection afterwards: closed after an error, still usable (a second request on
 * it is answered, and only that one reaches the node) after an accepted request.
 */
class SmugglingMatrixTest {
    @TempDir
    static Path dir;
    static FakeNode node;
    static Routers.Started router;

    @BeforeAll
    static void start() throws Exception {
        node = FakeNode.ok(dir, "counting");
        router = Routers.start("--http", "127.0.0.1:0", "--http-to", node.address(), "--http-keepalive");
    }

    @AfterAll
    static void stop() throws Exception {
        router.close();
        node.close();
    }

    private static final String H = "Host: a\r\n";

    static Stream<Arguments> cases() {
        return Stream.of(
                // name, request, status, requests that reach the node, body the node got (or null)
                ok("baseline GET", "GET /x HTTP/1.1\r\n" + H + "\r\n", ""),
                ok("chunked body is de-chunked", "POST /x HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n"
                        + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", "hello world"),
                ok("chunk extension", "POST /x HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n"
                        + "5;ext=1\r\nhello\r\n0\r\n\r\n", "hello"),
                ok("trailer fields are dropped", "POST /x HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n"
                        + "2\r\nhi\r\n0\r\nX-Trailer: 1\r\n\r\n", "hi"),
                ok("TE with tab before the value", "POST /x HTTP/1.1\r\n" + H + "Transfer-Encoding:\tchunked\r\n\r\n"
                        + "2\r\nhi\r\n0\r\n\r\n", "hi"),
                ok("TE in mixed case", "POST /x HTTP/1.1\r\n" + H + "transfer-encoding: ChUnKeD\r\n\r\n"
                        + "2\r\nhi\r\n0\r\n\r\n", "hi"),
                ok("identical duplicate Content-Length", "POST /x HTTP/1.1\r\n" + H
                        + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello", "hello"),
                ok("body with CRLF+SP and CRLF+HT (not a fold)", "POST /x HTTP/1.1\r\n" + H
                        + "Content-Length: 9\r\n\r\na\r\n b\r\n\tc", "a\r\n b\r\n\tc"),
                ok("chunked body with CRLF+SP (not a fold)", "POST /x HTTP/1.1\r\n" + H
                        + "Transfer-Encoding: chunked\r\n\r\n5\r\na\r\n b\r\n3\r\n\r\n \r\n0\r\n\r\n", "a\r\n b\r\n "),
                // RFC 9112 §5.2 allows joining with a space (Netty) but uWSGI keeps the raw CRLF (spec §4.1)
                bad("obs-fold with a space", "GET /x HTTP/1.1\r\n" + H + "X-Fold: a\r\n b\r\n\r\n", 400),
                bad("obs-fold with a tab", "GET /x HTTP/1.1\r\n" + H + "X-Fold: a\r\n\tb\r\n\r\n", 400),
                bad("obs-fold as the first header line", "GET /x HTTP/1.1\r\n Host: a\r\n\r\n", 400),
                bad("obs-fold hiding a Content-Length", "POST /x HTTP/1.1\r\n" + H + "X: a\r\n Content-Length: 5\r\n\r\n"
                        + "hello", 400),
                bad("TE + CL", "POST /x HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"
                        + "0\r\n\r\nGET /smuggled HTTP/1.1\r\n" + H + "\r\n", 400),
                bad("CL + TE", "POST /x HTTP/1.1\r\n" + H + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "0\r\n\r\n", 400),
                bad("TE + CL 0 hiding a request", "POST /x HTTP/1.1\r\n" + H + "Content-Length: 0\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\n" + H + "\r\n", 400),
                bad("chunked twice in one field", "POST /x HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked, chunked\r\n\r\n"
                        + "0\r\n\r\n", 400),
                bad("chunked in two fields", "POST /x HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
                bad("chunked not last", "POST /x HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n", 400),
                bad("TE without chunked", "POST /x HTTP/1.1\r\n" + H + "Transfer-Encoding: gzip\r\n\r\n"
                        + "GET /smuggled HTTP/1.1\r\n" + H + "\r\n", 400),
                bad("TE xchunked", "POST /x HTTP/1.1\r\n" + H + "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", 400),
                bad("TE chunked with a parameter", "POST /x HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked;q=1\r\n\r\n"
                        + "0\r\n\r\n", 400),
                bad("TE empty list element", "POST /x HTTP/1.1\r\n" + H + "Transfer-Encoding: ,chunked\r\n\r\n0\r\n\r\n", 400),
                bad("TE with vertical tab", "POST /x HTTP/1.1\r\n" + H + "Transfer-Encoding: \u000bchunked\r\n\r\n"
                        + "0\r\n\r\n", 400),
                bad("space before the colon", "POST /x HTTP/1.1\r\n" + H + "Transfer-Encoding : chunked\r\n\r\n"
                        + "0\r\n\r\n", 400),
                bad("other coding before chunked", "POST /x HTTP/1.1\r\n" + H + "Transfer-Encoding: gzip, chunked\r\n\r\n"
                        + "0\r\n\r\n", 501),
                bad("HTTP/1.0 with TE", "POST /x HTTP/1.0\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
                bad("Transfer_Encoding (uwsgi var mangling)", "POST /x HTTP/1.1\r\n" + H
                        + "Transfer_Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
                bad("Content_Length (uwsgi var mangling)", "POST /x HTTP/1.1\r\n" + H + "Content_Length: 5\r\n\r\nhello", 400),
                bad("Content_Type (uwsgi var mangling)", "GET /x HTTP/1.1\r\n" + H + "content_type: text/x\r\n\r\n", 400),
                bad("differing duplicate Content-Length", "POST /x HTTP/1.1\r\n" + H
                        + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", 400),
                bad("Content-Length list with differing values", "POST /x HTTP/1.1\r\n" + H
                        + "Content-Length: 5, 6\r\n\r\nhello!", 400),
                bad("Content-Length with a sign", "POST /x HTTP/1.1\r\n" + H + "Content-Length: +5\r\n\r\nhello", 400),
                bad("negative Content-Length", "POST /x HTTP/1.1\r\n" + H + "Content-Length: -1\r\n\r\n", 400),
                bad("hex Content-Length", "POST /x HTTP/1.1\r\n" + H + "Content-Length: 0x5\r\n\r\nhello", 400),
                bad("Content-Length with inner space", "POST /x HTTP/1.1\r\n" + H + "Content-Length: 5 5\r\n\r\nhello", 400),
                bad("invalid chunk size", "POST /x HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n", 400),
                bad("negative chunk size", "POST /x HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n", 400),
                bad("hex-prefixed chunk size", "POST /x HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n", 400),
                bad("chunk size overflow", "POST /x HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n"
                        + "ffffffffffffffff1\r\nhello\r\n0\r\n\r\n", 400),
                bad("chunk data longer than its size", "POST /x HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n"
                        + "3\r\nhello\r\n0\r\n\r\n", 400),
                bad("control character in the target", "GET /a\u0001b HTTP/1.1\r\n" + H + "\r\n", 400),
                bad("DEL in the target", "GET /a\u007fb HTTP/1.1\r\n" + H + "\r\n", 400),
                bad("space in the target", "GET /a b HTTP/1.1\r\n" + H + "\r\n", 400),
                bad("tab in the target", "GET /a\tb HTTP/1.1\r\n" + H + "\r\n", 400),
                bad("space in a header name", "GET /x HTTP/1.1\r\n" + H + "X Y: z\r\n\r\n", 400),
                bad("separator in a header name", "GET /x HTTP/1.1\r\n" + H + "X(Y): z\r\n\r\n", 400),
                bad("control character in a header name", "GET /x HTTP/1.1\r\n" + H + "X\u0001Y: z\r\n\r\n", 400),
                bad("NUL in a header value", "GET /x HTTP/1.1\r\n" + H + "X: a\u0000b\r\n\r\n", 400),
                bad("header line without a colon", "GET /x HTTP/1.1\r\n" + H + "NoColon\r\n\r\n", 400),
                bad("two Host headers", "GET /x HTTP/1.1\r\n" + H + "Host: b\r\n\r\n", 400),
                bad("bare LF line endings", "GET /x HTTP/1.1\n" + "Host: a\n\n", 400),
                // RFC 9112 §2.2 lets a recipient read a bare CR as SP; Netty does, and the node sees a clean line
                ok("bare CR between request-line words", "GET /x\rHTTP/1.1\r\n" + H + "\r\n", ""),
                bad("unknown HTTP version", "GET /x HTTP/1.2\r\n" + H + "\r\n", 400),
                bad("HTTP/2 in an HTTP/1 request line", "GET /x HTTP/2.0\r\n" + H + "\r\n", 400),
                bad("no HTTP version (HTTP/0.9)", "GET /x\r\n" + H + "\r\n", 400),
                bad("empty Host", "GET /x HTTP/1.1\r\nHost:\r\n\r\n", 400));
    }

    private static Arguments ok(String name, String request, String body) {
        return Arguments.of(name, request, 200, 1, body);
    }

    private static Arguments bad(String name, String request, int status) {
        return Arguments.of(name, request, status, 0, null);
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("cases")
    void framingCase(String name, String request, int status, int reachedNode, String body) throws Exception {
        int before = node.count();
        try (RawHttpClient client = new RawHttpClient(router.address())) {
            client.send(request);
            Response response = client.read();
            assertEquals(status, response.status(), () -> name + ": " + response.statusLine() + " " + response.bodyText());
            assertEquals(before + reachedNode, node.count(), name + ": requests that reached the node");
            if (reachedNode == 0) {
                assertEquals("close", response.header("connection"), name);
                assertTrue(client.isClosedByPeer(), name + ": the connection must be closed after an error");
                assertEquals(before, node.count(), name + ": nothing reaches the node after the error either");
                return;
            }
            FakeNode.Request seen = node.requests().get(before);
            assertEquals(body, new String(seen.body(), java.nio.charset.StandardCharsets.ISO_8859_1), name + ": body");
            assertEquals(null, seen.var("HTTP_TRANSFER_ENCODING"), name + ": no chunking left");
            // the connection is still in step: the next request is answered, and is the only one added
            Response next = client.send("GET /next HTTP/1.1\r\n" + H + "\r\n").read();
            assertEquals(200, next.status(), name);
            assertEquals("/next 0", next.bodyText(), name);
            assertEquals(before + reachedNode + 1, node.count(), name + ": requests after the follow-up");
        }
    }

    @Test
    void pipelinedFoldAfterACleanRequest() throws Exception {
        int before = node.count();
        try (RawHttpClient client = new RawHttpClient(router.address())) {
            client.send("GET /first HTTP/1.1\r\n" + H + "\r\n" + "GET /second HTTP/1.1\r\n" + H + "X: a\r\n b\r\n\r\n");
            Response first = client.read();
            assertEquals(200, first.status());
            assertEquals("/first 0", first.bodyText());
            Response second = client.read();
            assertEquals(400, second.status(), second::bodyText);
            assertTrue(second.bodyText().contains("obs-fold"), second::bodyText);
            assertTrue(client.isClosedByPeer(), "the connection must be closed after the error");
            assertEquals(before + 1, node.count(), "only the clean request reaches the node");
        }
    }
}
