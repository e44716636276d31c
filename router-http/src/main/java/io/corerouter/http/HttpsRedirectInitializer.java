package io.corerouter.http;

import io.corerouter.core.server.HandlerNames;
import io.corerouter.core.timer.IdleTimeoutHandler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.function.Supplier;

/**
 * The pipeline of one {@code --http-to-https ADDR[,PORT]} listener: idle timeout, HTTP/1.1 codec,
 * and {@link HttpsRedirectHandler}, which answers every request with a redirect to https.
 */
final class HttpsRedirectInitializer extends ChannelInitializer<Channel> {
    private final Supplier<HttpRouterContext> contexts;
    /** Swapped by a reload that changes the PORT. */
    private volatile OptionalInt httpsPort;

    /** @param contexts the router's context now (a reload swaps it) */
    HttpsRedirectInitializer(Supplier<HttpRouterContext> contexts, OptionalInt httpsPort) {
        this.contexts = contexts;
        this.httpsPort = httpsPort;
    }

    /** A reload changed the port written into the Location. */
    void httpsPort(OptionalInt port) {
        this.httpsPort = port;
    }

    @Override
    protected void initChannel(Channel ch) {
        HttpRouterContext router = contexts.get();
        long headersNanos = router.headersTimeoutNanos();
        ch.pipeline()
                .addLast(HandlerNames.IDLE_TIMEOUT, new IdleTimeoutHandler(Duration.ofNanos(headersNanos)))
                .addLast(HandlerNames.HTTP_CODEC, new ServerCodec(router.requestDecoderConfig(), false))
                .addLast(HandlerNames.ROUTER, new HttpsRedirectHandler(router.serverName(), httpsPort));
    }
}
