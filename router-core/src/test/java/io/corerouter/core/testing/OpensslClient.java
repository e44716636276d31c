package io.corerouter.core.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code openssl s_client} as a TLS client for tests: one connection per call, with a chosen server
 * name, protocol, session file and client certificate; reports the served certificate's subject,
 * whether the session was resumed and what the server sent.
 */
public final class OpensslClient {
    private static final Pattern SUBJECT = Pattern.compile("(?m)^subject=(.*)$");

    private final List<String> args = new ArrayList<>();
    private final int port;

    private OpensslClient(int port) {
        this.port = port;
    }

    /** A client for {@code 127.0.0.1:port}. */
    public static OpensslClient to(int port) {
        return new OpensslClient(port);
    }

    public OpensslClient serverName(String name) {
        args.addAll(List.of("-servername", name));
        return this;
    }

    public OpensslClient noServerName() {
        args.add("-noservername");
        return this;
    }

    public OpensslClient tls12() {
        args.add("-tls1_2");
        return this;
    }

    public OpensslClient tls13() {
        args.add("-tls1_3");
        return this;
    }

    /** TLS 1.2 without tickets: resumption can only go through the server's session-id cache. */
    public OpensslClient noTicket() {
        args.add("-no_ticket");
        return this;
    }

    public OpensslClient sessionOut(Path file) {
        args.addAll(List.of("-sess_out", file.toString()));
        return this;
    }

    public OpensslClient sessionIn(Path file) {
        args.addAll(List.of("-sess_in", file.toString()));
        return this;
    }

    /** Any other s_client arguments ({@code -msg}, {@code -cipher X}). */
    public OpensslClient args(String... more) {
        args.addAll(List.of(more));
        return this;
    }

    public OpensslClient certificate(OpensslPki.Pair pair) {
        args.addAll(List.of("-cert", pair.cert().toString(), "-key", pair.key().toString()));
        return this;
    }

    /**
     * Connects, sends {@code input}, and reads until the server closes (s_client {@code -ign_eof}),
     * so post-handshake session tickets are received before the session is saved.
     */
    public Result send(String input) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port,
                "-ign_eof", "-nameopt", "compat"));
        command.addAll(args);
        return new Result(Commands.run(command, input));
    }

    /** What one s_client run showed. */
    public record Result(Commands.Result raw) {
        /**
         * True when the handshake completed and the connection ended cleanly (s_client prints a cipher
         * even when the server rejects the client's Finished, but then exits with 1).
         */
        public boolean handshakeOk() {
            return raw.exit() == 0 && raw.stdout().contains("Cipher is ") && !raw.stdout().contains("Cipher is (NONE)");
        }

        /** True when the session was resumed. */
        public boolean reused() {
            return raw.stdout().contains("\nReused, ");
        }

        /** The served certificate's subject, oneline form, or null. */
        public String subject() {
            Matcher m = SUBJECT.matcher(raw.stdout());
            return m.find() ? m.group(1).trim() : null;
        }

        public String stdout() {
            return raw.stdout();
        }

        @Override
        public String toString() {
            return raw.all();
        }
    }
}
