package io.corerouter.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.core.transport.Transport;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroupFuture;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Listening sockets: one SO_REUSEPORT socket per event loop, honest "address in use", pause and resume. */
class RouterServerTest {
    private static final InetSocketAddress ANY_PORT = new InetSocketAddress("127.0.0.1", 0);

    private final Transport transport = Transport.detect();
    private EventLoopGroup group;
    private final List<RouterServer> servers = new ArrayList<>();

    /** Records the loop that serves each accepted connection, then closes it. */
    @ChannelHandler.Sharable
    private static final class Recorder extends ChannelInboundHandlerAdapter {
        final Set<EventLoop> loops = ConcurrentHashMap.newKeySet();
        final CountDownLatch accepted;

        Recorder(int expected) {
            accepted = new CountDownLatch(expected);
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            loops.add(ctx.channel().eventLoop());
            accepted.countDown();
            ctx.close();
        }
    }

    @BeforeEach
    void loops() {
        assertTrue(transport.isEpoll(), "these tests need the epoll transport");
        group = transport.newGroup(2, "server-test");
    }

    @AfterEach
    void close() {
        servers.forEach(RouterServer::close);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private RouterServer server() {
        RouterServer server = new RouterServer("test", transport, group);
        servers.add(server);
        return server;
    }

    private static void connect(InetSocketAddress address, int clients) throws Exception {
        for (int i = 0; i < clients; i++) {
            try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
                socket.getOutputStream().write('x');
            }
        }
    }

    @Test
    void servesEachConnectionOnTheLoopThatAcceptedItAndUsesEveryLoop() throws Exception {
        Recorder recorder = new Recorder(64);
        RouterServer server = server();
        Channel listener = server.bind("127.0.0.1:0", ANY_PORT, recorder);
        assertEquals(List.of(listener), server.listeners(), "one channel listed per configured socket");

        connect((InetSocketAddress) listener.localAddress(), 64);
        assertTrue(recorder.accepted.await(10, TimeUnit.SECONDS), "every connection accepted");
        // the kernel spreads connections by their 4-tuple hash: 64 of them all on one socket would be a 2^-63 event
        assertEquals(2, recorder.loops.size(), "connections served by both loops");
    }

    @Test
    void aPortHeldByAnotherSocketIsAnError() throws Exception {
        try (ServerSocket other = new ServerSocket()) {
            other.bind(ANY_PORT);
            InetSocketAddress taken = new InetSocketAddress("127.0.0.1", other.getLocalPort());
            ChannelException e = assertThrows(ChannelException.class,
                    () -> server().bind("127.0.0.1:" + other.getLocalPort(), taken, new Recorder(1)));
            assertTrue(e.getMessage().contains("127.0.0.1:" + other.getLocalPort()), e.getMessage());
        }
    }

    @Test
    void aPortHeldByAnotherSpreadListenerIsAnErrorToo() throws Exception {
        Channel first = server().bind("127.0.0.1:0", ANY_PORT, new Recorder(1));
        InetSocketAddress taken = (InetSocketAddress) first.localAddress();
        // both would set SO_REUSEPORT: without the plain-bind check they would silently share the port
        assertThrows(ChannelException.class,
                () -> server().bind("127.0.0.1:" + taken.getPort(), taken, new Recorder(1)));
    }

    @Test
    void pausingAndResumingCoversEverySocketOfAListener() throws Exception {
        Recorder recorder = new Recorder(32);
        RouterServer server = server();
        server.setAccepting(false);
        Channel listener = server.bind("127.0.0.1:0", ANY_PORT, recorder);
        // paused: the connections complete in the kernel backlogs of both sockets, none is accepted
        connect((InetSocketAddress) listener.localAddress(), 32);
        assertEquals(32, recorder.accepted.getCount());

        server.setAccepting(true);
        assertTrue(recorder.accepted.await(10, TimeUnit.SECONDS), "every socket's backlog accepted after resume");
        assertEquals(2, recorder.loops.size());
    }

    @Test
    void closingFreesThePortForAPlainBind() throws Exception {
        RouterServer server = server();
        InetSocketAddress bound = (InetSocketAddress) server.bind("127.0.0.1:0", ANY_PORT, new Recorder(1)).localAddress();
        server.close();
        try (ServerSocket again = new ServerSocket()) {
            again.setReuseAddress(true);
            again.bind(bound); // fails if any of the SO_REUSEPORT sockets were left open
        }
    }

    @Test
    void stopAcceptingRefusesNewConnectionsAndTellsEverySessionToFinish() throws Exception {
        CountDownLatch active = new CountDownLatch(2);
        CountDownLatch told = new CountDownLatch(2);
        @ChannelHandler.Sharable
        final class Session extends ChannelInboundHandlerAdapter {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                active.countDown();
            }

            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt == DrainEvent.INSTANCE) {
                    told.countDown(); // a session finishing its request, then closing
                    ctx.close();
                }
            }
        }
        RouterServer server = server();
        InetSocketAddress address = (InetSocketAddress) server.bind("test", ANY_PORT, new Session()).localAddress();
        try (Socket first = new Socket(address.getAddress(), address.getPort());
             Socket second = new Socket(address.getAddress(), address.getPort())) {
            assertTrue(active.await(10, TimeUnit.SECONDS));
            ChannelGroupFuture closed = server.stopAccepting();
            assertTrue(told.await(10, TimeUnit.SECONDS), "every open session got the drain event");
            assertTrue(closed.awaitUninterruptibly(10, TimeUnit.SECONDS), "the future follows the sessions");
            assertEquals(-1, first.getInputStream().read());
            assertEquals(-1, second.getInputStream().read());
            assertThrows(ConnectException.class, () -> new Socket(address.getAddress(), address.getPort()).close());
            assertEquals(0, server.openSessions());
        }
    }

    @Test
    void unbindClosesOneListenerAndDrainsOnlyItsSessions() throws Exception {
        CountDownLatch active = new CountDownLatch(2);
        Set<Integer> drainedPorts = ConcurrentHashMap.newKeySet();
        CountDownLatch told = new CountDownLatch(1);
        @ChannelHandler.Sharable
        final class Session extends ChannelInboundHandlerAdapter {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                active.countDown();
            }

            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt == DrainEvent.INSTANCE) {
                    drainedPorts.add(((InetSocketAddress) ctx.channel().localAddress()).getPort());
                    told.countDown();
                    ctx.close();
                }
            }
        }
        RouterServer server = server();
        InetSocketAddress stays = (InetSocketAddress) server.bind("stays", ANY_PORT, new Session()).localAddress();
        InetSocketAddress goes = (InetSocketAddress) server.bind("goes", ANY_PORT, new Session()).localAddress();
        try (Socket kept = new Socket(stays.getAddress(), stays.getPort());
             Socket drained = new Socket(goes.getAddress(), goes.getPort())) {
            assertTrue(active.await(10, TimeUnit.SECONDS));
            assertEquals(1, server.unbind("goes"));
            assertTrue(told.await(10, TimeUnit.SECONDS), "the session of the removed listener got the drain event");
            assertEquals(-1, drained.getInputStream().read());
            assertEquals(Set.of(goes.getPort()), drainedPorts, "only the removed listener's sessions drain");
            assertThrows(ConnectException.class, () -> new Socket(goes.getAddress(), goes.getPort()).close());
            connect(stays, 1);
            assertEquals(1, server.listeners().size());
            assertEquals(-1, server.unbind("goes"), "already closed");
        }
    }
}
