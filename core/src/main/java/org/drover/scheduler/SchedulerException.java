package org.drover.scheduler;

import org.drover.DroverException;

/**
 * A scheduler command failed: the message holds the command's own words (e.g. sbatch's
 * "Invalid partition name specified"). {@link #isTransient()} tells whether trying again later
 * may succeed ("Socket timed out", "Unable to contact slurm controller").
 */
public class SchedulerException extends DroverException {
    private static final long serialVersionUID = 1L;
    /** Whether trying again later may succeed. */
    private final boolean transientFailure;

    /**
     * A refusal or failure of the scheduler.
     *
     * @param message what the scheduler said
     * @param transientFailure whether trying again later may succeed
     */
    public SchedulerException(String message, boolean transientFailure) {
        super(message);
        this.transientFailure = transientFailure;
    }

    /**
     * A refusal or failure of the scheduler, with its cause.
     *
     * @param message what the scheduler said
     * @param transientFailure whether trying again later may succeed
     * @param cause the underlying error
     */
    public SchedulerException(String message, boolean transientFailure, Throwable cause) {
        super(message, cause);
        this.transientFailure = transientFailure;
    }

    /**
     * Whether the same call may succeed later.
     *
     * @return whether the same call may succeed later
     */
    public boolean isTransient() {
        return transientFailure;
    }
}
