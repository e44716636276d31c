package io.corerouter.http;

import io.corerouter.core.backend.BackendConnector;
import io.corerouter.core.backend.BackendNode;
import io.corerouter.core.relay.RelayHandler;
import io.corerouter.core.server.HandlerNames;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.Queue;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns an HTTP session into a byte relay (spec §4.8: websockets after {@code 101}, raw body, SOURCE,
 * RTSP): both pipelines lose their HTTP handlers and get core's {@link RelayHandler}, with
 * backpressure and half-close. Nothing is lost on the way: bytes the client sent after the head
 * (held by the session) go first, and bytes a removed HTTP decoder still buffered are passed on by
 * Netty's {@code ByteToMessageDecoder} to the relay that replaced the handler behind it.
 */
final class Tunnel {
    private static final Logger LOG = Logger.getLogger(Tunnel.class.getName());
    static final String IDLE_CLOSE = "idle-close";

    private Tunnel() {
    }

    /**
     * Call on the event loop, from the session's client context {@code session}.
     *
     * @param held           client bytes read after the head, in order; written first (and drained)
     * @param clientInputDone the client already half-closed: the node's input is shut down after {@code held}
     * @param node           released when the node connection closes; counts the relayed bytes
     */
    static void start(ChannelHandlerContext session, Channel backend, Queue<ByteBuf> held, boolean clientInputDone,
            BackendNode node) {
        Channel client = session.channel();
        ChannelPipeline clientPipeline = client.pipeline();
        ChannelPipeline backendPipeline = backend.pipeline();
        backend.closeFuture().addListener(f -> node.release());
        BackendConnector.allowHalfClosure(backend); // a tunnel relays half-close both ways

        RelayHandler toNode = new RelayHandler(backend, n -> node.addTraffic(0, n));
        clientPipeline.replace(session.name(), HandlerNames.RELAY, toNode);
        clientPipeline.addAfter(HandlerNames.RELAY, IDLE_CLOSE, new IdleClose());
        if (clientPipeline.get(HandlerNames.HTTP_CODEC) != null) {
            clientPipeline.remove(HandlerNames.HTTP_CODEC);
        }
        ByteBuf buf;
        while ((buf = held.poll()) != null) {
            node.addTraffic(0, buf.readableBytes());
            backend.write(buf, backend.voidPromise());
        }

        RelayHandler toClient = new RelayHandler(client, n -> node.addTraffic(n, 0));
        if (backendPipeline.get(HandlerNames.BACKEND) != null) {
            backendPipeline.replace(HandlerNames.BACKEND, HandlerNames.RELAY, toClient);
        } else {
            backendPipeline.addLast(HandlerNames.RELAY, toClient);
        }
        if (backendPipeline.get(HandlerNames.BACKEND_DECODER) != null) {
            // what the decoder still holds (frames right behind the 101) goes to toClient now
            backendPipeline.remove(HandlerNames.BACKEND_DECODER);
        }
        backend.flush();
        client.flush();
        if (clientInputDone && backend instanceof DuplexChannel duplex) {
            duplex.shutdownOutput();
        }
        RelayHandler.start(client, backend);
    }

    /** The relay has no timer of its own: the listener's idle timeout closes a silent tunnel. */
    private static final class IdleClose extends ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                LOG.log(Level.INFO, () -> ctx.channel() + " timeout=idle: closing a silent tunnel");
                ctx.close();
            }
            ReferenceCountUtil.release(evt);
        }
    }
}
