package io.corerouter.ssl.router;

import io.corerouter.core.server.HandlerNames;
import io.corerouter.ssl.TlsFront;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * The pipeline of one sslrouter listener, read top to bottom: idle timeout, TLS, session (which
 * becomes a byte relay once the node is connected), idle closer.
 */
final class SslRouterInitializer extends ChannelInitializer<Channel> {
    private final SslRouterContext router;
    private final TlsFront tls;
    private final String listenerName;

    SslRouterInitializer(SslRouterContext router, TlsFront tls, String listenerName) {
        this.router = router;
        this.tls = tls;
        this.listenerName = listenerName;
    }

    @Override
    protected void initChannel(Channel ch) {
        ChannelPipeline pipeline = ch.pipeline();
        addTimeouts(pipeline);
        addTls(pipeline);
        addRouter(pipeline);
    }

    private void addTimeouts(ChannelPipeline pipeline) {
        long idleNanos = router.config().common().timeouts().idle().toNanos();
        pipeline.addLast(HandlerNames.IDLE_TIMEOUT, new IdleStateHandler(0, 0, idleNanos, TimeUnit.NANOSECONDS));
    }

    private void addTls(ChannelPipeline pipeline) {
        tls.addTo(pipeline, router.config().common().timeouts().headers().toMillis());
    }

    private void addRouter(ChannelPipeline pipeline) {
        pipeline.addLast(HandlerNames.ROUTER, new SslRouterSession(router, listenerName));
        pipeline.addLast(IdleCloser.NAME, IdleCloser.INSTANCE);
    }
}
