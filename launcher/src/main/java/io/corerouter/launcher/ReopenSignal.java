package io.corerouter.launcher;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * SIGUSR1 reopens the access logs (logrotate's convention, issue 12): the handler only asks each log's
 * writer thread to reopen before its next line, so it never waits. Uses {@code sun.misc.Signal}
 * reflectively, as {@link StopSignals} does.
 */
final class ReopenSignal {
    private static final Logger LOG = Logger.getLogger(ReopenSignal.class.getName());

    private ReopenSignal() {
    }

    /** Installs {@code reopen} as the SIGUSR1 handler; false where signals cannot be handled. */
    static boolean install(Runnable reopen) {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Constructor<?> newSignal = signalClass.getConstructor(String.class);
            Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
            InvocationHandler onSignal = (proxy, method, args) -> switch (method.getName()) {
                case "handle" -> {
                    LOG.info("SIGUSR1: reopening the access logs");
                    reopen.run();
                    yield null;
                }
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                default -> "corerouter reopen handler";
            };
            Object handler = Proxy.newProxyInstance(ReopenSignal.class.getClassLoader(), new Class<?>[] {handlerClass},
                    onSignal);
            handle.invoke(null, newSignal.newInstance("USR1"), handler);
            return true;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.log(Level.FINE, "no SIGUSR1 handling: access logs are not reopened on a signal", e);
            return false;
        }
    }
}
