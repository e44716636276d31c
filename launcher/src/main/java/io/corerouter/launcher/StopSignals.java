package io.corerouter.launcher;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * SIGTERM and SIGINT handling for a graceful stop: the first signal runs {@code graceful} on a thread
 * of its own, the next one runs {@code immediate} (which should not return: it halts the JVM).
 *
 * <p>The JVM's own handling of these signals (shutdown hooks) cannot react to a second signal: once
 * the hooks run, further signals are ignored until they finish. So the handlers are replaced with
 * {@code sun.misc.Signal}, the JDK's supported-but-unofficial signal API (module
 * {@code jdk.unsupported}), called reflectively so the build stays free of proprietary-API warnings.
 * Where it is missing, {@link #install} returns false and the caller keeps the shutdown hook.
 */
final class StopSignals {
    private static final Logger LOG = Logger.getLogger(StopSignals.class.getName());
    private static final List<String> SIGNALS = List.of("TERM", "INT");

    private StopSignals() {
    }

    /**
     * Installs the handlers.
     *
     * @param graceful  run once, on a new thread, with the name of the first signal ({@code SIGTERM})
     * @param immediate run on the signal thread for every later signal
     * @return false when signals cannot be handled here (nothing was installed)
     */
    static boolean install(Consumer<String> graceful, Consumer<String> immediate) {
        AtomicInteger received = new AtomicInteger();
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Constructor<?> newSignal = signalClass.getConstructor(String.class);
            Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
            Method getName = signalClass.getMethod("getName");
            InvocationHandler onSignal = (proxy, method, args) -> switch (method.getName()) {
                case "handle" -> {
                    String name = "SIG" + getName.invoke(args[0]);
                    if (received.getAndIncrement() == 0) {
                        new Thread(() -> graceful.accept(name), "stop").start();
                    } else {
                        immediate.accept(name);
                    }
                    yield null;
                }
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                default -> "corerouter stop handler";
            };
            Object handler = Proxy.newProxyInstance(StopSignals.class.getClassLoader(), new Class<?>[] {handlerClass},
                    onSignal);
            for (String signal : SIGNALS) {
                handle.invoke(null, newSignal.newInstance(signal), handler);
            }
            return true;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.log(Level.FINE, "no signal handling, stopping through the shutdown hook", e);
            return false;
        }
    }
}
