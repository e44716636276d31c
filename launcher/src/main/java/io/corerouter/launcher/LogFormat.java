package io.corerouter.launcher;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** One line per record: time, level, logger's short name, message (key=value pairs by convention). */
final class LogFormat extends Formatter {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS")
            .withZone(ZoneOffset.UTC);

    @Override
    public String format(LogRecord record) {
        StringBuilder line = new StringBuilder(160)
                .append(TIME.format(Instant.ofEpochMilli(record.getMillis())))
                .append(' ').append(record.getLevel().getName())
                .append(' ').append(shortName(record.getLoggerName()))
                .append(' ').append(formatMessage(record))
                .append('\n');
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            line.append(trace);
        }
        return line.toString();
    }

    private static String shortName(String logger) {
        if (logger == null) {
            return "-";
        }
        int dot = logger.lastIndexOf('.');
        return dot < 0 ? logger : logger.substring(dot + 1);
    }

    /** Routes the root logger to stderr with this format; {@code verbose} turns on debug lines. */
    static void install(boolean verbose) {
        Logger root = Logger.getLogger("");
        for (var handler : root.getHandlers()) {
            root.removeHandler(handler);
        }
        ConsoleHandler console = new ConsoleHandler();
        console.setFormatter(new LogFormat());
        Level level = verbose ? Level.FINE : Level.INFO;
        console.setLevel(level);
        root.addHandler(console);
        root.setLevel(level);
        Logger.getLogger("io.netty").setLevel(verbose ? Level.FINE : Level.WARNING);
    }
}
