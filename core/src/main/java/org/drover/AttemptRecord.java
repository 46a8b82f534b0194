package org.drover;

import java.time.Instant;
import java.util.List;

/**
 * One submission of a task, as the run store keeps it.
 *
 * @param number 1 for the first attempt
 * @param token unique token of the attempt (in the scheduler job's comment), to find it again
 * @param jobId the scheduler's id, or null while being submitted
 * @param state its latest state
 * @param exitCode its exit code, when known
 * @param reason the latest reason ("" if none)
 * @param submitted when it was submitted
 * @param ended when Drover saw it end, or null
 * @param attemptDir its attempt directory (stdout, stderr, exitcode inside)
 * @param history every state seen, in order
 */
public record AttemptRecord(int number, String token, String jobId, JobState state, Integer exitCode, String reason,
                            Instant submitted, Instant ended, String attemptDir, List<StateChange> history) {
    public AttemptRecord {
        history = List.copyOf(history);
    }
}
