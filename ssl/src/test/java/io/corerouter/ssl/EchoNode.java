package io.corerouter.ssl;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A plain TCP node as a real separate process (python3) on a UNIX socket: it speaks first
 * ({@code hello <name>\n}), answers each line with {@code echo:<line>}, and closes on {@code quit}.
 */
public final class EchoNode implements AutoCloseable {
    private static final String SCRIPT = String.join("\n",
            "import os, socket, sys, threading",
            "path, name = sys.argv[1], sys.argv[2]",
            "s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)",
            "s.bind(path)",
            "s.listen(64)",
            "def serve(c):",
            "    try:",
            "        c.sendall(('hello ' + name + '\\n').encode())",
            "        f = c.makefile('rb')",
            "        for line in f:",
            "            if line.strip() == b'quit':",
            "                break",
            "            c.sendall(b'echo:' + line)",
            "    finally:",
            "        c.close()",
            "while True:",
            "    c, _ = s.accept()",
            "    threading.Thread(target=serve, args=(c,), daemon=True).start()",
            "");

    private final Process process;
    private final Path socket;

    private EchoNode(Process process, Path socket) {
        this.process = process;
        this.socket = socket;
    }

    public static EchoNode start(Path dir, String name) throws IOException, InterruptedException {
        Path script = dir.resolve("echo_node.py");
        if (!Files.exists(script)) {
            Files.writeString(script, SCRIPT, StandardCharsets.UTF_8);
        }
        Path socket = dir.resolve(name + ".sock");
        Files.deleteIfExists(socket);
        Process process = new ProcessBuilder("python3", script.toString(), socket.toString(), name)
                .redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile()).start();
        EchoNode node = new EchoNode(process, socket);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("echo node exited: " + process.exitValue());
            }
            if (Files.exists(socket)) {
                try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                    probe.connect(UnixDomainSocketAddress.of(socket));
                    return node;
                } catch (IOException notYet) {
                    // not listening yet
                }
            }
            Thread.sleep(20); // polling a foreign process, bounded by the deadline
        }
        node.close();
        throw new IOException("echo node did not start");
    }

    public String address() {
        return socket.toString();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
