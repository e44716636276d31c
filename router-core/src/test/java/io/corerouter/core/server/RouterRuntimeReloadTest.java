package io.corerouter.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.core.backend.NodeSelector;
import io.corerouter.core.config.Endpoint;
import io.corerouter.core.config.RouterOptions;
import io.corerouter.core.config.Timeouts;
import io.corerouter.core.route.Routes;
import io.corerouter.core.transport.Transport;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link RouterRuntime#reload}: the routes are resolved first and swapped at commit, a request that
 * started before keeps its routes, nodes that stay keep their state, restart-only options are
 * reported and kept.
 */
class RouterRuntimeReloadTest {
    private static final Timeouts TIMEOUTS = new Timeouts(Duration.ofSeconds(60), Duration.ofSeconds(60),
            Duration.ofSeconds(60));

    private RouterRuntime runtime;

    @AfterEach
    void close() {
        if (runtime != null) {
            runtime.close();
        }
    }

    private static RouterOptions options(int processes, List<String> to, List<String> fallback) {
        return new RouterOptions("test", List.of(), to.stream().map(Endpoint::parseBackend).toList(),
                fallback.stream().map(Endpoint::parseBackend).toList(), processes, TIMEOUTS, Duration.ofSeconds(30),
                false, 4096, Duration.ZERO, false);
    }

    @Test
    void newRoutesTakeEffectAtCommitAndARequestInFlightKeepsItsOwn() throws Exception {
        runtime = new RouterRuntime("test", options(1, List.of("127.0.0.1:3001", "127.0.0.1:3002"), List.of()),
                Transport.detect(), null, TIMEOUTS.connect());
        Routes before = runtime.routes();
        NodeSelector inFlight = new NodeSelector(before, 3);

        RouterRuntime.Reload reload = runtime.reload(options(2, List.of("127.0.0.1:3002", "127.0.0.1:3003"),
                List.of("127.0.0.1:3009")));
        assertSame(before, runtime.routes(), "nothing changes before the commit");
        ReloadReport report = reload.commit();

        assertEquals(List.of("test-to=[127.0.0.1:3002, 127.0.0.1:3003]", "test-fallback=[127.0.0.1:3009]"),
                report.applied());
        assertEquals(List.of("test-processes"), report.needsRestart());
        assertEquals(1, runtime.common().processes(), "restart-only options are kept");
        Routes after = runtime.routes();
        assertSame(before.staticNodes().nodes().get(1), after.staticNodes().nodes().get(0),
                "a node in both lists keeps its state");
        assertEquals("127.0.0.1:3009", after.fallbacks().get(0).name());
        for (int i = 0; i < 4; i++) {
            String picked = inFlight.first("k").name();
            assertTrue(picked.equals("127.0.0.1:3001") || picked.equals("127.0.0.1:3002"), picked);
        }
        inFlight.reset(runtime.routes()); // the next request on that connection
        for (int i = 0; i < 4; i++) {
            String picked = inFlight.first("k").name();
            assertTrue(picked.equals("127.0.0.1:3002") || picked.equals("127.0.0.1:3003"), picked);
        }
    }

    @Test
    void aNodeThatDoesNotResolveRejectsTheReloadBeforeAnythingChanges() throws Exception {
        runtime = new RouterRuntime("test", options(1, List.of("127.0.0.1:3001"), List.of()), Transport.detect(), null,
                TIMEOUTS.connect());
        Routes before = runtime.routes();
        assertThrows(Exception.class, () -> runtime.reload(options(1, List.of("no-such-host.invalid:3001"), List.of())));
        assertSame(before, runtime.routes());
    }
}
