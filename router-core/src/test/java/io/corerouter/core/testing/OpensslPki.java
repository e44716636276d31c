package io.corerouter.core.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A throw-away PKI made with the real {@code openssl} command in a test directory: a CA, server
 * certificates for host names, client certificates. Keys are P-256 (fast to generate), written as
 * PKCS#8 as {@code openssl req -newkey} does.
 */
public final class OpensslPki {
    /** A certificate and its key. */
    public record Pair(Path cert, Path key) {
    }

    private final Path dir;
    private final Pair ca;

    private OpensslPki(Path dir, Pair ca) {
        this.dir = dir;
        this.ca = ca;
    }

    /** Makes a CA with subject {@code /C=IT/O=Test/CN=Test CA} in {@code dir}. */
    public static OpensslPki create(Path dir) throws IOException, InterruptedException {
        Pair ca = new Pair(dir.resolve("ca.crt"), dir.resolve("ca.key"));
        openssl(List.of("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", ca.key().toString(), "-out", ca.cert().toString(), "-subj", "/C=IT/O=Test/CN=Test CA",
                "-days", "2"));
        return new OpensslPki(dir, ca);
    }

    public Pair ca() {
        return ca;
    }

    /** A server certificate for {@code name} (CN and DNS subjectAltName), files {@code file.crt|.key}. */
    public Pair server(String file, String name) throws IOException, InterruptedException {
        return issue(file, "/O=Test/CN=" + name, "subjectAltName=DNS:" + name);
    }

    /** A client certificate with subject {@code /C=IT/O=Test/CN=cn}. */
    public Pair client(String file, String cn) throws IOException, InterruptedException {
        return issue(file, "/C=IT/O=Test/CN=" + cn, "extendedKeyUsage=clientAuth");
    }

    /** A certificate signed by this CA with any subject, files {@code file.crt|.key}. */
    public Pair issue(String file, String subject, String extension) throws IOException, InterruptedException {
        Pair pair = new Pair(dir.resolve(file + ".crt"), dir.resolve(file + ".key"));
        List<String> args = new ArrayList<>(List.of("req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", pair.key().toString(), "-out",
                pair.cert().toString(), "-subj", subject, "-CA", ca.cert().toString(), "-CAkey", ca.key().toString(),
                "-days", "2"));
        if (extension != null) {
            args.addAll(List.of("-addext", extension));
        }
        openssl(args);
        return pair;
    }

    /** Copies a pair to {@code target.crt|.key} atomically (write aside, then rename over), as a rotation does. */
    public static void install(Pair from, Pair to) throws IOException {
        for (Path[] p : new Path[][] {{from.cert(), to.cert()}, {from.key(), to.key()}}) {
            Path tmp = p[1].resolveSibling(p[1].getFileName() + ".tmp");
            Files.copy(p[0], tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, p[1], StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /** The subject as {@code X509_NAME_oneline} prints it ({@code /C=IT/O=Test/CN=client1}). */
    public static String onelineSubject(Path cert) throws IOException, InterruptedException {
        String out = openssl(List.of("x509", "-in", cert.toString(), "-noout", "-subject", "-nameopt", "compat"));
        return out.trim().substring("subject=".length());
    }

    /** The certificate in DER form. */
    public static byte[] der(Path cert) throws IOException, InterruptedException {
        Path der = Files.createTempFile("cert", ".der");
        try {
            openssl(List.of("x509", "-in", cert.toString(), "-outform", "der", "-out", der.toString()));
            return Files.readAllBytes(der);
        } finally {
            Files.deleteIfExists(der);
        }
    }

    /** Runs {@code openssl args...}; fails the test with its output when it fails. */
    public static String openssl(List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(args);
        Commands.Result result = Commands.run(command, "");
        if (result.exit() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed:\n" + result.all());
        }
        return result.stdout();
    }
}
