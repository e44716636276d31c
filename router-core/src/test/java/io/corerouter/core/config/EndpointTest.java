package io.corerouter.core.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class EndpointTest {

    @ParameterizedTest(name = "listener {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        // text             | kind     | host       | port | path           | serverPort
        "127.0.0.1:8080     | TCP      | 127.0.0.1  | 8080 | \"\"           | 8080",
        ":8080              | TCP      | \"\"       | 8080 | \"\"           | 8080",
        "0.0.0.0:0          | TCP      | 0.0.0.0    | 0    | \"\"           | 0",
        "localhost:65535    | TCP      | localhost  | 65535| \"\"           | 65535",
        "[::1]:8080         | TCP      | ::1        | 8080 | \"\"           | 8080",
        "[::]:0             | TCP      | ::         | 0    | \"\"           | 0",
        // the port is after the LAST ':' for listeners (spec §3.2)
        "::1:8080           | TCP      | ::1        | 8080 | \"\"           | 8080",
        "/tmp/router.sock   | UNIX     | \"\"       | 0    | /tmp/router.sock | \"\"",
        "router.sock        | UNIX     | \"\"       | 0    | router.sock    | \"\"",
        "@router            | ABSTRACT | \"\"       | 0    | router         | \"\"",
        "\\0router          | ABSTRACT | \"\"       | 0    | router         | \"\"",
    })
    void parsesListeners(String text, Endpoint.Kind kind, String host, int port, String path, String serverPort) {
        Endpoint e = Endpoint.parseListener(text);
        assertEquals(new Endpoint(kind, host, port, path, text), e);
        assertEquals(text, e.name());
        assertEquals(serverPort, e.serverPort());
    }

    @ParameterizedTest(name = "backend {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "127.0.0.1:3031     | TCP      | 127.0.0.1  | 3031 | \"\"",
        // empty host: this machine (uWSGI connects to INADDR_ANY, i.e. locally; spec §3.5)
        ":3031              | TCP      | 127.0.0.1  | 3031 | \"\"",
        "localhost:3031     | TCP      | localhost  | 3031 | \"\"",
        "node-1.example:1   | TCP      | node-1.example | 1 | \"\"",
        "[::1]:3031         | TCP      | ::1        | 3031 | \"\"",
        "[fe80::1]:3031     | TCP      | fe80::1    | 3031 | \"\"",
        "/run/app.sock      | UNIX     | \"\"       | 0    | /run/app.sock",
        "@app               | ABSTRACT | \"\"       | 0    | app",
    })
    void parsesBackends(String text, Endpoint.Kind kind, String host, int port, String path) {
        Endpoint e = Endpoint.parseBackend(text);
        assertEquals(new Endpoint(kind, host, port, path, text), e);
    }

    @ParameterizedTest(name = "bad listener ''{0}''")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "\"\"                  | ''",
        "127.0.0.1:65536       | 127.0.0.1:65536 (expected: port 0-65535)",
        "127.0.0.1:            | 127.0.0.1: (expected: port 0-65535)",
        "127.0.0.1:-1          | 127.0.0.1:-1 (expected: port 0-65535)",
        "127.0.0.1:http        | 127.0.0.1:http (expected: port 0-65535)",
        "127.0.0.1:123456      | 127.0.0.1:123456 (expected: port 0-65535)",
        "[::1]                 | [::1] (expected: [IPv6 address]:port)",
        "[::1]8080             | [::1]8080 (expected: [IPv6 address]:port)",
        "[not-v6]:80           | [not-v6]:80 (expected: [IPv6 address]:port)",
        "bad host:80           | bad host:80 (expected:",
        "=0                    | =0 (expected:",
        "fd://3                | fd://3 (expected:",
        "@                     | @ (expected: an abstract name",
    })
    void rejectsBadListeners(String text, String messageStart) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Endpoint.parseListener(text));
        assertTrue(e.getMessage().startsWith(messageStart), e.getMessage());
    }

    @ParameterizedTest(name = "bad backend ''{0}''")
    @CsvSource(delimiter = '|', value = {
        "127.0.0.1:0          | 127.0.0.1:0 (expected: port 1-65535)",
        ":0                   | :0 (expected: port 1-65535)",
        "1.2.3.4:70000        | 1.2.3.4:70000 (expected: port 1-65535)",
        // split at the FIRST ':' (spec §3.5): unbracketed IPv6 and extra colons are not a port
        "::1:3031             | ::1:3031 (expected: port 1-65535)",
        "host:80:90           | host:80:90 (expected: port 1-65535)",
        "[::1]:0              | [::1]:0 (expected: port 1-65535)",
    })
    void rejectsBadBackends(String text, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Endpoint.parseBackend(text));
        assertEquals(message, e.getMessage());
    }

    @Test
    void rejectsPathsThatDoNotFitSunPath() {
        String path = "/" + "p".repeat(Endpoint.MAX_PATH_BYTES - 1);
        assertEquals(path, Endpoint.parseListener(path).path());
        assertThrows(IllegalArgumentException.class, () -> Endpoint.parseListener(path + "p"));
        String name = "n".repeat(Endpoint.MAX_PATH_BYTES - 1);
        assertEquals(name, Endpoint.parseBackend("@" + name).path());
        assertThrows(IllegalArgumentException.class, () -> Endpoint.parseBackend("@" + name + "n"));
    }

    @Test
    void recordChecksConsistency() {
        assertThrows(IllegalArgumentException.class, () -> new Endpoint(Endpoint.Kind.TCP, "h", 70000, "", "h:70000"));
        assertThrows(IllegalArgumentException.class, () -> new Endpoint(Endpoint.Kind.UNIX, "h", 0, "/p", "/p"));
        assertThrows(IllegalArgumentException.class, () -> new Endpoint(Endpoint.Kind.UNIX, "", 0, "", "x"));
        assertThrows(IllegalArgumentException.class, () -> new Endpoint(Endpoint.Kind.TCP, "", 1, "", ""));
    }

    @Test
    void tcpSocketAddresses() throws Exception {
        InetSocketAddress any = (InetSocketAddress) Endpoint.parseListener(":8080").toSocketAddress();
        assertTrue(any.getAddress().isAnyLocalAddress());
        assertEquals(8080, any.getPort());

        InetSocketAddress v4 = (InetSocketAddress) Endpoint.parseBackend("10.1.2.3:3031").toSocketAddress();
        assertArrayEquals(new byte[] {10, 1, 2, 3}, v4.getAddress().getAddress());
        assertEquals(3031, v4.getPort());

        InetSocketAddress local = (InetSocketAddress) Endpoint.parseBackend(":3031").toSocketAddress();
        assertTrue(local.getAddress().isLoopbackAddress());

        InetSocketAddress v6 = (InetSocketAddress) Endpoint.parseBackend("[::1]:3031").toSocketAddress();
        assertTrue(v6.getAddress().isLoopbackAddress());
        assertEquals(16, v6.getAddress().getAddress().length);

        InetSocketAddress named = (InetSocketAddress) Endpoint.parseBackend("localhost:3031").toSocketAddress();
        assertTrue(!named.isUnresolved() && named.getAddress().isLoopbackAddress());
    }

    @Test
    void unixSocketAddresses() throws Exception {
        assertEquals("/run/app.sock", ((DomainSocketAddress) Endpoint.parseBackend("/run/app.sock").toSocketAddress()).path());
        // uWSGI binds and connects "@app" as "\0app\0" (core/socket.c): match it byte for byte
        assertEquals("\0app\0", ((DomainSocketAddress) Endpoint.parseBackend("@app").toSocketAddress()).path());
    }

    @ParameterizedTest
    @ValueSource(strings = {"@corerouter-endpoint-test", "\\0corerouter-endpoint-test"})
    void abstractAddressBindsAndConnectsWithEpoll(String text) throws Exception {
        assumeTrue(Epoll.isAvailable(), "epoll not available");
        String unique = text + '-' + ProcessHandle.current().pid();
        SocketAddress address = Endpoint.parseListener(unique).toSocketAddress();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try {
            Channel server = new ServerBootstrap().group(group).channel(EpollServerDomainSocketChannel.class)
                    .childHandler(new ChannelInboundHandlerAdapter()).bind(address).sync().channel();
            Channel client = new Bootstrap().group(group).channel(EpollDomainSocketChannel.class)
                    .handler(new ChannelInboundHandlerAdapter())
                    .connect(Endpoint.parseBackend(unique).toSocketAddress()).sync().channel();
            assertTrue(client.isActive());
            client.close().sync();
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS).sync();
        }
    }
}
