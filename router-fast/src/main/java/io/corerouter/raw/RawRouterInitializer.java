package io.corerouter.raw;

import io.corerouter.core.server.HandlerNames;
import io.corerouter.core.server.HarakiriHandler;
import io.corerouter.core.server.IdleCloseHandler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import java.time.Duration;

/**
 * The pipeline of one rawrouter listener, read top to bottom: idle timeout, harakiri, the session
 * (which becomes a relay). One per listener, because the listener's name is the routing key (spec §6).
 */
final class RawRouterInitializer extends ChannelInitializer<Channel> {
    private final RawRouterContext router;
    private final String key;

    RawRouterInitializer(RawRouterContext router, String key) {
        this.router = router;
        this.key = key;
    }

    @Override
    protected void initChannel(Channel ch) {
        ChannelPipeline pipeline = ch.pipeline();
        addTimeouts(pipeline);
        addRouter(pipeline);
    }

    private void addTimeouts(ChannelPipeline pipeline) {
        // the idle timeout also applies to long-lived raw connections (spec §6)
        pipeline.addLast(HandlerNames.IDLE_TIMEOUT, new IdleCloseHandler(router.config().common().timeouts().idle()));
        Duration harakiri = router.config().common().harakiri();
        if (!harakiri.isZero()) {
            pipeline.addLast(HandlerNames.HARAKIRI, new HarakiriHandler("rawrouter", harakiri));
        }
    }

    private void addRouter(ChannelPipeline pipeline) {
        pipeline.addLast(HandlerNames.ROUTER, new RawSession(router, key));
    }
}
