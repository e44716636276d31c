package io.corerouter.core.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real {@code openssl ocsp} responder on loopback port 0 for a test CA, answering from an index
 * written before it starts (it does not re-read the index): certificates are issued afterwards with
 * the serial numbers the index names and the responder's URL in their Authority Information Access.
 * Responses are signed by the CA itself and valid for 5 minutes ({@code -nmin 5}).
 */
public final class OcspResponder implements AutoCloseable {
    private static final Pattern ACCEPT = Pattern.compile("ACCEPT .*:(\\d+) PID=");
    private static final DateTimeFormatter INDEX_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'");

    private final Process process;
    private final int port;

    private OcspResponder(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** One index line: a serial number (hex) and whether it is revoked. */
    public record Entry(String serialHex, boolean revoked) {
    }

    /** Starts a responder for {@code ca} knowing {@code entries} (others: unknown). */
    public static OcspResponder start(Path dir, OpensslPki.Pair ca, List<Entry> entries) throws Exception {
        Path index = dir.resolve("ocsp-index-" + System.nanoTime() + ".txt");
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        StringBuilder lines = new StringBuilder();
        for (Entry entry : entries) {
            lines.append(entry.revoked() ? "R" : "V").append('\t')
                    .append(INDEX_TIME.format(now.plusDays(2))).append('\t')
                    .append(entry.revoked() ? INDEX_TIME.format(now.minusHours(1)) : "").append('\t')
                    .append(entry.serialHex()).append("\tunknown\t/O=Test\n");
        }
        Files.writeString(index, lines);
        Files.writeString(dir.resolve(index.getFileName() + ".attr"), "unique_subject = no\n");
        Process process = new ProcessBuilder("openssl", "ocsp", "-index", index.toString(), "-port", "0",
                "-rsigner", ca.cert().toString(), "-rkey", ca.key().toString(), "-CA", ca.cert().toString(),
                "-nmin", "5", "-ignore_err")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
        CompletableFuture<Integer> port = CompletableFuture.supplyAsync(() -> {
            try {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    Matcher m = ACCEPT.matcher(line);
                    if (m.find()) {
                        return Integer.parseInt(m.group(1));
                    }
                }
                throw new IllegalStateException("openssl ocsp exited without listening");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            return new OcspResponder(process, port.get(30, TimeUnit.SECONDS));
        } catch (Exception e) {
            process.destroyForcibly();
            throw e;
        }
    }

    /** {@code http://127.0.0.1:PORT/}. */
    public String url() {
        return "http://127.0.0.1:" + port + "/";
    }

    /**
     * A server certificate for {@code name} with serial {@code serialHex}, this responder in its AIA,
     * signed by {@code ca}; writes {@code file.crt} (leaf only), {@code file.key} and {@code file.chain}
     * (leaf then CA).
     */
    public static OpensslPki.Pair issue(Path dir, OpensslPki.Pair ca, String file, String name, String serialHex, String aiaUrl)
            throws Exception {
        OpensslPki.Pair pair = new OpensslPki.Pair(dir.resolve(file + ".crt"), dir.resolve(file + ".key"));
        List<String> args = new ArrayList<>(List.of("req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", pair.key().toString(), "-out",
                pair.cert().toString(), "-subj", "/O=Test/CN=" + name, "-CA", ca.cert().toString(),
                "-CAkey", ca.key().toString(), "-days", "2", "-set_serial", "0x" + serialHex,
                "-addext", "subjectAltName=DNS:" + name));
        if (aiaUrl != null) {
            args.addAll(List.of("-addext", "authorityInfoAccess=OCSP;URI:" + aiaUrl));
        }
        OpensslPki.openssl(args);
        Files.writeString(chainOf(pair), Files.readString(pair.cert()) + Files.readString(ca.cert()));
        return pair;
    }

    /** {@code file.chain}: the leaf followed by its CA. */
    public static Path chainOf(OpensslPki.Pair pair) {
        String name = pair.cert().getFileName().toString();
        return pair.cert().resolveSibling(name.substring(0, name.length() - ".crt".length()) + ".chain");
    }

    /** Stops the responder (idempotent). */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
