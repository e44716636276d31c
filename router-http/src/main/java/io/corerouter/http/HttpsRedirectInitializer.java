package io.corerouter.http;

import io.corerouter.core.server.HandlerNames;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * The pipeline of one {@code --http-to-https ADDR[,PORT]} listener: idle timeout, HTTP/1.1 codec,
 * and {@link HttpsRedirectHandler}, which answers every request with a redirect to https.
 */
final class HttpsRedirectInitializer extends ChannelInitializer<Channel> {
    private final HttpRouterContext router;
    private final OptionalInt httpsPort;

    HttpsRedirectInitializer(HttpRouterContext router, OptionalInt httpsPort) {
        this.router = router;
        this.httpsPort = httpsPort;
    }

    @Override
    protected void initChannel(Channel ch) {
        long headersNanos = router.headersTimeoutNanos();
        ch.pipeline()
                .addLast(HandlerNames.IDLE_TIMEOUT, new IdleStateHandler(0, 0, headersNanos, TimeUnit.NANOSECONDS))
                .addLast(HandlerNames.HTTP_CODEC, new ServerCodec(router.requestDecoderConfig(), false))
                .addLast(HandlerNames.ROUTER, new HttpsRedirectHandler(router.serverName(), httpsPort));
    }
}
