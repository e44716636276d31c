package io.corerouter.http;

import io.corerouter.core.server.HandlerNames;
import io.corerouter.ssl.TlsFront;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * The pipeline of one HTTP listener, read top to bottom: idle timeout, TLS (https listeners), HTTP/1.1
 * codec, session. One initializer per listener, because SERVER_PORT (inside the translator) is per
 * listener.
 */
final class HttpRouterInitializer extends ChannelInitializer<Channel> {
    private final HttpRouterContext router;
    private volatile HttpToUwsgi translator;
    private final TlsFront tls;

    HttpRouterInitializer(HttpRouterContext router, HttpToUwsgi translator) {
        this(router, translator, null);
    }

    /** @param tls the TLS front of an https listener, or null for plain HTTP */
    HttpRouterInitializer(HttpRouterContext router, HttpToUwsgi translator, TlsFront tls) {
        this.router = router;
        this.translator = translator;
        this.tls = tls;
    }

    /** Replaces the translator once the real port of a listener configured with port 0 is known. */
    void translator(HttpToUwsgi translator) {
        this.translator = translator;
    }

    @Override
    protected void initChannel(Channel ch) {
        ChannelPipeline pipeline = ch.pipeline();
        addTimeouts(pipeline);
        addTls(pipeline);
        addCodec(pipeline);
        addRouter(pipeline);
    }

    private void addTimeouts(ChannelPipeline pipeline) {
        // idle-based, like uWSGI's per-peer timer: traffic either way (backend output written to the
        // client included) resets it
        long idleNanos = router.config().common().timeouts().idle().toNanos();
        pipeline.addLast(HandlerNames.IDLE_TIMEOUT, new IdleStateHandler(0, 0, idleNanos, TimeUnit.NANOSECONDS));
    }

    private void addTls(ChannelPipeline pipeline) {
        if (tls != null) {
            // the head timeout (armed when the connection opens) covers the handshake as well
            tls.addTo(pipeline, router.headersTimeoutNanos() / 1_000_000);
        }
    }

    private void addCodec(ChannelPipeline pipeline) {
        pipeline.addLast(HandlerNames.HTTP_CODEC, new HttpServerCodec(router.requestDecoderConfig()));
    }

    private void addRouter(ChannelPipeline pipeline) {
        pipeline.addLast(HandlerNames.ROUTER, new HttpSession(router, translator));
    }
}
