package io.corerouter.ssl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corerouter.core.testing.OpensslClient;
import io.corerouter.core.testing.OpensslPki;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Session resumption with {@code openssl s_client -sess_out/-sess_in}: TLS 1.2 by session id through
 * the shared cache, TLS 1.3 (and 1.2) by ticket, and two routers sharing one ticket key file.
 */
class ResumptionTest {
    @TempDir
    static Path dir;
    static OpensslPki.Pair server;
    static EchoNode echo;

    @BeforeAll
    static void setUp() throws Exception {
        server = OpensslPki.create(dir).server("server", "resume.example");
        echo = EchoNode.start(dir, "echo");
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (echo != null) {
            echo.close();
        }
    }

    private static RunningSslRouter router(String... extra) throws Exception {
        String[] base = {"--sslrouter", "127.0.0.1:0," + server.cert() + "," + server.key(),
            "--sslrouter-to", echo.address(), "--sslrouter-processes", "2", "--ssl-reload-interval", "0"};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return RunningSslRouter.start(args);
    }

    private static OpensslClient.Result connect(int port, Path session, boolean save, String... protocol)
            throws Exception {
        OpensslClient client = OpensslClient.to(port).serverName("resume.example").args(protocol);
        client = save ? client.sessionOut(session) : client.sessionIn(session);
        OpensslClient.Result result = client.send("r\nquit\n");
        assertTrue(result.handshakeOk(), result::toString);
        assertTrue(result.stdout().contains("echo:r"), result::toString);
        return result;
    }

    private static Path keyFile(String name, int keys) throws Exception {
        byte[] bytes = new byte[TicketKeys.KEY_LENGTH * keys];
        new SecureRandom().nextBytes(bytes);
        return Files.write(dir.resolve(name), bytes);
    }

    @Test
    void tls12ResumesFromTheSharedSessionCache() throws Exception {
        Path session = dir.resolve("tls12.session");
        try (RunningSslRouter router = router()) {
            assertFalse(connect(router.port(), session, true, "-tls1_2", "-no_ticket").reused());
            // every event loop shares the cache: resume several times, whichever loop gets the connection
            for (int i = 0; i < 3; i++) {
                OpensslClient.Result again = connect(router.port(), session, false, "-tls1_2", "-no_ticket");
                assertTrue(again.reused(), again::toString);
            }
            TlsStats.SessionCache cache = router.tls().stats().sessionCache();
            assertEquals(3, cache.hits(), cache.toString());
            assertEquals(1, cache.stored(), cache.toString());
        }
    }

    @Test
    void withoutTheCacheTls12SessionIdsDoNotResume() throws Exception {
        Path session = dir.resolve("nocache.session");
        try (RunningSslRouter router = router("--ssl-sessions-cache-size", "0")) {
            connect(router.port(), session, true, "-tls1_2", "-no_ticket");
            // BoringSSL gives no session id without a cache: s_client has nothing to save
            assertFalse(Files.exists(session) && connect(router.port(), session, false, "-tls1_2", "-no_ticket").reused());
        }
    }

    @Test
    void sslOptionNoTicketStopsTicketResumption() throws Exception {
        // no session cache: TLS 1.2 can only resume with a ticket
        Path withTickets = dir.resolve("tickets.session");
        try (RunningSslRouter router = router("--ssl-sessions-cache-size", "0")) {
            connect(router.port(), withTickets, true, "-tls1_2");
            assertTrue(connect(router.port(), withTickets, false, "-tls1_2").reused(), "resumed with a ticket");
        }
        Path noTickets = dir.resolve("no-tickets.session");
        // SSL_OP_NO_TICKET (0x4000), as uWSGI's --ssl-option 16384
        try (RunningSslRouter router = router("--ssl-sessions-cache-size", "0", "--ssl-option", "16384")) {
            connect(router.port(), noTickets, true, "-tls1_2");
            assertFalse(Files.exists(noTickets) && connect(router.port(), noTickets, false, "-tls1_2").reused(),
                    "no ticket, no cache: nothing to resume");
        }
    }

    @Test
    void sslVerboseLogsAFailedHandshakeAsAWarningWithItsReason() throws Exception {
        Logger logger = Logger.getLogger(TlsHandshakeHandler.class.getName());
        BlockingQueue<LogRecord> records =
                new LinkedBlockingQueue<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(capture);
        try (RunningSslRouter router = router("--ssl-verbose");
             Socket plain = new Socket("127.0.0.1", router.port())) {
            // 5 bytes of a TLS record header announcing a handshake, then garbage: not a ClientHello
            plain.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x00, 0x08, 1, 2, 3, 4, 5, 6, 7, 8});
            LogRecord record = records.poll(30, TimeUnit.SECONDS);
            assertTrue(record != null, "a handshake failure was logged");
            assertEquals(Level.WARNING, record.getLevel());
            assertTrue(record.getMessage().contains("tls handshake failed"), record.getMessage());
        } finally {
            logger.removeHandler(capture);
        }
    }

    @Test
    void tls13ResumesWithATicket() throws Exception {
        Path session = dir.resolve("tls13.session");
        try (RunningSslRouter router = router()) {
            assertFalse(connect(router.port(), session, true, "-tls1_3").reused());
            OpensslClient.Result again = connect(router.port(), session, false, "-tls1_3");
            assertTrue(again.reused(), again::toString);
            assertEquals(1, router.tls().stats().resumedHandshakes());
        }
    }

    @Test
    void twoRoutersSharingTicketKeysResumeEachOthersSessions() throws Exception {
        Path keys = keyFile("shared.key", 1);
        String[] shared = {"--ssl-ticket-keys", keys.toString(), "--sslrouter-session-context", "cluster"};
        try (RunningSslRouter a = router(shared); RunningSslRouter b = router(shared)) {
            for (String protocol : new String[] {"-tls1_3", "-tls1_2"}) {
                Path session = dir.resolve("shared" + protocol + ".session");
                connect(a.port(), session, true, protocol);
                OpensslClient.Result onB = connect(b.port(), session, false, protocol);
                assertTrue(onB.reused(), protocol + ": " + onB);
            }
        }
    }

    @Test
    void routersWithTheirOwnKeysDoNot() throws Exception {
        try (RunningSslRouter a = router(); RunningSslRouter b = router()) {
            Path session = dir.resolve("own.session");
            connect(a.port(), session, true, "-tls1_3");
            assertFalse(connect(b.port(), session, false, "-tls1_3").reused());
        }
    }

    @Test
    void rotatedKeyStillDecryptsUntilItIsDropped() throws Exception {
        Path keys = keyFile("rotating.key", 1);
        byte[] oldKey = Files.readAllBytes(keys);
        try (RunningSslRouter router = router("--ssl-ticket-keys", keys.toString())) {
            Path session = dir.resolve("rotating.session");
            connect(router.port(), session, true, "-tls1_3");
            // a new key in front: it encrypts from now on, the old one still decrypts
            byte[] newKey = new byte[TicketKeys.KEY_LENGTH];
            new SecureRandom().nextBytes(newKey);
            Path next = dir.resolve("rotating.next");
            Files.write(next, concat(newKey, oldKey));
            Files.move(next, keys, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            router.tls().checkFiles();
            assertEquals(2, router.tls().stats().ticketKeys());
            assertTrue(connect(router.port(), session, false, "-tls1_3").reused());
            // the old key dropped: its tickets no longer resume
            Files.write(next, newKey);
            Files.move(next, keys, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            router.tls().checkFiles();
            assertEquals(1, router.tls().stats().ticketKeys());
            assertFalse(connect(router.port(), session, false, "-tls1_3").reused());
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
