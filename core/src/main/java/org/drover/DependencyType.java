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
    AFTER_OK("afterok"),
    AFTER_ANY("afterany"),
    AFTER_NOT_OK("afternotok");

    private final String keyword;

    DependencyType(String keyword) {
        this.keyword = keyword;
    }

    /** The scheduler keyword: {@code afterok}, {@code afterany}, {@code afternotok}. */
    public String keyword() {
        return keyword;
    }

    /**
     * Whether a dependent may run once a dependency reached this terminal state; {@code false}
     * means it never can.
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
