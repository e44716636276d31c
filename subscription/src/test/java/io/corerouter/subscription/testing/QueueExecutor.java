package io.corerouter.subscription.testing;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/** The "subscription thread" of unit tests: tasks wait in a queue until the test runs them. */
public final class QueueExecutor implements Executor {
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
    }

    /** Runs every queued task, including those queued meanwhile. */
    public int drain() {
        int n = 0;
        Runnable task;
        while ((task = tasks.poll()) != null) {
            task.run();
            n++;
        }
        return n;
    }
}
