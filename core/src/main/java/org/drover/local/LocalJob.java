package org.drover.local;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import org.drover.scheduler.JobState;
import org.drover.scheduler.JobStatus;
import org.drover.scheduler.Submission;

/** One job's state; fields guarded by the scheduler's lock. */
final class LocalJob {
    final String id;
    final Submission submission;
    final int cpus;
    final long memory;
    final List<LocalJob> deps;
    final ArrayGroup group;
    JobState state = JobState.PENDING;
    /** Its process when started with ProcessBuilder. */
    Process process;
    /** Its pid (and process group id) when started by a fork server; 0 until known. */
    long pid;
    /** The fork server asked to start it. */
    ForkServer server;
    /** Why the fork server could not start it (dir, stdout, stderr, env, command); null if it could. */
    String cannotStart;
    List<Integer> gpus = List.of();
    ScheduledFuture<?> timer;
    boolean stopping;
    /** Its process ended (or never started): its slots are free, its exitcode may not be written yet. */
    boolean exited;
    JobState stopState;
    String stopReason;
    Integer exitCode;
    String reason = "";
    Instant started;
    Instant ended;

    LocalJob(String id, Submission submission, int cpus, long memory, List<LocalJob> deps, ArrayGroup group) {
        this.id = id;
        this.submission = submission;
        this.cpus = cpus;
        this.memory = memory;
        this.deps = deps;
        this.group = group;
    }

    JobStatus status() {
        String why = reason;
        if (state == JobState.PENDING && why.isEmpty()) {
            why = deps.stream().anyMatch(d -> !d.state.isTerminal()) ? "Dependency" : "Resources";
        }
        return new JobStatus(id, state, exitCode, why, started, ended, state.name());
    }
}
