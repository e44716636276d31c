package io.corerouter.launcher;

import io.corerouter.core.config.CommandLine;
import io.corerouter.core.config.RouterConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The training run behind corerouter's class-data-sharing archive: {@code bin/corerouter} runs it
 * once per jar with {@code -XX:ArchiveClassesAtExit} and then starts every router with
 * {@code -XX:SharedArchiveFile}, so the classes of the common path (option parsing, the HTTP router,
 * the uwsgi codec, Netty's epoll transport, logging) are mapped from the archive instead of being
 * loaded, verified and kept in metaspace by every process (docs/performance.md, "Class data sharing").
 *
 * <p>It starts the HTTP router on loopback in front of a minimal in-process uwsgi node (a blocking
 * socket that answers every request with 200 and closes, as a uWSGI worker does), sends requests on
 * keep-alive and on new connections, stops gracefully and returns, so the JVM exits normally and
 * writes the archive. Nothing here runs in a router process.
 */
final class CdsTraining {
    private static final int REQUESTS = 200;
    /** A training run never hangs the launcher script: every socket read gives up after this. */
    private static final int READ_TIMEOUT_MILLIS = 10_000;
    private static final byte[] RESPONSE =
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII);

    private CdsTraining() {
    }

    public static void main(String[] args) throws Exception {
        LogFormat.install(false);
        train();
    }

    /** Serves the training requests through a real HTTP router; throws when one of them fails. */
    static void train() throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket node = new ServerSocket(0, 64, loopback)) {
            Thread nodeThread = new Thread(() -> serveNode(node), "cds-training-node");
            nodeThread.setDaemon(true);
            nodeThread.start();
            int port;
            try (ServerSocket probe = new ServerSocket(0, 1, loopback)) {
                port = probe.getLocalPort();
            }
            String[] options = {"--http", "127.0.0.1:" + port, "--http-to", "127.0.0.1:" + node.getLocalPort(),
                "--http-keepalive"};
            RouterConfig config = RouterConfig.from(CommandLine.parse(options, RouterConfig.optionTable(Kinds.ALL)),
                    Kinds.ALL);
            Corerouter corerouter = new Corerouter(config);
            try {
                corerouter.start();
                try (Socket client = new Socket(loopback, port)) {
                    client.setSoTimeout(READ_TIMEOUT_MILLIS);
                    for (int i = 0; i < REQUESTS; i++) {
                        exchange(client, "GET /training?i=" + i + " HTTP/1.1\r\nHost: training\r\n\r\n");
                    }
                }
                for (int i = 0; i < REQUESTS / 10; i++) {
                    try (Socket client = new Socket(loopback, port)) {
                        client.setSoTimeout(READ_TIMEOUT_MILLIS);
                        exchange(client, "GET / HTTP/1.0\r\nHost: training\r\n\r\n");
                    }
                }
            } finally {
                corerouter.stop(Duration.ofSeconds(1));
            }
        }
    }

    /** One request on {@code client}; reads the response head and its Content-Length body. */
    private static void exchange(Socket client, String request) throws IOException {
        OutputStream out = client.getOutputStream();
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = client.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("training: the router closed before a whole response head");
            }
            head.write(b);
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        long length = 0;
        for (String line : head.toString(StandardCharsets.US_ASCII).split("\r\n")) {
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                length = Long.parseLong(line.substring(15).trim());
            }
        }
        in.skipNBytes(length);
    }

    /** The node: reads one uwsgi packet (4-byte header, then the vars), answers 200 and closes. */
    private static void serveNode(ServerSocket node) {
        while (!node.isClosed()) {
            try (Socket s = node.accept()) {
                s.setSoTimeout(READ_TIMEOUT_MILLIS);
                InputStream in = s.getInputStream();
                byte[] header = in.readNBytes(4);
                if (header.length == 4) {
                    in.readNBytes((header[1] & 0xff) | (header[2] & 0xff) << 8);
                    s.getOutputStream().write(RESPONSE);
                }
            } catch (IOException e) {
                return; // closed at the end of the training
            }
        }
    }
}
