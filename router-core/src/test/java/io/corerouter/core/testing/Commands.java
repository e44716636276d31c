package io.corerouter.core.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command-line peer (openssl, curl) to completion with a bounded wait, feeding it stdin and
 * collecting stdout and stderr. A peer that does not finish in time is killed and the test fails.
 */
public final class Commands {
    private Commands() {
    }

    /**
     * What a command printed and how it exited.
     *
     * @param exit   exit status
     * @param stdout standard output as UTF-8 (ISO-8859-1 would do too: tests look for ASCII)
     * @param stderr standard error
     */
    public record Result(int exit, String stdout, String stderr) {
        /** Both streams, for assertion messages. */
        public String all() {
            return "exit=" + exit + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
        }
    }

    /** Runs {@code command} with {@code stdin} (may be empty), waiting at most {@code timeoutSeconds}. */
    public static Result run(List<String> command, byte[] stdin, long timeoutSeconds) throws IOException,
            InterruptedException {
        Process process = new ProcessBuilder(command).start();
        CompletableFuture<byte[]> out = drain(process.getInputStream());
        CompletableFuture<byte[]> err = drain(process.getErrorStream());
        try (OutputStream in = process.getOutputStream()) {
            in.write(stdin);
        } catch (IOException closedEarly) {
            // the peer exited before reading everything: its output says why
        }
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError(command + " did not finish within " + timeoutSeconds + " s");
        }
        return new Result(process.exitValue(), new String(out.join(), StandardCharsets.UTF_8),
                new String(err.join(), StandardCharsets.UTF_8));
    }

    /** {@link #run(List, byte[], long)} with text stdin and a 30 s bound. */
    public static Result run(List<String> command, String stdin) throws IOException, InterruptedException {
        return run(command, stdin.getBytes(StandardCharsets.ISO_8859_1), 30);
    }

    private static CompletableFuture<byte[]> drain(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            try (stream) {
                stream.transferTo(buffer);
            } catch (IOException e) {
                // process gone: keep what was read
            }
            return buffer.toByteArray();
        });
    }
}
