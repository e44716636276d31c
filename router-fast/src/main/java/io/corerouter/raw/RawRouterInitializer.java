package io.corerouter.raw;

import io.corerouter.core.server.HandlerNames;
import io.corerouter.core.server.HarakiriHandler;
import io.corerouter.core.server.IdleCloseHandler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The pipeline of one rawrouter listener, read top to bottom: idle timeout, harakiri, the session
 * (which becomes a relay). One per listener, because the listener's name is the routing key (spec §6).
 */
final class RawRouterInitializer extends ChannelInitializer<Channel> {
    private final Supplier<RawRouterContext> contexts;
    private final String key;

    /** @param contexts the router's context now (a reload swaps it) */
    RawRouterInitializer(Supplier<RawRouterContext> contexts, String key) {
        this.contexts = contexts;
        this.key = key;
    }

    @Override
    protected void initChannel(Channel ch) {
        ChannelPipeline pipeline = ch.pipeline();
        RawRouterContext router = contexts.get();
        addTimeouts(pipeline, router);
        addRouter(pipeline, router);
    }

    private static void addTimeouts(ChannelPipeline pipeline, RawRouterContext router) {
        // the idle timeout also applies to long-lived raw connections (spec §6)
        pipeline.addLast(HandlerNames.IDLE_TIMEOUT, new IdleCloseHandler(router.config().common().timeouts().idle()));
        Duration harakiri = router.config().common().harakiri();
        if (!harakiri.isZero()) {
            pipeline.addLast(HandlerNames.HARAKIRI, new HarakiriHandler("rawrouter", harakiri));
        }
    }

    private void addRouter(ChannelPipeline pipeline, RawRouterContext router) {
        pipeline.addLast(HandlerNames.ROUTER, new RawSession(router, key));
    }
}
