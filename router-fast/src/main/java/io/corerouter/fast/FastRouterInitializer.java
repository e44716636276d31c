package io.corerouter.fast;

import io.corerouter.core.codec.uwsgi.UwsgiPacketDecoder;
import io.corerouter.core.server.HandlerNames;
import io.corerouter.core.server.HarakiriHandler;
import io.corerouter.core.server.IdleCloseHandler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import java.time.Duration;

/**
 * The pipeline of one fastrouter connection, read top to bottom: idle timeout, harakiri, the uwsgi
 * decoder (one packet, then it removes itself), the session (which becomes a byte relay).
 */
final class FastRouterInitializer extends ChannelInitializer<Channel> {
    /** Swapped by a reload (SIGHUP): connections accepted from then on get the new one. */
    private volatile FastRouterContext router;

    FastRouterInitializer(FastRouterContext router) {
        this.router = router;
    }

    void context(FastRouterContext next) {
        this.router = next;
    }

    @Override
    protected void initChannel(Channel ch) {
        ChannelPipeline pipeline = ch.pipeline();
        FastRouterContext router = this.router;
        addTimeouts(pipeline, router);
        addCodec(pipeline);
        addRouter(pipeline, router);
    }

    private static void addTimeouts(ChannelPipeline pipeline, FastRouterContext router) {
        pipeline.addLast(HandlerNames.IDLE_TIMEOUT, new IdleCloseHandler(router.config().common().timeouts().idle()));
        Duration harakiri = router.config().common().harakiri();
        if (!harakiri.isZero()) {
            pipeline.addLast(HandlerNames.HARAKIRI, new HarakiriHandler("fastrouter", harakiri));
        }
    }

    private static void addCodec(ChannelPipeline pipeline) {
        // datasize up to 65535 is accepted, as by uWSGI's fastrouter (spec §8.1 item 8)
        pipeline.addLast(HandlerNames.UWSGI_DECODER, new UwsgiPacketDecoder(UwsgiPacketDecoder.DEFAULT_MAX_DATA_SIZE, true));
    }

    private static void addRouter(ChannelPipeline pipeline, FastRouterContext router) {
        pipeline.addLast(HandlerNames.ROUTER, new FastSession(router));
    }
}
