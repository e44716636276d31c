package io.corerouter.http;

import io.corerouter.core.server.HandlerNames;
import io.corerouter.core.server.HarakiriHandler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The pipeline of one HTTP listener, read top to bottom: idle timeout, harakiri, HTTP/1.1 codec, session.
 * One initializer per listener, because SERVER_PORT (inside the translator) is per listener.
 */
final class HttpRouterInitializer extends ChannelInitializer<Channel> {
    private final HttpRouterContext router;
    private final HttpToUwsgi translator;

    HttpRouterInitializer(HttpRouterContext router, HttpToUwsgi translator) {
        this.router = router;
        this.translator = translator;
    }

    @Override
    protected void initChannel(Channel ch) {
        ChannelPipeline pipeline = ch.pipeline();
        addTimeouts(pipeline);
        addCodec(pipeline);
        addRouter(pipeline);
    }

    private void addTimeouts(ChannelPipeline pipeline) {
        // idle-based, like uWSGI's per-peer timer: traffic either way (backend output written to the
        // client included) resets it
        long idleNanos = router.config().common().timeouts().idle().toNanos();
        pipeline.addLast(HandlerNames.IDLE_TIMEOUT, new IdleStateHandler(0, 0, idleNanos, TimeUnit.NANOSECONDS));
        Duration harakiri = router.config().common().harakiri();
        if (!harakiri.isZero()) {
            pipeline.addLast(HandlerNames.HARAKIRI, new HarakiriHandler("http", harakiri));
        }
    }

    private void addCodec(ChannelPipeline pipeline) {
        pipeline.addLast(HandlerNames.HTTP_CODEC, new HttpServerCodec(router.requestDecoderConfig()));
    }

    private void addRouter(ChannelPipeline pipeline) {
        pipeline.addLast(HandlerNames.ROUTER, new HttpSession(router, translator));
    }
}
