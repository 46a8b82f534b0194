package org.drover.scheduler;

/**
 * The normalized state of a scheduler job. Each scheduler maps its whole native state table
 * onto these; a state it cannot read is {@link #UNKNOWN}, never a guess.
 *
 * <pre>{@code
 * JobState.COMPLETED.isTerminal()   // true
 * JobState.TIMEOUT.isSuccess()      // false
 * JobState.UNKNOWN.isTerminal()     // false: ask again later
 * }</pre>
 */
public enum JobState {
    /** Waiting in the queue (for resources, a dependency, a start time, ...). */
    PENDING(false, false),
    /** Running (including SLURM's CONFIGURING and COMPLETING). */
    RUNNING(false, false),
    /** Ended with exit code 0. */
    COMPLETED(true, true),
    /** Ended with a non-zero exit code or a signal. */
    FAILED(true, false),
    /** Cancelled by a user, an administrator, or because its dependencies can never be met. */
    CANCELLED(true, false),
    /** Killed at its walltime or deadline. */
    TIMEOUT(true, false),
    /** Killed for exceeding its memory. */
    OUT_OF_MEMORY(true, false),
    /** Ended because a node it ran on failed. */
    NODE_FAIL(true, false),
    /** Ended because a higher-priority job preempted it. */
    PREEMPTED(true, false),
    /** Its nodes could not be booted. */
    BOOT_FAIL(true, false),
    /** Held in the queue until released. */
    HELD(false, false),
    /** Suspended or stopped while running. */
    SUSPENDED(false, false),
    /** The scheduler gave no usable answer this time (the query failed or was garbled): ask again. */
    UNKNOWN(false, false),
    /**
     * The scheduler answered, and does not know the job (not yet in its accounting, or already
     * purged). Not an end: a job that stays not found, with no exit-code file, becomes {@link #LOST}.
     */
    NOT_FOUND(false, false),
    /** Gone: the scheduler no longer knows the job and no exit code was recorded. */
    LOST(true, false);

    private final boolean terminal;
    private final boolean success;

    JobState(boolean terminal, boolean success) {
        this.terminal = terminal;
        this.success = success;
    }

    /**
     * Whether the job has ended and will not change state again.
     *
     * @return whether the job has ended and will not change state again
     */
    public boolean isTerminal() {
        return terminal;
    }

    /**
     * Whether the job ended successfully (only {@link #COMPLETED}).
     *
     * @return whether the job ended successfully (only {@link #COMPLETED})
     */
    public boolean isSuccess() {
        return success;
    }
}
