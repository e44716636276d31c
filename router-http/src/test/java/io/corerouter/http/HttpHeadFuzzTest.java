package io.corerouter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.corerouter.core.codec.uwsgi.TooLongUwsgiPacketException;
import io.corerouter.core.codec.uwsgi.UwsgiPacket;
import io.corerouter.core.codec.uwsgi.UwsgiPacketDecoder;
import io.corerouter.core.error.RouterException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;
import java.util.List;

/**
 * Fuzzes the path from request bytes to the uwsgi packet a node receives: the router's codec
 * ({@link ServerCodec}) with the router's settings, {@link RequestChecks}, {@link RoutingKey} and
 * {@link HttpToUwsgi}. For every head the router would forward, the packet must decode with the
 * real {@link UwsgiPacketDecoder}, carry the request's method, and have a {@code CONTENT_LENGTH} var
 * only when the client sent a real {@code Content-Length} header (no smuggling through the var name
 * mangling).
 *
 * <p>In the normal test run Jazzer replays the seed corpus ({@code HttpHeadFuzzTestInputs/}) and
 * the inputs it found before; {@code JAZZER_FUZZ=1} fuzzes for {@code maxDuration} (docs/http-hardening.md).
 */
class HttpHeadFuzzTest {
    private static final HttpRouterConfig CONFIG = config();
    private static final HttpToUwsgi TRANSLATOR = new HttpToUwsgi("80", "fuzzhost", false, List.of(), false);

    private static HttpRouterConfig config() {
        try {
            return HttpConfigs.http("--http", ":80");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @FuzzTest(maxDuration = "5m")
    void headToVars(byte[] input) {
        EmbeddedChannel client = new EmbeddedChannel(new ServerCodec(HttpRouterContext.requestDecoderConfig(CONFIG), false));
        try {
            client.writeInbound(Unpooled.wrappedBuffer(input));
            client.finish();
            Object msg;
            while ((msg = client.readInbound()) != null) {
                try {
                    if (msg instanceof HttpRequest request && request.decoderResult().isSuccess()) {
                        forward(request);
                    }
                } finally {
                    ReferenceCountUtil.release(msg);
                }
            }
        } finally {
            client.finishAndReleaseAll();
        }
    }

    private static void forward(HttpRequest request) {
        RouterException rejected = RequestChecks.check(request, CONFIG.limits().maxHeaderCount(), false);
        if (rejected != null) {
            assertTrue(rejected.kind().status() >= 400 && rejected.kind().status() < 600);
            return;
        }
        try {
            RoutingKey.of(request.headers(), null, "fuzzhost");
        } catch (BadRequestException answered400) {
            return;
        }
        ByteBuf packet = Unpooled.buffer();
        try {
            TRANSLATOR.write(request, "127.0.0.1", 1234, packet, 0, 0);
        } catch (TooLongUwsgiPacketException answered431) {
            assertEquals(0, packet.readableBytes(), "a refused packet leaves nothing behind");
            packet.release();
            return;
        }
        EmbeddedChannel node = new EmbeddedChannel(new UwsgiPacketDecoder());
        try {
            node.writeInbound(packet);
            UwsgiPacket decoded = node.readInbound();
            assertNotNull(decoded, "the packet decodes whole");
            try {
                assertEquals(request.method().name(), decoded.get("REQUEST_METHOD"));
                String contentLength = decoded.get("CONTENT_LENGTH");
                if (contentLength != null) {
                    assertEquals(request.headers().get(HttpHeaderNames.CONTENT_LENGTH), contentLength,
                            "CONTENT_LENGTH comes from a real Content-Length header only");
                }
                assertNull(node.readInbound(), "exactly one packet");
            } finally {
                decoded.release();
            }
        } finally {
            node.finishAndReleaseAll();
        }
    }
}
