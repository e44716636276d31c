package io.corerouter.core.log;

import io.netty.channel.unix.Errors;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;

/**
 * Tells expected network noise (resets, broken pipes, closed channels) from real failures, so the
 * former is logged at debug level and the latter once at warning. Model: Armeria {@code Exceptions}.
 */
public final class Exceptions {
    private Exceptions() {
    }

    /** True for errors every proxy sees daily from peers going away. */
    public static boolean isExpected(Throwable cause) {
        if (cause instanceof ClosedChannelException || cause instanceof Errors.NativeIoException) {
            return true;
        }
        if (cause instanceof IOException) {
            String message = cause.getMessage();
            if (message == null) {
                return false;
            }
            String m = message.toLowerCase(Locale.ROOT);
            return m.contains("connection reset") || m.contains("broken pipe")
                    || m.contains("connection timed out") || m.contains("closed");
        }
        return false;
    }

    /** A one-line description for logs: the message, or the type when there is none. */
    public static String describe(Throwable cause) {
        String message = cause.getMessage();
        String type = cause.getClass().getSimpleName();
        return message == null || message.isBlank() ? type : type + ": " + message;
    }
}
