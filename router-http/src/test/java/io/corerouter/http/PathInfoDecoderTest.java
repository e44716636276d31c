package io.corerouter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.CharsetUtil;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PathInfoDecoderTest {

    /** Spec §4.3, every row of the verified table (uWSGI's t/core/url_sanitize.pl through the router). */
    static Stream<Arguments> specVectors() {
        return Stream.of(
                Arguments.of("/foo", "/foo"),
                Arguments.of("./foo", "/foo"),
                Arguments.of("./foo/bar?a=1", "/foo/bar"),
                Arguments.of("//foo/bar", "//foo/bar"),
                Arguments.of("foo/bar", "foo/bar"),
                Arguments.of("foo/bar/../", "foo/"),
                Arguments.of("foo/bar/..", "foo/"),
                Arguments.of("/foo/bar/..", "/foo/"),
                Arguments.of("../../../foo/bar/..", "/foo/"),
                Arguments.of("test1/test2/../test3/", "test1/test3/"),
                Arguments.of("t#est1/test2/../test3/", "t"),
                Arguments.of("/one/two/three/four/../../five/..", "/one/two/"),
                Arguments.of(".one/two/three/four/../../five/..", ".one/two/"),
                Arguments.of("..one/two/three/four/../../../../../five/..", "/"),
                Arguments.of("/../", "/"),
                Arguments.of("../", "/"),
                Arguments.of("/.", "/"),
                Arguments.of("./foo/.bar.", "/foo/.bar."),
                Arguments.of("/a/./b/../../../c/.", "/c/"),
                Arguments.of("/a%zzb/c%2Fd%%e#frag?x", "/a\0b/c/d%e"),
                Arguments.of("/a+b%41", "/a+bA"),
                Arguments.of("/%", "/"),
                Arguments.of("/%4", "/"),
                Arguments.of("*", "*"),
                Arguments.of("http://h.example/y/z?q", "http://h.example/y/z"));
    }

    /** Rules of §4.3 beyond the table, and edges read from http_url_decode/hex2num [C]. */
    static Stream<Arguments> moreVectors() {
        return Stream.of(
                // encoded dots survive dot-segment removal
                Arguments.of("/%2e%2e/x", "/../x"),
                Arguments.of("/a/b/%2E%2e", "/a/b/.."),
                Arguments.of("/.%2e/x", "/../x"),
                // hex digits are case-insensitive; an invalid second digit also gives NUL
                Arguments.of("/%4a%4A", "/JJ"),
                Arguments.of("/a%4zb", "/a\0b"),
                Arguments.of("/%e9", "/\u00e9"),
                Arguments.of("/%ff%00", "/\u00ff\0"),
                // '%' and '/' are taken as digits once an escape started
                Arguments.of("/a%%%41", "/a%A"),
                Arguments.of("/%/a", "/\0"),
                // an escape cut by '#' is dropped
                Arguments.of("/a%4#1", "/a"),
                // a decoded '/' counts when ".." looks back for the previous segment
                Arguments.of("/a%2Fb/..", "/a/"),
                // the query starts at the first '?' even after a '#'
                Arguments.of("/a#b?c", "/a"),
                Arguments.of("?x=1", ""),
                Arguments.of("", ""),
                Arguments.of("/", "/"),
                Arguments.of("//", "//"),
                Arguments.of("/a//../b", "/a/b"),
                Arguments.of("/...", "/..."),
                Arguments.of("/a/.../b", "/a/.../b"),
                Arguments.of("/.a/..b/c..", "/.a/..b/c.."),
                Arguments.of(".", "/"),
                Arguments.of("..", ""),
                Arguments.of("#x", "/"),
                Arguments.of("foo", "foo"),
                Arguments.of("a/./b", "a/b"),
                Arguments.of("/a+b?c+d", "/a+b"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("specVectors")
    void specTable(String uri, String expected) {
        assertDecodes(uri, expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("moreVectors")
    void moreRules(String uri, String expected) {
        assertDecodes(uri, expected);
    }

    @Test
    void appendsAfterExistingBytesAndNeverClimbsIntoThem() {
        ByteBuf out = PooledByteBufAllocator.DEFAULT.directBuffer();
        try {
            out.writeCharSequence("/x/y", CharsetUtil.ISO_8859_1);
            PathInfoDecoder.decode("/../../a/..?q", out);
            assertEquals("/x/y/", out.toString(CharsetUtil.ISO_8859_1));
            out.clear().writeCharSequence("p/q", CharsetUtil.ISO_8859_1);
            PathInfoDecoder.decode("a/../..", out);
            assertEquals("p/q", out.toString(CharsetUtil.ISO_8859_1));
        } finally {
            out.release();
        }
    }

    @Test
    void explicitEndIgnoresTheRest() {
        assertEquals(4, PathInfoDecoder.pathEnd("/a/b?c?d"));
        assertEquals(4, PathInfoDecoder.pathEnd("/a/b"));
        ByteBuf out = PooledByteBufAllocator.DEFAULT.heapBuffer();
        try {
            PathInfoDecoder.decode("/a/b/c", 4, out);
            assertEquals("/a/b", out.toString(CharsetUtil.ISO_8859_1));
        } finally {
            out.release();
        }
    }

    private static void assertDecodes(String uri, String expected) {
        assertEquals(expected, PathInfoDecoder.decode(uri));
        ByteBuf out = PooledByteBufAllocator.DEFAULT.directBuffer(1);
        try {
            PathInfoDecoder.decode(uri, out);
            assertEquals(expected, out.toString(CharsetUtil.ISO_8859_1));
        } finally {
            out.release();
        }
    }
}
