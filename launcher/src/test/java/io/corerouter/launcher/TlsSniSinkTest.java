package io.corerouter.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.corerouter.ssl.SniContexts;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** Several slots holding one host name: the context goes with the last holder. */
class TlsSniSinkTest {
    private final List<String> calls = new ArrayList<>();
    private final TlsSniSink sink = new TlsSniSink(new SniContexts() {
        @Override
        public CompletionStage<Void> addContext(String key, String cert, String keyFile, String clientCa) {
            calls.add("add " + key);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void removeContext(String key) {
            calls.add("remove " + key);
        }
    });

    @Test
    void theLastHolderOfANameRemovesItsContext() {
        sink.enable("app.test", "/c", "/k", null); // e.g. the HTTPS router's app.test
        sink.enable("App.Test", "/c", "/k", null); // the sslrouter's, or app.test:443 in the same table
        sink.disable("app.test");
        assertEquals(List.of("add app.test", "add App.Test"), calls, "still held");
        sink.disable("App.Test");
        assertEquals(List.of("add app.test", "add App.Test", "remove App.Test"), calls);
    }
}
