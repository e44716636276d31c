package io.corerouter.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.core.backend.BackendNode;
import io.corerouter.core.route.PatternMapper;
import io.netty.channel.unix.DomainSocketAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Node addresses with a scheme (issue 10: persistent node connections), and the pool options. */
class NodeSchemeTest {
    @ParameterizedTest
    @CsvSource({
        "127.0.0.1:3031, UWSGI, TCP, 127.0.0.1:3031",
        "puwsgi://127.0.0.1:3032, PUWSGI, TCP, 127.0.0.1:3032",
        "PUWSGI://:3032, PUWSGI, TCP, 127.0.0.1:3032",
        "http://[::1]:8000, HTTP, TCP, '[::1]:8000'",
        "puwsgi:///run/app.sock, PUWSGI, UNIX, /run/app.sock",
        "http://@app, HTTP, ABSTRACT, app",
        "/run/app.sock, UWSGI, UNIX, /run/app.sock",
    })
    void theSchemeNamesTheProtocol(String text, NodeProtocol protocol, Endpoint.Kind kind, String rest) throws Exception {
        Endpoint endpoint = Endpoint.parseBackend(text);
        assertEquals(protocol, endpoint.protocol());
        assertEquals(kind, endpoint.kind());
        assertEquals(text, endpoint.name(), "the name keeps the scheme (stats, logs)");
        if (kind == Endpoint.Kind.TCP) {
            assertEquals(rest, (endpoint.host().contains(":") ? "[" + endpoint.host() + "]" : endpoint.host())
                    + ":" + endpoint.port());
            assertTrue(endpoint.toSocketAddress() instanceof InetSocketAddress);
        } else {
            assertEquals(rest, endpoint.path());
            assertTrue(endpoint.toSocketAddress() instanceof DomainSocketAddress);
        }
        assertEquals(NodeProtocol.UWSGI, Endpoint.parseListener(":8080").protocol());
    }

    @Test
    void aSchemeWithoutAnAddressSaysWhatIsExpected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Endpoint.parseBackend("puwsgi://"));
        assertTrue(e.getMessage().startsWith("puwsgi:// (expected: puwsgi://host:port"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Endpoint.parseBackend("http://127.0.0.1:0"));
    }

    @Test
    void protocolsByName() {
        assertEquals(NodeProtocol.HTTP, NodeProtocol.ofName("HTTP"));
        assertEquals(NodeProtocol.PUWSGI, NodeProtocol.ofName("puwsgi"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NodeProtocol.ofName("gopher"));
        assertEquals("gopher (expected: uwsgi, puwsgi or http)", e.getMessage());
        assertTrue(NodeProtocol.HTTP.carriesBody());
        assertTrue(!NodeProtocol.PUWSGI.carriesBody());
    }

    @Test
    void patternMadeNodesKeepTheScheme() {
        BackendNode node = PatternMapper.pattern("puwsgi:///run/%s.sock").pick("app.test");
        assertEquals(NodeProtocol.PUWSGI, node.protocol());
        assertEquals(new DomainSocketAddress("/run/app.test.sock"), node.address());
        assertEquals(NodeProtocol.HTTP, PatternMapper.base("http://127.0.0.1:80").pick("80").protocol());
    }

    @Test
    void aKindWithoutPoolsRefusesSchemes() throws Exception {
        ParsedOptions parsed = CommandLine.parse(new String[] {"--http", ":0", "--http-to", "puwsgi://:3032"},
                TestKind.table());
        ConfigException e = assertThrows(ConfigException.class, () -> RouterOptions.from(parsed, "http"));
        assertTrue(e.getMessage().contains("http-to: puwsgi://:3032 (expected: an address without a scheme"),
                e.getMessage());
    }

    @Test
    void poolOptionsAreReadAndChecked() throws Exception {
        OptionTable table = TestKind.table();
        TestKind.NAMES.registerPools(table, TestKind.GROUP);
        ParsedOptions parsed = CommandLine.parse(new String[] {"--http", ":0", "--http-to", "puwsgi://:3032"}, table);
        PoolOptions defaults = RouterOptions.from(parsed, "http").pools();
        assertEquals(PoolOptions.DEFAULTS, defaults);
        PoolOptions set = RouterOptions.from(CommandLine.parse(new String[] {"--http", ":0", "--http-node-connections", "8",
                "--http-pool-idle", "2", "--http-pool-idle-timeout", "3", "--http-pool-max-requests", "0",
                "--http-pool-wait", "0"}, table), "http").pools();
        assertEquals(new PoolOptions(8, 2, Duration.ofSeconds(3), 0, Duration.ZERO), set);
        assertEquals(2, set.idleLimit(8));
        ConfigException bad = assertThrows(ConfigException.class, () -> RouterOptions.from(CommandLine.parse(
                new String[] {"--http", ":0", "--http-node-connections", "0"}, table), "http"));
        assertTrue(bad.getMessage().contains("http-node-connections: 0 (expected: 1-65536)"), bad.getMessage());
        assertEquals(1, defaults.idleLimit(1));
        assertEquals(Duration.ofSeconds(2), defaults.idleTimeout());
        assertThrows(IllegalArgumentException.class, () -> new PoolOptions(0, 0, Duration.ofSeconds(1), 0, Duration.ZERO));
    }
}
