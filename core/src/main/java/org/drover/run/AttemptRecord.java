package org.drover.run;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.drover.scheduler.JobState;
import org.drover.scheduler.RunDirectory;
import org.drover.scheduler.Submission;

/**
 * One submission of a task, as the run store keeps it. Its paths are kept relative to the runs
 * root; {@code runManager.runDirectory().resolveStored(attempt.attemptDir())} gives the directory.
 *
 * @param number 1 for the first attempt
 * @param token unique token of the attempt (in the scheduler job's comment), to find it again
 * @param jobId the scheduler's id, or null while being submitted
 * @param state its latest state
 * @param exitCode its exit code, when known
 * @param reason the latest reason ("" if none)
 * @param submitted when it was submitted
 * @param ended when Drover saw it end, or null
 * @param attemptDir its attempt directory (stdout, stderr, exitcode inside), relative to the runs
 *     root as the store keeps it (absolute in stores written before); {@link RunDirectory#resolveStored}
 *     gives the path
 * @param history every state seen, in order
 * @param stdout where the job's stdout goes (relative to the runs root when inside it, like
 *     {@code attemptDir}); null (or that very path) stands for {@code stdout} in the attempt
 *     directory, the default, which the record keeps as null and the store does not write out;
 *     {@link #stdout()} gives the path either way
 * @param stderr where the job's stderr goes; null likewise for {@code stderr}
 * @param started when the job started, as its {@code started} record says (to the second, on the
 *     clock of the machine it ran on), when Drover read that record; null if it did not (the
 *     scheduler told the start, or the attempt never started), and in stores written before
 */
