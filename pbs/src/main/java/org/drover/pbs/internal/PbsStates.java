package org.drover.pbs.internal;

import java.util.Optional;
import org.drover.scheduler.JobState;
import org.drover.scheduler.JobStatus;

/**
 * What a PBS job's state letter, exit status, substate and comment mean, for PBS Pro/OpenPBS and
 * Torque. Every letter has a row; a letter not in the table is {@link JobState#UNKNOWN} (the manager
 * then learns nothing from this answer), never a guess.
 *
 * <table>
 *   <caption>job_state</caption>
 *   <tr><th>letter</th><th>meaning</th><th>JobState</th></tr>
 *   <tr><td>Q</td><td>queued</td><td>PENDING</td></tr>
 *   <tr><td>W</td><td>waiting for its execution time</td><td>PENDING</td></tr>
 *   <tr><td>T</td><td>being moved to a new location</td><td>PENDING</td></tr>
 *   <tr><td>H</td><td>held ({@code Hold_Types s} alone: waiting for its dependencies)</td>
 *       <td>HELD (PENDING)</td></tr>
 *   <tr><td>S</td><td>suspended</td><td>SUSPENDED</td></tr>
 *   <tr><td>U</td><td>suspended: the workstation is busy</td><td>SUSPENDED</td></tr>
 *   <tr><td>R</td><td>running</td><td>RUNNING</td></tr>
 *   <tr><td>E</td><td>exiting after having run</td><td>RUNNING</td></tr>
 *   <tr><td>B</td><td>an array that has begun</td><td>RUNNING</td></tr>
 *   <tr><td>M</td><td>moved to another server</td><td>NOT_FOUND</td></tr>
 *   <tr><td>F, X, C</td><td>finished (Pro with {@code -x}), a finished subjob, completed (Torque)</td>
 *       <td>from the exit status below (C without one: NOT_FOUND)</td></tr>
 * </table>
 *
 * <p>A Torque job in state C without an exit status (Torque-style wrappers never print one) is
 * {@link JobState#NOT_FOUND}: the queue cannot say how it ended, the attempt's exitcode record does.
 * A finished job otherwise: no exit status means it never ran (deleted while queued or held, or a
 * dependency that can never be satisfied): CANCELLED. {@code -29} (walltime) is TIMEOUT,
 * {@code -27}/{@code -28} (memory) OUT_OF_MEMORY, another negative status a launch failure
 * (FAILED); 256 + n was killed by signal n (exit code 128 + n); a job deleted while it ran
 * ({@code terminated} in the comment, 271 or 143) is CANCELLED; 0 is COMPLETED unless the comment
 * or substate 93 says it failed (an array parent whose subjob failed); anything else FAILED.
 *
 * <pre>{@code
 * JobStatus s = PbsStates.status(job);   // e.g. FAILED, exit 3, "Job run at ... and failed"
 * }</pre>
 */
public final class PbsStates {
    /** PBS's {@code JOB_EXEC_KILL_WALLTIME}. */
    static final int KILL_WALLTIME = -29;
    /** PBS's {@code JOB_EXEC_KILL_MEM}. */
    static final int KILL_MEM = -27;
    /** PBS's {@code JOB_EXEC_KILL_VMEM}. */
    static final int KILL_VMEM = -28;
    /** {@code substate} of a job that finished with a failure. */
    static final int SUBSTATE_FAILED = 93;
    /** {@code substate} of a job deleted before it ended. */
    static final int SUBSTATE_DELETED = 91;

    private PbsStates() {}

    /**
     * The status a job's attributes tell.
     *
     * @param job the job as qstat printed it
     * @return its status: state, exit code (128 + n for signal n) and reason
     */
    public static JobStatus status(PbsJob job) {
        String letter = job.stateLetter();
        String comment = job.comment();
        switch (letter) {
            case "Q":
                return of(job, JobState.PENDING, null, comment);
            case "W":
                return of(job, JobState.PENDING, null, comment.isEmpty() ? "waiting for its execution time" : comment);
            case "T":
                return of(job, JobState.PENDING, null, "being moved to a new location");
            case "H":
                // Hold_Types s alone is PBS's own hold of a job whose dependencies have not ended: it waits, nobody held it.
                if (job.get("Hold_Types").orElse("").equals("s")) {
                    return of(job, JobState.PENDING, null, "waiting for its dependencies"
                            + job.get("depend").map(d -> " (" + d + ")").orElse(""));
                }
                return of(job, JobState.HELD, null, comment.isEmpty() ? "held" : comment);
            case "S":
                return of(job, JobState.SUSPENDED, null, "suspended");
            case "U":
                return of(job, JobState.SUSPENDED, null, "suspended: the workstation is busy");
            case "R":
            case "B":
                return of(job, JobState.RUNNING, null, comment);
            case "E":
                return of(job, JobState.RUNNING, null, "exiting");
            case "M":
                return of(job, JobState.NOT_FOUND, null, "moved to another server");
            case "F":
            case "X":
            case "C":
                return finished(job, comment);
            default:
                return of(job, JobState.UNKNOWN, null, "job_state '" + letter + "' is not a PBS state Drover knows");
        }
    }

    private static JobStatus finished(PbsJob job, String comment) {
        Optional<Integer> exit = job.exitStatus();
        boolean terminated = comment.contains("terminated");
        if (exit.isEmpty() && job.stateLetter().equals("C")) {
            // Torque's completed state without an exit status (what Torque-style wrappers such as
            // slurm-wlm-torque print for every end: exit 0, exit 3, deleted): the queue cannot tell
            // how it ended. NOT_FOUND makes a run manager read the attempt's exitcode record, which decides.
            return of(job, JobState.NOT_FOUND, null, "completed, with no exit status in qstat: the exitcode record "
                    + "tells how it ended");
        }
        if (exit.isEmpty()) {
            String why = job.substate().orElse(0) == SUBSTATE_DELETED || terminated ? "deleted before it ran"
                    : "ended without running (deleted while queued or held, or a dependency that can never be met)";
            return of(job, JobState.CANCELLED, null, comment.isEmpty() ? why : comment);
        }
        int status = exit.get();
        if (status == KILL_WALLTIME || comment.contains("exceeded resource walltime")) {
            return of(job, JobState.TIMEOUT, null, comment.isEmpty() ? "walltime reached (Exit_status -29)" : comment);
        }
        if (status == KILL_MEM || status == KILL_VMEM) {
            return of(job, JobState.OUT_OF_MEMORY, null, (comment.isEmpty() ? "" : comment + "; ")
                    + "killed for exceeding its memory (Exit_status " + status + ")");
        }
        if (status < 0) {
            return of(job, JobState.FAILED, null, (comment.isEmpty() ? "" : comment + "; ")
                    + "PBS could not run it (Exit_status " + status + ")");
        }
        Integer code = status >= 256 ? 128 + (status - 256) : Integer.valueOf(status);
        if (terminated && status != 0) {
            return of(job, JobState.CANCELLED, code, comment);
        }
        if (status == 0 && !comment.endsWith(" and failed") && job.substate().orElse(0) != SUBSTATE_FAILED) {
            return of(job, JobState.COMPLETED, 0, comment);
        }
        String why = status >= 256 ? "killed by signal " + (status - 256) : "exit code " + status;
        return of(job, JobState.FAILED, code, comment.isEmpty() ? why : why + ": " + comment);
    }

    private static JobStatus of(PbsJob job, JobState state, Integer exitCode, String reason) {
        return new JobStatus(job.id(), state, exitCode, reason == null ? "" : reason, null, null, job.stateLetter());
    }
}
