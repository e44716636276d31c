package io.corerouter.launcher;

import io.corerouter.core.config.CommandLine;
import io.corerouter.core.config.ConfigException;
import io.corerouter.core.config.OptionTable;
import io.corerouter.core.config.ParsedOptions;
import io.corerouter.core.config.RouterConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;

/**
 * {@code corerouter [OPTIONS] [config.ini]}: parses uWSGI-style options and ini files, starts the
 * configured routers and runs until SIGINT/SIGTERM. With no arguments it runs the embedded default
 * config ({@code default.ini} in this module's resources).
 *
 * <p>The first SIGTERM or SIGINT stops gracefully ({@link Corerouter#stop}): the listeners close, the
 * requests in flight get up to {@code --reload-mercy} seconds, then the process exits 0. A second
 * signal stops at once (exit status 1).
 *
 * <p>SIGHUP reloads: the same command line (and the ini files it names) is read again and checked as
 * a whole; a bad one is logged with the reason and changes nothing, a good one is applied to the
 * running routers ({@link Corerouter#reload}) and one line says what changed.
 */
public final class Main {
    static final String DEFAULT_CONFIG = "default.ini";

    private Main() {
    }

    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        if (status >= 0) {
            System.exit(status);
        }
    }

    /**
     * Runs the launcher; returns an exit status (0 after a graceful stop on a signal), or -1 when the
     * routers were stopped by the JVM's shutdown hook (the JVM is exiting already).
     */
    static int run(String[] args, PrintStream out, PrintStream err) {
        OptionTable table = RouterConfig.optionTable(Kinds.ALL);
        ParsedOptions options;
        String[] effective;
        try {
            effective = args.length == 0 ? defaultArgs() : args;
            options = CommandLine.parse(effective, table);
        } catch (ConfigException e) {
            err.println("corerouter: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("corerouter: cannot read the embedded default config: " + e.getMessage());
            return 2;
        }
        if (options.flag(RouterConfig.HELP)) {
            out.println("usage: corerouter [OPTIONS] [config.ini]   (no arguments: the embedded default config)");
            out.print(table.renderHelp());
            return 0;
        }
        if (options.flag(RouterConfig.VERSION)) {
            out.println("corerouter " + Version.get());
            return 0;
        }
        LogFormat.install(Boolean.getBoolean("corerouter.verbose"));
        Logger log = Logger.getLogger(Main.class.getName());
        RouterConfig config;
        try {
            config = RouterConfig.from(options, Kinds.ALL);
        } catch (ConfigException e) {
            err.println("corerouter: " + e.getMessage());
            return 2;
        }
        config.warnings().forEach(log::warning);
        if (args.length == 0) {
            log.info("no arguments: running the embedded default config (" + DEFAULT_CONFIG + ")");
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Corerouter corerouter = new Corerouter(config);
        try {
            corerouter.start();
        } catch (Exception e) {
            corerouter.close();
            err.println("corerouter: start-up failed: " + e.getMessage());
            return 1;
        }
        ReopenSignal.install(corerouter::reopenLogs); // SIGUSR1: logrotate's postrotate
        boolean signals = StopSignals.install(signal -> {
            log.info(signal + ": stopping gracefully (a second signal stops at once)");
            corerouter.stop(corerouter.drain());
            stopped.countDown();
        }, signal -> {
            log.warning(signal + " again: stopping at once, requests in flight are cut");
            Runtime.getRuntime().halt(1);
        });
        if (signals) {
            StopSignals.onHangup(() -> reload(corerouter, effective, log));
        } else {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                log.info("shutting down");
                corerouter.stop(corerouter.drain());
                stopped.countDown();
            }, "shutdown"));
        }
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("stopped");
        // after a signal the JVM is not exiting by itself; from the shutdown hook it already is
        return signals ? 0 : -1;
    }

    /**
     * SIGHUP: reads {@code args} (and the ini files they name) again, checks the whole config, and
     * applies it; a config that does not parse or check is logged and changes nothing.
     */
    static void reload(Corerouter corerouter, String[] args, Logger log) {
        RouterConfig next;
        try {
            next = RouterConfig.from(CommandLine.parse(args, RouterConfig.optionTable(Kinds.ALL)), Kinds.ALL);
        } catch (ConfigException e) {
            log.warning("SIGHUP: reload rejected, the running config stays: " + e.getMessage());
            return;
        } catch (RuntimeException e) {
            log.warning("SIGHUP: reload rejected, the running config stays: " + e);
            return;
        }
        next.warnings().forEach(log::warning);
        try {
            log.info("SIGHUP: " + corerouter.reload(next));
        } catch (Corerouter.ReloadException e) {
            log.warning("SIGHUP: reload failed, that router keeps its config: " + e.getMessage());
        } catch (RuntimeException e) {
            log.log(java.util.logging.Level.WARNING, "SIGHUP: reload failed", e);
        }
    }

    /** Copies the embedded default config to a temporary file and points the parser at it. */
    private static String[] defaultArgs() throws IOException {
        try (InputStream in = Main.class.getResourceAsStream(DEFAULT_CONFIG)) {
            if (in == null) {
                throw new IOException(DEFAULT_CONFIG + " missing from the jar");
            }
            Path file = Files.createTempFile("corerouter-default", ".ini");
            file.toFile().deleteOnExit();
            Files.writeString(file, new String(in.readAllBytes(), StandardCharsets.UTF_8));
            return new String[] {"--ini", file.toString()};
        }
    }
}
