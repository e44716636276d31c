package io.corerouter.core.timer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleStateEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Idle events from the loop's wheel: traffic either way postpones them, and they repeat while idle. */
class IdleTimeoutHandlerTest {
    private final List<Object> events = new ArrayList<>();
    private EmbeddedChannel channel;

    @BeforeEach
    void setUp() {
        channel = new EmbeddedChannel();
        channel.freezeTime();
        channel.pipeline().addLast(new IdleTimeoutHandler(Duration.ofSeconds(2)), new ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                events.add(evt);
            }
        });
    }

    @AfterEach
    void tearDown() {
        channel.finishAndReleaseAll();
    }

    private void advance(long millis) {
        channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
    }

    @Test
    void reportsAnIdleConnectionAfterTheTimeoutAndAgainEachPeriod() {
        advance(1500);
        assertEquals(List.of(), events);
        advance(1000);
        assertEquals(List.of(IdleStateEvent.ALL_IDLE_STATE_EVENT), events);
        advance(2000);
        assertEquals(2, events.size());
    }

    @Test
    void readsAndWritesPostponeIt() {
        advance(1500);
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {1}));
        advance(1500); // 3 s since start, 1.5 s since the read
        assertEquals(List.of(), events);
        channel.writeOutbound(Unpooled.wrappedBuffer(new byte[] {2}));
        advance(1500);
        assertEquals(List.of(), events);
        advance(1000);
        assertEquals(List.of(IdleStateEvent.ALL_IDLE_STATE_EVENT), events);
        channel.releaseInbound();
        channel.releaseOutbound();
    }

    @Test
    void aClosedConnectionLeavesTheWheel() {
        TimerWheel wheel = TimerWheel.of(channel.eventLoop());
        assertEquals(1, wheel.size());
        channel.close();
        assertEquals(0, wheel.size());
        advance(5000);
        assertEquals(List.of(), events);
        assertFalse(channel.isActive());
    }
}
