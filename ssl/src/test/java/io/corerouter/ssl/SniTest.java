package io.corerouter.ssl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.core.testing.OpensslClient;
import io.corerouter.core.testing.OpensslPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SNI selection (spec §5.3, §5.4) seen by a real client: which certificate each server name gets. */
class SniTest {
    @TempDir
    static Path dir;
    static OpensslPki pki;
    static EchoNode echo;
    static RunningSslRouter router;

    @BeforeAll
    static void setUp() throws Exception {
        pki = OpensslPki.create(dir);
        OpensslPki.Pair def = pki.server("default", "default.example");
        OpensslPki.Pair a = pki.server("a", "a.example");
        OpensslPki.Pair b = pki.server("b", "b.example");
        Path sniDir = Files.createDirectory(dir.resolve("sni"));
        OpensslPki.Pair c = pki.server("sni/c.example", "c.example");
        // a file outside the directory that a path in the server name would reach
        pki.server("outside", "outside.example");
        echo = EchoNode.start(dir, "echo");
        router = RunningSslRouter.start("--sslrouter", "127.0.0.1:0," + def.cert() + "," + def.key(),
                "--sslrouter-to", echo.address(),
                "--sni", "a.example " + a.cert() + "," + a.key(),
                "--sni-regexp", "^b[0-9]+\\.example$ " + b.cert() + "," + b.key(),
                "--sni-dir", sniDir.toString());
        assertTrue(Files.exists(c.cert()));
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (router != null) {
            router.close();
        }
        if (echo != null) {
            echo.close();
        }
    }

    private static String subjectFor(String serverName) throws Exception {
        OpensslClient client = OpensslClient.to(router.port());
        OpensslClient.Result result = (serverName == null ? client.noServerName() : client.serverName(serverName))
                .send("x\nquit\n");
        assertTrue(result.handshakeOk(), result::toString);
        assertTrue(result.stdout().contains("echo:x"), result::toString);
        return result.subject();
    }

    @Test
    void staticRegexpAndDirectoryEachServeTheirCertificate() throws Exception {
        assertEquals("/O=Test/CN=a.example", subjectFor("a.example"));
        assertEquals("/O=Test/CN=a.example", subjectFor("A.Example")); // names compare case-insensitively
        assertEquals("/O=Test/CN=b.example", subjectFor("b42.example"));
        assertEquals("/O=Test/CN=c.example", subjectFor("c.example"));
        assertEquals("/O=Test/CN=c.example", subjectFor("c.example")); // now cached
    }

    @Test
    void unknownOrMissingNameGetsTheDefault() throws Exception {
        assertEquals("/O=Test/CN=default.example", subjectFor("unknown.example"));
        assertEquals("/O=Test/CN=default.example", subjectFor("bx.example")); // regexp does not match
        assertEquals("/O=Test/CN=default.example", subjectFor(null));
    }

    @Test
    void directoryNamesAreSanitised() throws Exception {
        // uWSGI would open DIR/../outside.crt; here the name never reaches the file system
        assertEquals("/O=Test/CN=default.example", subjectFor("../outside"));
        assertEquals("/O=Test/CN=default.example", subjectFor(".c.example"));
    }

    @Test
    void subscriptionPushedContextIsServedAndRemoved() throws Exception {
        OpensslPki.Pair p = pki.server("push", "push.example");
        SniContexts contexts = router.tls().sniContexts();
        contexts.addContext("push.example:8443", p.cert().toString(), p.key().toString(), null)
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertEquals("/O=Test/CN=push.example", subjectFor("push.example"));
        // the same files again: nothing rebuilt, still served
        contexts.addContext("push.example", p.cert().toString(), p.key().toString(), null)
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertEquals("/O=Test/CN=push.example", subjectFor("push.example"));
        // freed with the key's last node, host:port keys included (uWSGI leaks those)
        contexts.removeContext("push.example:8443");
        assertEquals("/O=Test/CN=default.example", subjectFor("push.example"));
    }

    @Test
    void aPushedContextFollowsItsFilesLikeEveryOther() throws Exception {
        // deviations.md "Subscriptions": replaced when the certificate files change (uWSGI never does)
        OpensslPki.Pair live = new OpensslPki.Pair(dir.resolve("pushed-live.crt"), dir.resolve("pushed-live.key"));
        OpensslPki.install(pki.server("pushed-v1", "v1.pushed.example"), live);
        SniContexts contexts = router.tls().sniContexts();
        contexts.addContext("pushed.example", live.cert().toString(), live.key().toString(), null)
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertEquals("/O=Test/CN=v1.pushed.example", subjectFor("pushed.example"));
        OpensslPki.install(pki.server("pushed-v2", "v2.pushed.example"), live);
        router.tls().checkFiles();
        assertEquals("/O=Test/CN=v2.pushed.example", subjectFor("pushed.example"));
        contexts.removeContext("pushed.example");
        assertEquals("/O=Test/CN=default.example", subjectFor("pushed.example"));
    }

    @Test
    void pushWithBrokenFilesFailsAndServesNothingNew() throws Exception {
        Path garbage = Files.writeString(dir.resolve("garbage.crt"), "not a certificate");
        SniContexts contexts = router.tls().sniContexts();
        assertThrows(CompletionException.class, () -> contexts.addContext("broken.example", garbage.toString(),
                garbage.toString(), null).toCompletableFuture().join());
        assertEquals("/O=Test/CN=default.example", subjectFor("broken.example"));
    }
}
