package io.corerouter.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * An open-loop HTTP/1.1 load client: requests go out at a fixed rate whatever the server does, spread
 * round-robin over keep-alive connections, and each latency is measured from the moment the request
 * was <em>due</em>, not from when a busy connection could send it, so a stall shows in every request
 * it delays (corrected for coordinated omission, as wrk2 does). Latencies go into an HdrHistogram.
 *
 * <p>{@code java -cp bench/target/benchmarks.jar io.corerouter.bench.FixedRateClient HOST:PORT RATE
 * CONNECTIONS WARMUP_S DURATION_S [PATH]} prints one line of {@code key=value} pairs:
 * {@code rate} (responses per second counted), {@code p50 p90 p99 p999 max} in µs from the due time,
 * {@code raw_p99 raw_p999} from the send, and the number of {@code errors} (non-2xx, lost
 * connections, requests still unanswered at the end). One event-loop thread; bench/latency-compare.sh
 * runs it.
 */
public final class FixedRateClient {
    private final String host;
    private final int port;
    private final ByteBuf request;
    private final Histogram corrected = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
    private final Histogram raw = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
    private long recordFrom;
    private long recordUntil;
    private long errors;
    private long responses;

    private FixedRateClient(String host, int port, String path) {
        this.host = host;
        this.port = port;
        this.request = Unpooled.unreleasableBuffer(Unpooled.copiedBuffer(
                "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: corerouter-bench\r\n\r\n",
                StandardCharsets.US_ASCII));
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 5) {
            System.err.println("usage: FixedRateClient HOST:PORT RATE CONNECTIONS WARMUP_S DURATION_S [PATH]");
            System.exit(2);
        }
        int colon = args[0].lastIndexOf(':');
        FixedRateClient client = new FixedRateClient(args[0].substring(0, colon),
                Integer.parseInt(args[0].substring(colon + 1)), args.length > 5 ? args[5] : "/");
        client.run(Double.parseDouble(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                Integer.parseInt(args[4]));
    }

    private void run(double rate, int connections, int warmupSeconds, int durationSeconds) throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try {
            EventLoop loop = group.next();
            Connection[] conns = new Connection[connections];
            for (int i = 0; i < connections; i++) {
                conns[i] = new Connection();
                Channel ch = new Bootstrap().group(loop).channel(EpollSocketChannel.class)
                        .option(ChannelOption.TCP_NODELAY, true)
                        .handler(conns[i]).connect(host, port).sync().channel();
                ch.pipeline().addFirst(new HttpResponseDecoder());
            }
            CountDownLatch done = new CountDownLatch(1);
            long period = Math.round(1e9 / rate);
            long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
            recordFrom = start + TimeUnit.SECONDS.toNanos(warmupSeconds);
            recordUntil = recordFrom + TimeUnit.SECONDS.toNanos(durationSeconds);
            loop.execute(new Ticker(loop, conns, start, period, done));
            done.await();
            Thread.sleep(2000); // the last responses
            loop.submit(() -> report(conns)).get();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private void report(Connection[] conns) {
        for (Connection c : conns) {
            for (long due : c.due) {
                if (due >= recordFrom && due < recordUntil) {
                    errors++; // never answered
                }
            }
        }
        double seconds = (recordUntil - recordFrom) / 1e9;
        System.out.printf(Locale.ROOT, "rate=%.0f requests=%d p50=%d p90=%d p99=%d p999=%d max=%d raw_p99=%d "
                + "raw_p999=%d errors=%d%n", responses / seconds, corrected.getTotalCount(),
                corrected.getValueAtPercentile(50), corrected.getValueAtPercentile(90),
                corrected.getValueAtPercentile(99), corrected.getValueAtPercentile(99.9), corrected.getMaxValue(),
                raw.getValueAtPercentile(99), raw.getValueAtPercentile(99.9), errors);
    }

    /** Hands every request that is due to its connection, then sleeps until the next one is due. */
    private final class Ticker implements Runnable {
        private final EventLoop loop;
        private final Connection[] conns;
        private final long start;
        private final long period;
        private final CountDownLatch done;
        private long next;

        Ticker(EventLoop loop, Connection[] conns, long start, long period, CountDownLatch done) {
            this.loop = loop;
            this.conns = conns;
            this.start = start;
            this.period = period;
            this.done = done;
        }

        @Override
        public void run() {
            long now = System.nanoTime();
            long due = start + next * period;
            while (due <= now) {
                if (due >= recordUntil) {
                    done.countDown();
                    return;
                }
                conns[(int) (next % conns.length)].submit(due);
                next++;
                due = start + next * period;
            }
            loop.schedule(this, due - now, TimeUnit.NANOSECONDS);
        }
    }

    /** One keep-alive connection: requests due wait in order, one in flight at a time. */
    private final class Connection extends ChannelInboundHandlerAdapter {
        final ArrayDeque<Long> due = new ArrayDeque<>();
        private ChannelHandlerContext ctx;
        private boolean busy;
        private boolean failed;
        private long sentAt;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        void submit(long dueAt) {
            due.add(dueAt);
            if (!busy && ctx.channel().isActive()) {
                send();
            }
        }

        private void send() {
            busy = true;
            failed = false;
            sentAt = System.nanoTime();
            ctx.writeAndFlush(request.duplicate(), ctx.voidPromise());
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpResponse response && response.status().code() / 100 != 2) {
                    failed = true;
                }
                if (msg instanceof LastHttpContent) {
                    long now = System.nanoTime();
                    long dueAt = due.poll();
                    if (dueAt >= recordFrom && dueAt < recordUntil) {
                        if (failed) {
                            errors++;
                        } else {
                            responses++;
                            corrected.recordValue((now - dueAt) / 1000);
                            raw.recordValue((now - sentAt) / 1000);
                        }
                    }
                    busy = false;
                    if (!due.isEmpty()) {
                        send();
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            busy = true; // nothing more goes out here; what is queued counts as errors in the report
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
