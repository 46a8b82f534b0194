package org.drover.scheduler;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a scheduler says about one job: its normalized state, exit code, the reason it pends or
 * ended, start and end times, and the scheduler's own state word.
 *
 * <pre>{@code
 * JobStatus s = scheduler.status(List.of(id)).get(id);
 * if (s.state() == JobState.FAILED) System.out.println(s.exitCode().orElse(-1) + " " + s.reason());
 * }</pre>
 *
 * @param id the scheduler's job id
 * @param state the normalized state
 * @param exitCode the exit code, or null when not known (yet)
 * @param reason why it pends or ended (e.g. "Dependency", "DependencyNeverSatisfied"), or ""
 * @param started when it started, or null
 * @param ended when it ended, or null
 * @param nativeState the scheduler's own state word (e.g. "CANCELLED by 0", "R"), or ""
 */
public record JobStatus(String id, JobState state, Integer exitCode, String reason, Instant started, Instant ended,
                        String nativeState) {
    /**
     * Checks that there is an id and a state; a null reason becomes empty.
     *
     * @param id the scheduler's job id
     * @param state the normalized state
     * @param exitCode the exit code, or null when not known (yet)
     * @param reason why it pends or ended (e.g. "Dependency", "DependencyNeverSatisfied"), or ""
     * @param started when it started, or null
     * @param ended when it ended, or null
     * @param nativeState the scheduler's own state word (e.g. "CANCELLED by 0", "R"), or ""
     */
    public JobStatus {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(state, "state");
        reason = reason == null ? "" : reason;
        nativeState = nativeState == null ? "" : nativeState;
    }

    /**
     * The id, state and what else is known, on one line.
     *
     * @return e.g. {@code JobStatus[17 FAILED, exit 3, started 2026-12-05T10:00:00Z, ended 2026-12-05T10:01:12Z, native F: NonZeroExitCode]}
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("JobStatus[").append(id).append(' ').append(state);
        if (exitCode != null) {
            sb.append(", exit ").append(exitCode);
        }
        if (started != null) {
            sb.append(", started ").append(started);
        }
        if (ended != null) {
            sb.append(", ended ").append(ended);
        }
        if (!nativeState.isEmpty() && !nativeState.equals(state.name())) {
            sb.append(", native ").append(nativeState);
        }
        if (!reason.isEmpty()) {
            sb.append(": ").append(reason);
        }
        return sb.append(']').toString();
    }

    /**
     * A status with only a state.
     *
     * @param id a scheduler job id
     * @param state the normalised state
     * @return a status with only a state
     */
    public static JobStatus of(String id, JobState state) {
        return new JobStatus(id, state, null, "", null, null, "");
    }

    /**
     * The scheduler answered that it does not know this job (see {@link JobState#NOT_FOUND}).
     *
     * @param id a scheduler job id
     * @param reason why, in a few words
     * @return the scheduler answered that it does not know this job (see {@link JobState#NOT_FOUND})
     */
    public static JobStatus notFound(String id, String reason) {
        return new JobStatus(id, JobState.NOT_FOUND, null, reason, null, null, "");
    }

    /**
     * The scheduler could not say, for this reason (its query failed): nothing is known this time.
     *
     * @param id a scheduler job id
     * @param reason why, in a few words
     * @return the scheduler could not say, for this reason (its query failed): nothing is known this time
     */
    public static JobStatus unknown(String id, String reason) {
        return new JobStatus(id, JobState.UNKNOWN, null, reason, null, null, "");
    }

    /**
     * The exit code, when known.
     *
     * @return the exit code, or empty
     */
    public OptionalInt exit() {
        return exitCode == null ? OptionalInt.empty() : OptionalInt.of(exitCode);
    }

    /**
     * When the job started, when known.
     *
     * @return the start time, or empty
     */
    public Optional<Instant> startTime() {
        return Optional.ofNullable(started);
    }

    /**
     * When the job ended, when known.
     *
     * @return the end time, or empty
     */
    public Optional<Instant> endTime() {
        return Optional.ofNullable(ended);
    }

    /**
     * The same status with another state and reason (e.g. after reading an exit-code file).
     *
     * @param newState the new state
     * @param newExitCode the new exit code
     * @param newReason the new reason
     * @return a new status; this one is unchanged
     */
    public JobStatus with(JobState newState, Integer newExitCode, String newReason) {
        return new JobStatus(id, newState, newExitCode, newReason, started, ended, nativeState);
    }
}
