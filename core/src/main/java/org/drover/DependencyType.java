package org.drover;

import org.drover.scheduler.JobState;

/**
 * When a dependent job may start, with SLURM's semantics (PBS uses the same words).
 *
 * <ul>
 *   <li>{@link #AFTER_OK} (the default): after every dependency completed successfully; if one
 *       fails, the dependent never runs and ends {@link JobState#CANCELLED}.</li>
 *   <li>{@link #AFTER_ANY}: after every dependency ended, however.</li>
 *   <li>{@link #AFTER_NOT_OK}: only if a dependency failed (a clean-up or alert job).</li>
 * </ul>
 */
public enum DependencyType {
    /** After every dependency completed successfully; otherwise the dependent is cancelled. */
    AFTER_OK("afterok"),
    /** After every dependency ended, however it ended. */
    AFTER_ANY("afterany"),
    /** Only after every dependency ended unsuccessfully (clean-up, alerts); otherwise the dependent is cancelled. */
    AFTER_NOT_OK("afternotok");

    private final String keyword;

    DependencyType(String keyword) {
        this.keyword = keyword;
    }

    /**
     * The scheduler keyword: {@code afterok}, {@code afterany}, {@code afternotok}.
     *
     * @return the scheduler keyword: {@code afterok}, {@code afterany}, {@code afternotok}
     */
    public String keyword() {
        return keyword;
    }

    /**
     * Whether a dependent may run once a dependency reached this terminal state; {@code false}
     * means it never can.
     *
     * @param terminal how a dependency ended (a terminal state)
     * @return whether a dependent may run once a dependency reached this terminal state; {@code false} means it never can
     */
    public boolean satisfiedBy(JobState terminal) {
        switch (this) {
            case AFTER_OK:
                return terminal.isSuccess();
            case AFTER_NOT_OK:
                return !terminal.isSuccess();
            default:
                return true;
        }
    }
}
