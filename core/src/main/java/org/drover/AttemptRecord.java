package org.drover;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

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
 * @param stdout where the job's stdout goes; null stands for {@code stdout} in the attempt directory
 *     (the default, which the store does not write out)
 * @param stderr where the job's stderr goes; null likewise for {@code stderr}
 */
public record AttemptRecord(int number, String token, String jobId, JobState state, Integer exitCode, String reason,
                            Instant submitted, Instant ended, String attemptDir, List<StateChange> history,
                            String stdout, String stderr) {
    public AttemptRecord {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(attemptDir, "attemptDir");
        reason = reason == null ? "" : reason;
        history = List.copyOf(history == null ? List.of() : history);
        stdout = stdout != null ? stdout : defaultPath(attemptDir, RunDirectory.STDOUT);
        stderr = stderr != null ? stderr : defaultPath(attemptDir, RunDirectory.STDERR);
    }

    /** The path of a file of this name in the attempt directory, as {@link Submission} gives it. */
    public static String defaultPath(String attemptDir, String file) {
        return java.nio.file.Path.of(attemptDir).resolve(file).toString();
    }
}
