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
    private final FastRouterContext router;

    FastRouterInitializer(FastRouterContext router) {
        this.router = router;
    }

    @Override
    protected void initChannel(Channel ch) {
        ChannelPipeline pipeline = ch.pipeline();
        addTimeouts(pipeline);
        addCodec(pipeline);
        addRouter(pipeline);
    }

    private void addTimeouts(ChannelPipeline pipeline) {
        pipeline.addLast(HandlerNames.IDLE_TIMEOUT, new IdleCloseHandler(router.config().common().timeouts().idle()));
        Duration harakiri = router.config().common().harakiri();
        if (!harakiri.isZero()) {
            pipeline.addLast(HandlerNames.HARAKIRI, new HarakiriHandler("fastrouter", harakiri));
        }
    }

    private void addCodec(ChannelPipeline pipeline) {
        // datasize up to 65535 is accepted, as by uWSGI's fastrouter (spec §8.1 item 8)
        pipeline.addLast(HandlerNames.UWSGI_DECODER, new UwsgiPacketDecoder(UwsgiPacketDecoder.DEFAULT_MAX_DATA_SIZE, true));
    }

    private void addRouter(ChannelPipeline pipeline) {
        pipeline.addLast(HandlerNames.ROUTER, new FastSession(router));
    }
}
