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
    public JobStatus {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(state, "state");
        reason = reason == null ? "" : reason;
        nativeState = nativeState == null ? "" : nativeState;
    }

    /** A status with only a state. */
    public static JobStatus of(String id, JobState state) {
        return new JobStatus(id, state, null, "", null, null, "");
    }

    /** The scheduler answered that it does not know this job (see {@link JobState#NOT_FOUND}). */
    public static JobStatus notFound(String id, String reason) {
        return new JobStatus(id, JobState.NOT_FOUND, null, reason, null, null, "");
    }

    /** The scheduler could not say, for this reason (its query failed): nothing is known this time. */
    public static JobStatus unknown(String id, String reason) {
        return new JobStatus(id, JobState.UNKNOWN, null, reason, null, null, "");
    }

    public OptionalInt exit() {
        return exitCode == null ? OptionalInt.empty() : OptionalInt.of(exitCode);
    }

    public Optional<Instant> startTime() {
        return Optional.ofNullable(started);
    }

    public Optional<Instant> endTime() {
        return Optional.ofNullable(ended);
    }

    /** The same status with another state and reason (e.g. after reading an exit-code file). */
    public JobStatus with(JobState newState, Integer newExitCode, String newReason) {
        return new JobStatus(id, newState, newExitCode, newReason, started, ended, nativeState);
    }
}
