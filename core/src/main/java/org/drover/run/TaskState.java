package org.drover.run;

import org.drover.scheduler.JobState;

/**
 * Where a task of a {@code RunManager} stands. A task is one job of the bundle; each submission of
 * it is an attempt with its own scheduler id and {@link JobState}.
 */
public enum TaskState {
    /** Waiting for its dependencies, for a free slot under maxSimultaneousJobs, or to be submitted. */
    WAITING(false),
    /** Submitted; the scheduler has it queued. */
    PENDING(false),
    /** Running. */
    RUNNING(false),
    /**
     * Its last attempt crashed, or its next attempt's directory could not be written; the next
     * attempt is submitted after the delay.
     */
    RETRY_WAIT(false),
    /** Done: its last attempt completed (and passed the done check). */
    COMPLETED(true),
    /** Done before the run started: the done check said so, nothing was submitted. */
    SKIPPED(true),
    /** Ended unsuccessfully for good (no attempt left, or not retried). */
    FAILED(true),
    /** Cancelled, or never run because a dependency failed. */
    CANCELLED(true);

    private final boolean terminal;

    TaskState(boolean terminal) {
        this.terminal = terminal;
    }

    /**
     * Whether the task has ended for good.
     *
     * @return whether it is terminal
     */
    public boolean isTerminal() {
        return terminal;
    }

    /**
     * Whether dependents waiting with afterok may run.
     *
     * @return whether dependents waiting with afterok may run
     */
    public boolean isSuccess() {
        return this == COMPLETED || this == SKIPPED;
    }
}
