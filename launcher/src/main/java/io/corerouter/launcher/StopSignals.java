package io.corerouter.launcher;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * SIGTERM and SIGINT handling for a graceful stop: the first signal runs {@code graceful} on a thread
 * of its own, the next one runs {@code immediate} (which should not return: it halts the JVM). SIGHUP
 * runs a reload ({@link #onHangup}), one at a time on a thread of its own.
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
        return handle(SIGNALS, "corerouter stop handler", name -> {
            if (received.getAndIncrement() == 0) {
                new Thread(() -> graceful.accept(name), "stop").start();
            } else {
                immediate.accept(name);
            }
        }, "no signal handling, stopping through the shutdown hook");
    }

    /**
     * Installs the SIGHUP handler: each signal runs {@code reload} on the reload thread, one after the
     * other (a signal that arrives during a reload runs it again afterwards; more are merged into that
     * one). Without it, SIGHUP keeps the JVM's default (the process exits).
     *
     * @return false when signals cannot be handled here
     */
    static boolean onHangup(Runnable reload) {
        AtomicInteger pending = new AtomicInteger();
        ThreadPoolExecutor thread = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                runnable -> {
                    Thread t = new Thread(runnable, "reload");
                    t.setDaemon(true);
                    return t;
                });
        return handle(List.of("HUP"), "corerouter reload handler", name -> {
            if (pending.getAndIncrement() < 2) { // one running, one queued: later ones add nothing
                thread.execute(() -> {
                    try {
                        reload.run();
                    } finally {
                        pending.decrementAndGet();
                    }
                });
            } else {
                pending.decrementAndGet();
            }
        }, "no SIGHUP handling: reload needs a restart");
    }

    /** Sets {@code onSignal} (given "SIGHUP"...) as the handler of {@code signals}, through sun.misc.Signal. */
    private static boolean handle(List<String> signals, String description, Consumer<String> onSignal, String missing) {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Constructor<?> newSignal = signalClass.getConstructor(String.class);
            Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
            Method getName = signalClass.getMethod("getName");
            InvocationHandler invocation = (proxy, method, args) -> switch (method.getName()) {
                case "handle" -> {
                    onSignal.accept("SIG" + getName.invoke(args[0]));
                    yield null;
                }
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                default -> description;
            };
            Object handler = Proxy.newProxyInstance(StopSignals.class.getClassLoader(), new Class<?>[] {handlerClass},
                    invocation);
            for (String signal : signals) {
                handle.invoke(null, newSignal.newInstance(signal), handler);
            }
            return true;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.log(Level.FINE, missing, e);
            return false;
        }
    }
}