public record AttemptRecord(int number, String token, String jobId, JobState state, Integer exitCode, String reason,
                            Instant submitted, Instant ended, String attemptDir, List<StateChange> history,
                            String stdout, String stderr, Instant started) {
    /**
     * Checks the record: number at least 1, a token, a state and an attempt directory; null lists become empty.
     *
     * @param number 1 for the first attempt
     * @param token unique token of the attempt (in the scheduler job's comment), to find it again
     * @param jobId the scheduler's id, or null while being submitted
     * @param state its latest state
     * @param exitCode its exit code, when known
     * @param reason the latest reason ("" if none)
     * @param submitted when it was submitted
     * @param ended when Drover saw it end, or null
     * @param attemptDir its attempt directory (stdout, stderr, exitcode inside), relative to the runs root (absolute in stores written before)
     * @param history every state seen, in order
     * @param stdout where the job's stdout goes; null (or that very path) stands for {@code stdout} in the attempt directory, the default, which the record keeps as null and the store does not write out; {@link #stdout()} gives the path either way
     * @param stderr where the job's stderr goes; null likewise for {@code stderr}
     * @param started when the job started, as its {@code started} record says, or null if Drover did not read it
     */
    public AttemptRecord {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(attemptDir, "attemptDir");
        reason = reason == null ? "" : reason;
        history = List.copyOf(history == null ? List.of() : history);   // no copy of a list List.of made
        // The default is kept as null: a run of 100,000 tasks need not hold 200,000 path strings it can derive.
        if (stdout != null && stdout.equals(defaultPath(attemptDir, RunDirectory.STDOUT))) {
            stdout = null;
        }
        if (stderr != null && stderr.equals(defaultPath(attemptDir, RunDirectory.STDERR))) {
            stderr = null;
        }
    }

    /**
     * An attempt whose start Drover did not read from the job's {@code started} record.
     *
     * @param number 1 for the first attempt
     * @param token unique token of the attempt (in the scheduler job's comment), to find it again
     * @param jobId the scheduler's id, or null while being submitted
     * @param state its latest state
     * @param exitCode its exit code, when known
     * @param reason the latest reason ("" if none)
     * @param submitted when it was submitted
     * @param ended when Drover saw it end, or null
     * @param attemptDir its attempt directory (stdout, stderr, exitcode inside), relative to the runs root (absolute in stores written before)
     * @param history every state seen, in order
     * @param stdout where the job's stdout goes; null (or that very path) stands for {@code stdout} in the attempt directory
     * @param stderr where the job's stderr goes; null likewise for {@code stderr}
     */
    public AttemptRecord(int number, String token, String jobId, JobState state, Integer exitCode, String reason,
                         Instant submitted, Instant ended, String attemptDir, List<StateChange> history,
                         String stdout, String stderr) {
        this(number, token, jobId, state, exitCode, reason, submitted, ended, attemptDir, history, stdout, stderr, null);
    }

    /**
     * Where the job's stdout goes: its own path, or {@code stdout} in the attempt directory (as
     * stored: relative to the runs root, see {@link RunDirectory#resolveStored}).
     *
     * @return where the job's stdout goes: its own path, or {@code stdout} in the attempt directory
     */
    @Override
    public String stdout() {
        return stdout != null ? stdout : defaultPath(attemptDir, RunDirectory.STDOUT);
    }

    /**
     * Where the job's stderr goes: its own path, or {@code stderr} in the attempt directory.
     *
     * @return where the job's stderr goes: its own path, or {@code stderr} in the attempt directory
     */
    @Override
    public String stderr() {
        return stderr != null ? stderr : defaultPath(attemptDir, RunDirectory.STDERR);
    }

    /**
     * Whether stdout goes to {@code stdout} in the attempt directory (the store then leaves the path out).
     *
     * @return whether stdout goes to {@code stdout} in the attempt directory (the store then leaves the path out)
     */
    public boolean stdoutIsDefault() {
        return stdout == null;
    }

    /**
     * Whether stderr goes to {@code stderr} in the attempt directory.
     *
     * @return whether stderr goes to {@code stderr} in the attempt directory
     */
    public boolean stderrIsDefault() {
        return stderr == null;
    }

    /**
     * The path of a file of this name in the attempt directory, as {@link Submission} gives it.
     *
     * @param attemptDir the attempt's directory
     * @param file the file
     * @return the path of a file of this name in the attempt directory, as {@link Submission} gives it
     */
    public static String defaultPath(String attemptDir, String file) {
        return java.nio.file.Path.of(attemptDir).resolve(file).toString();
    }

    /**
     * The attempt on one line: number, job, state, exit code, times, directory, the states it went
     * through, and the reason.
     *
     * @return e.g. {@code AttemptRecord[2: job 17 COMPLETED, exit 0, submitted 2026-12-05T10:00:00Z, ended 2026-12-05T10:01:12Z, in study_20261205-100000-000/train_3/2; PENDING -> RUNNING -> COMPLETED]}
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("AttemptRecord[").append(number).append(": ");
        sb.append(jobId == null ? "no job id yet" : "job " + jobId).append(' ').append(state);
        if (exitCode != null) {
            sb.append(", exit ").append(ExitCodes.describe(exitCode));
        }
        sb.append(", submitted ").append(submitted);
        if (ended != null) {
            sb.append(", ended ").append(ended);
        }
        sb.append(", in ").append(attemptDir);
        if (!history.isEmpty()) {
            sb.append(';');
            for (int i = 0; i < history.size(); i++) {
                sb.append(i == 0 ? " " : " -> ").append(history.get(i).state());
            }
        }
        if (!reason.isEmpty()) {
            sb.append(": ").append(reason);
        }
        return sb.append(']').toString();
    }

    /** This attempt with one more state in its history (and as its latest state and reason). */
    AttemptRecord changed(Instant at, JobState newState, String why) {
        String r = why == null ? "" : why;
        return new AttemptRecord(number, token, jobId, newState, exitCode, r, submitted, ended, attemptDir,
                append(history, new StateChange(at, newState, r)), stdout, stderr, started);
    }

    /** This attempt ended: {@link #changed} to its end state, with its exit code and when it was seen to end. */
    AttemptRecord endedAs(Instant at, JobState end, String why, Integer exit) {
        String r = why == null ? "" : why;
        return new AttemptRecord(number, token, jobId, end, exit, r, submitted, at, attemptDir,
                append(history, new StateChange(at, end, r)), stdout, stderr, started);
    }

    /** This attempt with its scheduler id. */
    AttemptRecord withJobId(String id) {
        return new AttemptRecord(number, token, id, state, exitCode, reason, submitted, ended, attemptDir, history,
                stdout, stderr, started);
    }

    /** This attempt with the time its job's {@code started} record holds. */
    AttemptRecord withStarted(Instant at) {
        return new AttemptRecord(number, token, jobId, state, exitCode, reason, submitted, ended, attemptDir, history,
                stdout, stderr, at);
    }

    /** An immutable list of {@code list}'s elements and then {@code last}. */
    static <T> List<T> append(List<T> list, T last) {
        int n = list.size();
        if (n == 0) {
            return List.of(last);
        }
        if (n == 1) {
            return List.of(list.get(0), last);
        }
        if (n == 2) {   // the usual third state (PENDING, RUNNING, end): List.of keeps its own array, no copy
            return List.of(list.get(0), list.get(1), last);
        }
        @SuppressWarnings("unchecked")
        T[] all = (T[]) list.toArray(new Object[n + 1]);
        all[n] = last;
        return List.of(all);
    }
}
