package io.corerouter.launcher;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.corerouter.core.config.CommandLine;
import io.corerouter.core.config.RouterConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * What keeps the idle process small (issue 14): the class-data-sharing training run works end to end
 * (bin/cds-archive would otherwise silently run without an archive), and the Prometheus registry with
 * its JVM metrics is only made for a stats server.
 */
class FootprintTest {
    @Test
    void trainingRunServesItsRequestsThroughTheHttpRouter() throws Exception {
        CdsTraining.train(); // throws when a response is missing or cut
    }

    @Test
    void metricsRegistryOnlyWithAStatsServer() throws Exception {
        Corerouter plain = start("--http", "127.0.0.1:0", "--http-to", "127.0.0.1:1");
        try {
            assertNull(plain.metrics());
        } finally {
            plain.stop(Duration.ZERO);
        }
        Corerouter withStats = start("--http", "127.0.0.1:0", "--http-to", "127.0.0.1:1",
                "--http-stats", "127.0.0.1:0", "--stats-http");
        try {
            assertNotNull(withStats.metrics());
        } finally {
            withStats.stop(Duration.ZERO);
        }
    }

    private static Corerouter start(String... args) throws Exception {
        Corerouter corerouter = new Corerouter(
                RouterConfig.from(CommandLine.parse(args, RouterConfig.optionTable(Kinds.ALL)), Kinds.ALL));
        corerouter.start();
        return corerouter;
    }
}
