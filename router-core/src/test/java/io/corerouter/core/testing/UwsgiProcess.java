package io.corerouter.core.testing;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real uWSGI 2.0 process (Debian's {@code uwsgi-core} + {@code uwsgi-plugin-python3}) for
 * integration tests, serving on a UNIX socket in a test directory so tests never race for ports.
 *
 * <p>Install the peers with {@code scripts/install-peers.sh} (the README's test command does).
 */
public final class UwsgiProcess implements AutoCloseable {
    /** A WSGI app that answers the request's environ (string values) as JSON, plus the body's digest. */
    public static final String ECHO_APP = String.join("\n",
            "import hashlib, json, os",
            "def application(environ, start_response):",
            "    body = environ['wsgi.input'].read()",
            "    out = {k: v for k, v in environ.items() if isinstance(v, str)}",
            "    out['body_sha256'] = hashlib.sha256(body).hexdigest()",
            "    out['body_len'] = len(body)",
            "    out['pid'] = os.getpid()",
            "    out['node'] = os.environ.get('NODE_NAME', '')",
            "    data = json.dumps(out, sort_keys=True).encode()",
            "    start_response('200 OK', [('Content-Type', 'application/json'),"
                    + " ('Content-Length', str(len(data)))])",
            "    return [data]",
            "");

    private final String name;
    private final Path socket;
    private final Path log;
    private final Process process;

    private UwsgiProcess(String name, Path socket, Path log, Process process) {
        this.name = name;
        this.socket = socket;
        this.log = log;
        this.process = process;
    }

    /** Path of the uwsgi binary; fails the test with a hint when the peers are not installed. */
    public static String binary() {
        for (String candidate : List.of("/usr/bin/uwsgi-core", "/usr/bin/uwsgi")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        throw new AssertionError("uWSGI is not installed: run scripts/install-peers.sh (bin/test does)");
    }

    /** Writes {@link #ECHO_APP} into {@code dir} and returns its path. */
    public static Path writeEchoApp(Path dir) throws IOException {
        Path app = dir.resolve("echo_app.py");
        if (!Files.exists(app)) {
            Files.writeString(app, ECHO_APP, StandardCharsets.UTF_8);
        }
        return app;
    }

    /**
     * Starts the echo app as node {@code name} on {@code dir/name.sock} and waits until it accepts
     * connections. The app reports {@code node=name} in its answer.
     */
    public static UwsgiProcess startEcho(Path dir, String name, String... extraArgs) throws IOException,
            InterruptedException {
        Path app = writeEchoApp(dir);
        List<String> args = new ArrayList<>(List.of("--plugin", "python3", "--wsgi-file", app.toString(),
                "--need-app", "--disable-logging", "--die-on-term"));
        args.addAll(List.of(extraArgs));
        return start(dir, name, args);
    }

    /** Starts uwsgi with {@code --socket dir/name.sock} plus {@code args}; waits until it accepts. */
    public static UwsgiProcess start(Path dir, String name, List<String> args) throws IOException,
            InterruptedException {
        return start(dir, name, "--socket", args);
    }

    /**
     * Starts the echo app as node {@code name} on {@code dir/name.sock} served by {@code socketOption}
     * ({@code --puwsgi-socket}, {@code --http11-socket}, {@code --socket}).
     */
    public static UwsgiProcess startEchoOn(Path dir, String name, String socketOption, String... extraArgs)
            throws IOException, InterruptedException {
        Path app = writeEchoApp(dir);
        List<String> args = new ArrayList<>(List.of("--plugin", "python3", "--wsgi-file", app.toString(),
                "--need-app", "--disable-logging", "--die-on-term"));
        args.addAll(List.of(extraArgs));
        return start(dir, name, socketOption, args);
    }

    /** Starts uwsgi with {@code socketOption dir/name.sock} plus {@code args}; waits until it accepts. */
    public static UwsgiProcess start(Path dir, String name, String socketOption, List<String> args) throws IOException,
            InterruptedException {
        Path socket = dir.resolve(name + ".sock");
        Path log = dir.resolve(name + ".log");
        Files.deleteIfExists(socket);
        List<String> command = new ArrayList<>();
        command.add(binary());
        command.addAll(List.of(socketOption, socket.toString()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("NODE_NAME", name);
        Process process = builder.start();
        UwsgiProcess uwsgi = new UwsgiProcess(name, socket, log, process);
        uwsgi.awaitAccepting(TimeUnit.SECONDS.toNanos(30));
        return uwsgi;
    }

    private void awaitAccepting(long timeoutNanos) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("uwsgi " + name + " exited with " + process.exitValue() + ":\n" + logText());
            }
            if (Files.exists(socket)) {
                try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                    probe.connect(UnixDomainSocketAddress.of(socket));
                    if (logText().contains("spawned uWSGI worker") || logText().contains("spawned uWSGI")) {
                        return;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
            }
            Thread.sleep(20); // polling a foreign process; bounded by the deadline
        }
        throw new IOException("uwsgi " + name + " did not accept connections in time:\n" + logText());
    }

    public String name() {
        return name;
    }

    /** The node address to give the router ({@code --http-to}). */
    public String address() {
        return socket.toString();
    }

    public Path socket() {
        return socket;
    }

    public String logText() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /** SIGKILL: the node vanishes without unsubscribing or closing gracefully. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /**
     * SIGINT and wait for the exit: how a uWSGI master is stopped cleanly (it reloads on SIGTERM
     * without --die-on-term); with subscriptions it sends its unsubscribe packets first.
     */
    public void interrupt() throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).inheritIO().start().waitFor();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            killTree();
        }
    }

    /**
     * SIGKILL to the master and every worker: the node vanishes at once, without unsubscribing
     * (orphaned uWSGI workers would otherwise keep serving its socket).
     */
    public void killTree() throws InterruptedException {
        // collect first: once the master is gone its workers are no longer its descendants
        List<ProcessHandle> workers = process.descendants().toList();
        workers.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        for (ProcessHandle worker : workers) {
            worker.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> worker).join();
        }
    }

    /** SIGTERM (with --die-on-term: a clean shutdown). */
    public void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            kill();
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        List<ProcessHandle> workers = process.descendants().toList();
        try {
            if (process.isAlive()) {
                stop();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            workers.forEach(ProcessHandle::destroyForcibly);
        }
    }
}
