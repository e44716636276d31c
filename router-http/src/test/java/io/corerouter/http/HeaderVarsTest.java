package io.corerouter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The in-place merge and the map used for long header lists must write the same bytes. */
class HeaderVarsTest {
    private static final String[] NAMES = {
        "Host", "host", "X-Foo", "x-foo", "X_Foo", "Accept", "ACCEPT", "Content-Type", "content_type",
        "Content-Length", "CONTENT-LENGTH", "Cookie", "A", "a", "B-C", "b_c", "Content-Type-X", "HTTP-Host",
    };
    private static final String[] VALUES = {"", "v", "a, b", "\u00e9\u00ff", "x".repeat(300), "1"};

    @Test
    void inPlaceAndMappedPathsAgreeOnRandomHeaderLists() {
        Random random = new Random(20_21);
        for (int round = 0; round < 2_000; round++) {
            HttpHeaders headers = new DefaultHttpHeaders();
            int count = random.nextInt(30);
            for (int i = 0; i < count; i++) {
                headers.add(NAMES[random.nextInt(NAMES.length)], VALUES[random.nextInt(VALUES.length)]);
            }
            boolean serverNameAsHttpHost = random.nextBoolean();
            assertEquals(written(headers, serverNameAsHttpHost, Integer.MAX_VALUE),
                    written(headers, serverNameAsHttpHost, -1), () -> headers + " " + serverNameAsHttpHost);
        }
    }

    @Test
    void longListsTakeTheMappedPathWithTheSameResult() {
        HttpHeaders headers = new DefaultHttpHeaders();
        for (int i = 0; i < HeaderVars.MAX_INDEXED_HEADERS + 40; i++) {
            headers.add("X-H" + i % 50, "v" + i);
        }
        headers.add("Host", "h");
        String mapped = written(headers, true, HeaderVars.MAX_INDEXED_HEADERS);
        assertEquals(written(headers, true, Integer.MAX_VALUE), mapped);
    }

    private static String written(HttpHeaders headers, boolean serverNameAsHttpHost, int maxIndexed) {
        ByteBuf out = PooledByteBufAllocator.DEFAULT.directBuffer();
        try {
            out.writeByte('>');
            HeaderVars.write(headers, out, serverNameAsHttpHost, maxIndexed);
            return ByteBufUtil.hexDump(out);
        } finally {
            out.release();
        }
    }
}
