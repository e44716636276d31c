package io.corerouter.ssl.router;

import io.corerouter.core.server.HandlerNames;
import io.corerouter.core.timer.IdleTimeoutHandler;
import io.corerouter.ssl.TlsFront;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import java.util.function.Supplier;

/**
 * The pipeline of one sslrouter listener, read top to bottom: idle timeout, TLS, session (which
 * becomes a byte relay once the node is connected), idle closer.
 */
final class SslRouterInitializer extends ChannelInitializer<Channel> {
    private final Supplier<SslRouterContext> contexts;
    /** Swapped by a reload that gives the listener other files. */
    private volatile TlsFront tls;
    private final String listenerName;

    /** @param contexts the router's context now (a reload swaps it) */
    SslRouterInitializer(Supplier<SslRouterContext> contexts, TlsFront tls, String listenerName) {
        this.contexts = contexts;
        this.tls = tls;
        this.listenerName = listenerName;
    }

    TlsFront tls() {
        return tls;
    }

    /** A reload rebuilt this listener's default context: new connections get it. */
    void tls(TlsFront front) {
        this.tls = front;
    }

    @Override
    protected void initChannel(Channel ch) {
        ChannelPipeline pipeline = ch.pipeline();
        SslRouterContext router = contexts.get();
        addTimeouts(pipeline, router);
        addTls(pipeline, router);
        addRouter(pipeline, router);
    }

    private static void addTimeouts(ChannelPipeline pipeline, SslRouterContext router) {
        pipeline.addLast(HandlerNames.IDLE_TIMEOUT, new IdleTimeoutHandler(router.config().common().timeouts().idle()));
    }

    private void addTls(ChannelPipeline pipeline, SslRouterContext router) {
        tls.addTo(pipeline, router.config().common().timeouts().headers().toMillis());
    }

    private void addRouter(ChannelPipeline pipeline, SslRouterContext router) {
        pipeline.addLast(HandlerNames.ROUTER, new SslRouterSession(router, listenerName));
        pipeline.addLast(IdleCloser.NAME, IdleCloser.INSTANCE);
    }
}
