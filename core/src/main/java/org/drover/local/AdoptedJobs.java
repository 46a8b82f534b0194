package org.drover.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.drover.Job;
import org.drover.Memory;
import org.drover.Resources;
import org.drover.Walltime;
import org.drover.internal.Processes;
import org.drover.scheduler.JobState;
import org.drover.scheduler.JobStatus;
import org.drover.scheduler.RunDirectory;
import org.drover.scheduler.Scheduler.KnownAttempt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jobs an earlier LocalScheduler started (in this JVM or one that is gone), found again from their
 * attempt directories when a manager re-attaches: the {@code started} record names the process
 * (pid and start ticks, so a reused pid is never taken for it), the {@code exitcode} record its end.
 * A live one is followed until it ends (every half second), keeps the cpus, memory and gpus it
 * holds, has its walltime enforced from its own start, and can be cancelled (TERM to its process
 * group, KILL after the grace period). One that ended has its exit code; one whose process is gone
 * without an exit code, or that never started (it waited in the queue of a scheduler that is gone),
 * is {@link JobState#LOST}. All state is guarded by the scheduler's lock.
 *
 * <pre>{@code
 * adopted.adopt(List.of(known), newId);       // from LocalScheduler.reattach
 * JobStatus s = adopted.status("81234.7");    // null if not adopted here
 * }</pre>
 */
final class AdoptedJobs {
    private static final Logger LOG = LoggerFactory.getLogger(LocalScheduler.class);
    private static final long WATCH_MS = 500;

    /** One adopted job. */
    static final class Adopted {
        final String id;
        final String token;
        final Path dir;
        StartedRecord started;
        int cpus;
        long memory;
        List<Integer> gpus = List.of();
        JobState state = JobState.RUNNING;
        Integer exitCode;
        String reason = "re-attached";
        Instant ended;
        JobState stopState;
        String stopReason;
        ScheduledFuture<?> walltime;

        Adopted(String id, String token, Path dir) {
            this.id = id;
            this.token = token;
            this.dir = dir;
        }

        JobStatus status() {
            return new JobStatus(id, state, exitCode, reason, started == null ? null : started.started(), ended,
                    state.name());
        }
    }

    private final Object lock;
    private final Slots slots;
    private final ScheduledExecutorService timers;
    private final Duration killGrace;
    private final GroupSignaller signaller;
    private final Runnable freed;
    private final Map<String, Adopted> byId = new HashMap<>();
    private final Map<String, String> idByToken = new HashMap<>();
    private ScheduledFuture<?> watcher;

    /** Sends a signal to a process group (through a fork server where one runs). */
    interface GroupSignaller {
        void signal(long pgid, boolean forcibly);
    }

    AdoptedJobs(Object lock, Slots slots, ScheduledExecutorService timers, Duration killGrace,
                GroupSignaller signaller, Runnable freed) {
        this.lock = lock;
        this.slots = slots;
        this.timers = timers;
        this.killGrace = killGrace;
        this.signaller = signaller;
        this.freed = freed;
    }

    /**
     * Reads the attempt's directory and adopts what it finds; under the lock. An attempt whose id
     * is unknown is adopted only if its script carries its token and it started: one that never
     * started was never run, and is reported absent so that it is submitted again.
     */
    void adopt(KnownAttempt k, Supplier<String> newId) {
        if (k.jobId() != null ? byId.containsKey(k.jobId()) : idByToken.containsKey(k.token())) {
            return;
        }
        Path dir = k.attemptDir();
        StartedRecord started = readStarted(dir);
        OptionalInt exit = RunDirectory.readExitCode(dir);
        if (k.jobId() == null && (!scriptCarries(dir, k.token()) || started == null && exit.isEmpty())) {
            return;
        }
        Adopted a = new Adopted(k.jobId() != null ? k.jobId() : newId.get(), k.token(), dir);
        a.started = started;
        byId.put(a.id, a);
        idByToken.put(a.token, a.id);
        if (exit.isPresent()) {
            endFromCode(a, exit.getAsInt());
        } else if (started == null) {
            end(a, JobState.LOST, null, "it never started: it waited in the queue of a local scheduler that is gone");
        } else if (!alive(started)) {
            end(a, JobState.LOST, null, "its process " + started.pid() + " ended without an exit code (the fork server "
                    + "that started it is gone)");
        } else {
            follow(a);
        }
        LOG.atInfo().log(() -> "re-attached local job " + a.id + " in " + dir + ": " + a.state
                + (a.reason.isEmpty() ? "" : " (" + a.reason + ")"));
    }

    /** Takes the adopted job's resources, arms its walltime from its start and watches it. */
    private void follow(Adopted a) {
        Job job = readJob(a.dir);
        if (job != null) {
            Resources r = job.resources();
            a.cpus = r.cpus() * r.tasks();
            a.memory = r.memory().map(Memory::bytes).orElse(0L);
            a.gpus = a.started.gpus();
            r.walltime().ifPresent(limit -> {
                long left = Duration.between(Instant.now(), a.started.started().plus(limit)).toMillis();
                a.walltime = timers.schedule(() -> onWalltime(a, limit), Math.max(0, left), TimeUnit.MILLISECONDS);
            });
        }
        slots.take(a.cpus, a.memory, a.gpus);
        if (watcher == null) {
            watcher = timers.scheduleWithFixedDelay(this::watch, WATCH_MS, WATCH_MS, TimeUnit.MILLISECONDS);
        }
    }

    private void onWalltime(Adopted a, Duration limit) {
        synchronized (lock) {
            if (a.state == JobState.RUNNING && a.stopState == null) {
                stop(a, JobState.TIMEOUT, "walltime " + Walltime.formatWithDays(limit) + " reached");
            }
        }
    }

    /** Ends the adopted jobs whose process is gone; on the timer thread. */
    private void watch() {
        boolean changed = false;
        synchronized (lock) {
            boolean running = false;
            for (Adopted a : byId.values()) {
                if (a.state != JobState.RUNNING) {
                    continue;
                }
                if (alive(a.started)) {
                    running = true;
                    continue;
                }
                OptionalInt exit = RunDirectory.readExitCode(a.dir);   // written before the process was reaped
                if (exit.isPresent()) {
                    endFromCode(a, exit.getAsInt());
                } else {
                    end(a, a.stopState != null ? a.stopState : JobState.LOST, null, a.stopState != null ? a.stopReason
                            : "its process " + a.started.pid() + " ended without an exit code (the fork server that "
                            + "started it is gone)");
                }
                slots.give(a.cpus, a.memory, a.gpus);
                changed = true;
            }
            if (!running && watcher != null) {
                watcher.cancel(false);
                watcher = null;
            }
        }
        if (changed) {
            freed.run();
        }
    }

    private void endFromCode(Adopted a, int code) {
        JobState state = a.stopState != null ? a.stopState : code == 0 ? JobState.COMPLETED : JobState.FAILED;
        end(a, state, code, a.stopState != null ? a.stopReason : code == 0 ? "" : "exit code " + code);
    }

    private static void end(Adopted a, JobState state, Integer exitCode, String reason) {
        a.state = state;
        a.exitCode = exitCode;
        a.reason = reason;
        a.ended = Instant.now();
        if (a.walltime != null) {
            a.walltime.cancel(false);
        }
    }

    /** The status of an adopted job, or null if this id was not adopted; under the lock. */
    JobStatus status(String id) {
        Adopted a = byId.get(id);
        return a == null ? null : a.status();
    }

    /** The id of the adopted job with this token; under the lock. */
    Optional<String> idOf(String token) {
        return Optional.ofNullable(idByToken.get(token));
    }

    /** Cancels an adopted job if it runs; false if this id was not adopted. Under the lock. */
    boolean cancel(String id) {
        Adopted a = byId.get(id);
        if (a == null) {
            return false;
        }
        if (a.state == JobState.RUNNING && a.stopState == null) {
            stop(a, JobState.CANCELLED, "cancelled");
        }
        return true;
    }

    /** TERM to the job's process group now, KILL after the grace period, each only if it is still the same process. */
    private void stop(Adopted a, JobState state, String reason) {
        a.stopState = state;
        a.stopReason = reason;
        signal(a, false);
        timers.schedule(() -> signal(a, true), killGrace.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void signal(Adopted a, boolean forcibly) {
        StartedRecord s = a.started;
        if (!alive(s)) {
            return;
        }
        try {
            signaller.signal(s.pid(), forcibly);
        } catch (RuntimeException e) {
            LOG.warn("cannot signal the process group of local job " + a.id + ": " + e);
            ProcessHandle.of(s.pid()).ifPresent(h -> Processes.killTree(h, forcibly));
        }
    }

    /** The adopted jobs that still run, for the scheduler's own listing. */
    int running() {
        int n = 0;
        for (Adopted a : byId.values()) {
            if (a.state == JobState.RUNNING) {
                n++;
            }
        }
        return n;
    }

    /** The ids of adopted jobs that still run. */
    List<String> runningIds() {
        List<String> ids = new ArrayList<>();
        byId.values().forEach(a -> {
            if (a.state == JobState.RUNNING) {
                ids.add(a.id);
            }
        });
        return ids;
    }

    private static boolean alive(StartedRecord s) {
        if (s.startTicks() != null) {
            return ProcessIdentity.isAlive(s.pid(), s.startTicks());
        }
        // A record without start ticks (written by a version that had none): the same process
        // started within a few seconds of the recorded time.
        return ProcessHandle.of(s.pid()).flatMap(h -> h.info().startInstant())
                .map(at -> Math.abs(Duration.between(at, s.started()).getSeconds()) <= 2).orElse(false);
    }

    private static StartedRecord readStarted(Path dir) {
        try {
            return StartedRecord.parse(Files.readString(dir.resolve(RunDirectory.STARTED), StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("cannot read the started record in " + dir + ": " + e.getMessage());
            return null;
        }
    }

    private static boolean scriptCarries(Path dir, String token) {
        try {
            return Files.readString(dir.resolve(RunDirectory.SCRIPT), StandardCharsets.UTF_8)
                    .contains(", token " + token + "\n");
        } catch (IOException e) {
            return false;
        }
    }

    private static Job readJob(Path dir) {
        try {
            return Job.load(dir.resolve(RunDirectory.JOB_RECORD));
        } catch (RuntimeException e) {
            LOG.warn("re-attached local job in " + dir + " has no readable job record (its cpus and memory are not "
                    + "counted, its walltime not enforced): " + e.getMessage());
            return null;
        }
    }
}
