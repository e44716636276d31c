package io.corerouter.core.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real nginx (Debian's {@code nginx-light}) for integration tests: its own prefix, config, pid and
 * logs in a test directory, run in the foreground ({@code daemon off}) so the test owns the process.
 *
 * <p>{@link #start} wraps the given {@code server { ... }} blocks in a minimal {@code http} config
 * whose temp paths all live in the directory, so nothing is written outside it.
 */
public final class NginxProcess implements AutoCloseable {
    private final Path dir;
    private final Process process;

    private NginxProcess(Path dir, Process process) {
        this.dir = dir;
        this.process = process;
    }

    /** Path of the nginx binary; fails the test with a hint when the peers are not installed. */
    public static String binary() {
        for (String candidate : List.of("/usr/sbin/nginx", "/usr/bin/nginx")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        throw new AssertionError("nginx is not installed: run scripts/install-peers.sh (bin/test does)");
    }

    /**
     * Starts nginx with {@code servers} (one or more {@code server {...}} blocks, each listening on
     * {@code 127.0.0.1:port}) and waits until {@code port} accepts connections.
     */
    public static NginxProcess start(Path dir, String servers, int port) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path conf = dir.resolve("nginx.conf");
        String config = String.join("\n",
                // as root, workers would drop to nobody and could not use the (private) test directory
                "root".equals(System.getProperty("user.name")) ? "user root;" : "",
                "worker_processes 1;",
                "error_log " + dir.resolve("error.log") + " info;",
                "pid " + dir.resolve("nginx.pid") + ";",
                "events { worker_connections 256; }",
                "http {",
                "  access_log off;",
                "  client_body_temp_path " + dir.resolve("client_body") + ";",
                "  proxy_temp_path " + dir.resolve("proxy") + ";",
                "  fastcgi_temp_path " + dir.resolve("fastcgi") + ";",
                "  uwsgi_temp_path " + dir.resolve("uwsgi") + ";",
                "  scgi_temp_path " + dir.resolve("scgi") + ";",
                "  client_max_body_size 64m;",
                servers,
                "}",
                "");
        Files.writeString(conf, config, StandardCharsets.UTF_8);
        Path log = dir.resolve("nginx.out");
        Process process = new ProcessBuilder(binary(), "-p", dir.toString(), "-c", conf.toString(), "-g", "daemon off;")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        NginxProcess nginx = new NginxProcess(dir, process);
        try {
            nginx.awaitPort(port, TimeUnit.SECONDS.toNanos(30));
        } catch (IOException | InterruptedException | RuntimeException e) {
            nginx.close();
            throw e;
        }
        return nginx;
    }

    private void awaitPort(int port, long timeoutNanos) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("nginx exited with " + process.exitValue() + ":\n" + logText());
            }
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return;
            } catch (IOException notYet) {
                Thread.sleep(20); // polling a foreign process; bounded by the deadline
            }
        }
        throw new IOException("nginx did not listen on " + port + " in time:\n" + logText());
    }

    /** nginx's stdout/stderr and its error log. */
    public String logText() {
        StringBuilder out = new StringBuilder();
        for (String name : List.of("nginx.out", "error.log")) {
            Path file = dir.resolve(name);
            try {
                if (Files.exists(file)) {
                    out.append(Files.readString(file, StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                out.append("(").append(name).append(" unreadable: ").append(e).append(")");
            }
        }
        return out.toString();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy(); // SIGTERM: nginx's fast shutdown
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
