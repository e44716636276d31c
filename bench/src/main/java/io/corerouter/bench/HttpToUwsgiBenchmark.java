package io.corerouter.bench;

import io.corerouter.http.HttpToUwsgi;
import io.corerouter.http.UwsgiVar;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of {@link HttpToUwsgi#write}: a browser-like GET with a query string and 12 headers (no
 * repeats, the common case) translated into a pooled direct buffer that is released every
 * operation, as the HTTP router does once per request.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HttpToUwsgiBenchmark {
    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private HttpToUwsgi translator;
    private HttpRequest request;

    @Setup
    public void setUp() {
        translator = new HttpToUwsgi("8080", "bench-host", false,
                List.of(new UwsgiVar("UWSGI_SCHEME", "http")), false);
        request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
                "/static/app/./css/../js/main.bundle.js?v=3f2a9c&lang=en%2DUS");
        request.headers()
                .add("Host", "www.example.com:8080")
                .add("Connection", "keep-alive")
                .add("sec-ch-ua", "\"Chromium\";v=\"124\", \"Google Chrome\";v=\"124\", \"Not-A.Brand\";v=\"99\"")
                .add("sec-ch-ua-mobile", "?0")
                .add("sec-ch-ua-platform", "\"Linux\"")
                .add("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                        + "Chrome/124.0.0.0 Safari/537.36")
                .add("Accept", "*/*")
                .add("Sec-Fetch-Site", "same-origin")
                .add("Sec-Fetch-Mode", "no-cors")
                .add("Referer", "http://www.example.com:8080/")
                .add("Accept-Encoding", "gzip, deflate, br, zstd")
                .add("Cookie", "sessionid=0f3b6c2d9e8a7b1c; csrftoken=Zq8XwP2mL0vN5rT7yU1iO3aS; theme=dark");
    }

    @Benchmark
    public int translate() {
        ByteBuf out = alloc.directBuffer(1024);
        try {
            return translator.write(request, "192.0.2.17", 52814, out, 0, 0);
        } finally {
            out.release();
        }
    }
}
