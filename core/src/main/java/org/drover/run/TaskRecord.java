package org.drover.run;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.drover.internal.Plural;

/**
 * One task as the run store keeps it: its state and all its attempts. The attempt count is the
 * size of {@link #attempts()}, never a separate counter.
 *
 * <p>A task that was re-run ({@link Rerun}) keeps its earlier attempts; {@link #rerunAfter()} says
 * how many of them came before its latest re-run, and the retry policy counts only the ones after.
 *
 * <pre>{@code
 * TaskRecord t = run.record().tasks().get(0);
 * t.lastAttempt().number();   // 3: two attempts, then a re-run
 * t.reruns();                 // 1
 * t.rerunAfter();             // 2: the retry policy counts attempt 3 as the re-run's first
 * }</pre>
 *
 * @param name the job's name
 * @param state where the task stands
 * @param reason why it ended or waits ("" if nothing to say)
 * @param retryAt when the next attempt may be submitted, while {@link TaskState#RETRY_WAIT}
 * @param attempts every attempt, oldest first
 * @param fingerprint a fingerprint of the job's definition its latest attempts ran (or will run)
 *     with, to tell at a later start whether the bundle changed it; null in a store written before
 *     Drover recorded it
 * @param reruns how many times the task was re-run (0 if never)
 * @param rerunAfter how many attempts the task had when it was last re-run (0 if never)
 */
public record TaskRecord(String name, TaskState state, String reason, Instant retryAt, List<AttemptRecord> attempts,
                         String fingerprint, int reruns, int rerunAfter) {
    /**
     * Checks the name, state and re-run counts; a null reason becomes empty, the attempt list is copied.
     *
     * @param name the job's name
     * @param state where the task stands
     * @param reason why it ended or waits ("" if nothing to say)
     * @param retryAt when the next attempt may be submitted, while {@link TaskState#RETRY_WAIT}
     * @param attempts every attempt, oldest first
     * @param fingerprint a fingerprint of the job's definition, or null if not known
     * @param reruns how many times the task was re-run (0 if never)
     * @param rerunAfter how many attempts the task had when it was last re-run (0 if never)
     * @throws IllegalArgumentException if {@code reruns} is negative, or {@code rerunAfter} is negative or more
     *     than the attempts
     */
    public TaskRecord {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(state, "state");
        reason = reason == null ? "" : reason;
        attempts = List.copyOf(attempts == null ? List.of() : attempts);
        if (reruns < 0) {
            throw new IllegalArgumentException("task " + name + ": reruns must be 0 or more, got " + reruns);
        }
        if (rerunAfter < 0 || rerunAfter > attempts.size()) {
            throw new IllegalArgumentException("task " + name + ": rerunAfter must be 0 to the number of attempts ("
                    + attempts.size() + "), got " + rerunAfter);
        }
    }

    /**
     * A task never re-run, with no fingerprint of its job's definition.
     *
     * @param name the job's name
     * @param state where the task stands
     * @param reason why it ended or waits ("" if nothing to say)
     * @param retryAt when the next attempt may be submitted, while {@link TaskState#RETRY_WAIT}
     * @param attempts every attempt, oldest first
     */
    public TaskRecord(String name, TaskState state, String reason, Instant retryAt, List<AttemptRecord> attempts) {
        this(name, state, reason, retryAt, attempts, null, 0, 0);
    }

    /** Reads a record of the store, where re-run counts of 0 are left out (and stores written before them lack them). */
    @JsonCreator
    static TaskRecord fromJson(@JsonProperty("name") String name, @JsonProperty("state") TaskState state,
                               @JsonProperty("reason") String reason, @JsonProperty("retryAt") Instant retryAt,
                               @JsonProperty("attempts") List<AttemptRecord> attempts,
                               @JsonProperty("fingerprint") String fingerprint, @JsonProperty("reruns") Integer reruns,
                               @JsonProperty("rerunAfter") Integer rerunAfter) {
        return new TaskRecord(name, state, reason, retryAt, attempts, fingerprint, reruns == null ? 0 : reruns,
                rerunAfter == null ? 0 : rerunAfter);
    }

    /**
     * The latest attempt, or null if none was made.
     *
     * @return the latest attempt, or null if none was made
     */
    public AttemptRecord lastAttempt() {
        return attempts.isEmpty() ? null : attempts.get(attempts.size() - 1);
    }

    /**
     * The attempts made since the task was last re-run (all of them if it never was): the ones its
     * retry policy counts.
     *
     * @return the number of attempts since the latest re-run
     */
    public int attemptsSinceRerun() {
        return attempts.size() - rerunAfter;
    }

    /** This record with another state, reason, retry time and attempts; the fingerprint and re-run counts kept. */
    TaskRecord with(TaskState newState, String newReason, Instant newRetryAt, List<AttemptRecord> newAttempts) {
        return new TaskRecord(name, newState, newReason, newRetryAt, newAttempts, fingerprint, reruns, rerunAfter);
    }

    /** This record with the fingerprint of the job's definition. */
    TaskRecord withFingerprint(String newFingerprint) {
        return new TaskRecord(name, state, reason, retryAt, attempts, newFingerprint, reruns, rerunAfter);
    }

    /** This task to run again: WAITING, its attempts kept, a fresh count for the retry policy. */
    TaskRecord rerun(String why, String newFingerprint) {
        return new TaskRecord(name, TaskState.WAITING, why, null, attempts, newFingerprint, reruns + 1, attempts.size());
    }

    /**
     * One line: name, state, attempts, the last job id and the reason.
     *
     * @return e.g. {@code TaskRecord[train_0 FAILED, 2 attempts, last job 5: FAILED: exit code 3]}
     */
    @Override
    public String toString() {
        return "TaskRecord[" + line() + "]";
    }

    /** The line of {@link #toString()} without the type's name, for listings. */
    String line() {
        AttemptRecord last = lastAttempt();
        StringBuilder sb = new StringBuilder().append(name).append(' ').append(state).append(", ")
                .append(Plural.of(attempts.size(), "attempt"));
        if (reruns > 0) {
            sb.append(" (re-run ").append(reruns == 1 ? "once" : reruns + " times").append(")");
        }
        if (last != null && last.jobId() != null) {
            sb.append(", last job ").append(last.jobId());
        }
        if (!reason.isEmpty()) {
            sb.append(": ").append(reason);
        }
        return sb.toString();
    }
}
