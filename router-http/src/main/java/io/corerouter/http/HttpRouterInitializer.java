package io.corerouter.http;

import io.corerouter.core.server.HandlerNames;
import io.corerouter.core.config.Endpoint;
import io.corerouter.core.server.HarakiriHandler;
import io.corerouter.ssl.TlsFront;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The pipeline of one HTTP listener, read top to bottom: idle timeout, harakiri, TLS (https
 * listeners), HTTP/1.1 codec, session. One initializer per listener, because SERVER_PORT (inside the
 * translator) is per listener.
 */
final class HttpRouterInitializer extends ChannelInitializer<Channel> {
    private final HttpRouterContext router;
    private final Function<String, HttpToUwsgi> translators;
    private final TlsFront tls;
    /** Null until the first connection for a listener asking for port 0 (SERVER_PORT = the port bound). */
    private volatile HttpToUwsgi translator;

    /**
     * @param listener    the socket served; its name gives SERVER_PORT
     * @param translators makes the translator for a SERVER_PORT text
     * @param tls         the TLS front of an https listener, or null for plain HTTP
     */
    HttpRouterInitializer(HttpRouterContext router, Endpoint listener, Function<String, HttpToUwsgi> translators,
            TlsFront tls) {
        this.router = router;
        this.translators = translators;
        this.tls = tls;
        boolean portFromSocket = listener.kind() == Endpoint.Kind.TCP && listener.port() == 0;
        this.translator = portFromSocket ? null : translators.apply(listener.serverPort());
    }

    @Override
    protected void initChannel(Channel ch) {
        ChannelPipeline pipeline = ch.pipeline();
        addTimeouts(pipeline);
        addTls(pipeline);
        addCodec(pipeline);
        addRouter(pipeline, ch);
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

    private void addTls(ChannelPipeline pipeline) {
        if (tls != null) {
            // the head timeout (armed when the connection opens) covers the handshake as well
            tls.addTo(pipeline, router.headersTimeoutNanos() / 1_000_000);
        }
    }

    private void addCodec(ChannelPipeline pipeline) {
        pipeline.addLast(HandlerNames.HTTP_CODEC, new HttpServerCodec(router.requestDecoderConfig()));
    }

    private void addRouter(ChannelPipeline pipeline, Channel ch) {
        HttpToUwsgi vars = translator;
        if (vars == null && ch.localAddress() instanceof InetSocketAddress local) {
            // a listener on port 0: the kernel chose the port, SERVER_PORT tells it (racing
            // first connections build equal translators)
            vars = translators.apply(Integer.toString(local.getPort()));
            translator = vars;
        }
        pipeline.addLast(HandlerNames.ROUTER, new HttpSession(router, vars));
    }
}
