package org.drover.run;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The listeners of a run, told of submissions, state changes, retries and ends; a listener that throws is logged. */
final class RunEvents {
    private static final Logger LOG = LoggerFactory.getLogger(RunManager.class);
    private final List<RunListener> listeners;

    RunEvents(List<RunListener> listeners) {
        this.listeners = new CopyOnWriteArrayList<>(listeners);
    }

    /** Whether anyone listens: callers skip building events otherwise (a poll may end 100,000 tasks). */
    boolean any() {
        return !listeners.isEmpty();
    }

    /** The event of a task as it stands. */
    static TaskEvent event(Task t) {
        AttemptRecord a = t.last();
        return new TaskEvent(t.job.name(), t.attemptCount(), a == null ? null : a.jobId(), t.state(),
                a == null ? null : a.state(), t.reason());
    }

    void fire(Consumer<RunListener> call) {
        for (RunListener l : listeners) {
            try {
                call.accept(l);
            } catch (RuntimeException e) {
                LOG.warn("a run listener failed: " + e, e);
            }
        }
    }
}
