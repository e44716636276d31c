package io.corerouter.bench;

import io.corerouter.core.observe.AccessLog;
import io.corerouter.core.observe.AccessLogFormat;
import io.corerouter.core.observe.Exchange;
import io.corerouter.core.observe.ObserveHandler;
import io.corerouter.core.observe.RouterObserver;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What observing one request costs on the event loop (issue 12): the exchange's life as the HTTP
 * router drives it (begin, request head, response head, body size, end: counters, two histograms for
 * the router and two for the node), without and with an access log (the line formatted in the
 * default format and queued; the writer thread writes to a null stream).
 *
 * <p>Run: {@code java -jar bench/target/benchmarks.jar Observe}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ObserveBenchmark {
    @Param({"metrics", "metrics+log"})
    public String mode;

    private EmbeddedChannel channel;
    private Exchange exchange;
    private AccessLog log;
    private final HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
            "/static/app/main.css?v=20240611");

    @Setup
    public void setUp() throws Exception {
        request.headers().set("Host", "www.example.com")
                .set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0")
                .set("Referer", "https://www.example.com/");
        RouterObserver observer = new RouterObserver("http");
        if (mode.equals("metrics+log")) {
            log = new AccessLog("bench", AccessLogFormat.parse(AccessLogFormat.DEFAULT), OutputStream::nullOutputStream,
                    1 << 20).start();
            observer.accessLog(log);
        }
        channel = new EmbeddedChannel(new ObserveHandler(observer, observer.listener(":8080")));
        exchange = Exchange.of(channel);
        exchange.perRequest();
    }

    @TearDown
    public void tearDown() {
        channel.finishAndReleaseAll();
        if (log != null) {
            log.close();
        }
    }

    @Benchmark
    public Exchange request() {
        long now = System.nanoTime();
        exchange.begin(now);
        exchange.request(request);
        Exchange.node(channel, "/run/app.sock", "www.example.com");
        exchange.responseHead(200, System.nanoTime());
        exchange.addSize(5120);
        exchange.end(System.nanoTime());
        return exchange;
    }
}
