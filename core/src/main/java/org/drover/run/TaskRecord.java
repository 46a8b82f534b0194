package org.drover.run;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.drover.internal.Plural;

/**
 * One task as the run store keeps it: its state and all its attempts. The attempt count is the
 * size of {@link #attempts()}, never a separate counter.
 *
 * @param name the job's name
 * @param state where the task stands
 * @param reason why it ended or waits ("" if nothing to say)
 * @param retryAt when the next attempt may be submitted, while {@link TaskState#RETRY_WAIT}
 * @param attempts every attempt, oldest first
 */
public record TaskRecord(String name, TaskState state, String reason, Instant retryAt, List<AttemptRecord> attempts) {
    /**
     * Checks the name and state; a null reason becomes empty, the attempt list is copied.
     *
     * @param name the job's name
     * @param state where the task stands
     * @param reason why it ended or waits ("" if nothing to say)
     * @param retryAt when the next attempt may be submitted, while {@link TaskState#RETRY_WAIT}
     * @param attempts every attempt, oldest first
     */
    public TaskRecord {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(state, "state");
        reason = reason == null ? "" : reason;
        attempts = List.copyOf(attempts == null ? List.of() : attempts);
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
        if (last != null && last.jobId() != null) {
            sb.append(", last job ").append(last.jobId());
        }
        if (!reason.isEmpty()) {
            sb.append(": ").append(reason);
        }
        return sb.toString();
    }
}
