package org.drover;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.drover.internal.AtomicFiles;
import org.drover.internal.Processes;

/**
 * The embedded executor: runs each job's script as a process of this machine, no cluster needed.
 * It is Drover's default scheduler.
 *
 * <ul>
 *   <li>Slots: never runs more jobs than fit in its cpus, memory and gpus (a job asking no memory
 *       reserves none). Ready jobs start in submission order; a ready job that does not fit yet
 *       holds back those behind it, so a big job is never starved.</li>
 *   <li>GPU jobs get {@code CUDA_VISIBLE_DEVICES} set to the devices reserved for them.</li>
 *   <li>Dependencies have SLURM's meaning: an afterok dependent of a failed job never runs and
 *       ends {@link JobState#CANCELLED} with reason {@code DependencyNeverSatisfied}.</li>
 *   <li>Walltime is enforced: at the limit the job's process tree gets TERM, then KILL after a
 *       grace period, and the job ends {@link JobState#TIMEOUT}.</li>
 *   <li>{@link #cancel} stops the whole process tree of a running job.</li>
 *   <li>State lives in this object only: a new LocalScheduler knows no earlier job (its ids are
 *       reported {@link JobState#NOT_FOUND}); the run directory's {@code exitcode} files remain.</li>
 * </ul>
 *
 * <pre>{@code
 * try (LocalScheduler local = LocalScheduler.builder().cpus(2).memory("4G").gpus(0).build()) {
 *     SubmittedBundle run = Submitter.submit(bundle, local, Path.of("runs"));
 *     run.awaitCompletion(Duration.ofMinutes(5));
 * }
 * }</pre>
 */
public final class LocalScheduler implements Scheduler {
    /** The reason given to dependents that can never run. */
    public static final String DEPENDENCY_NEVER_SATISFIED = "DependencyNeverSatisfied";
    /** The exit code recorded for a job whose process could not be started (the shell's "not found"). */
    public static final int CANNOT_START_EXIT_CODE = 127;
    private static final Logger LOG = Logger.getLogger(LocalScheduler.class.getName());
    private static final File DEV_NULL = new File("/dev/null");

    private final int totalCpus;
    private final long totalMemory;
    private final int totalGpus;
    private final Duration killGrace;
    private final Shell shell = LocalShell.create();
    private final String host;

    private final Object lock = new Object();
    private final Map<String, LocalJob> jobs = new HashMap<>();
    private final List<LocalJob> pending = new ArrayList<>();
    private final BitSet freeGpus = new BitSet();
    private final AtomicLong nextId = new AtomicLong(1);
    private final ScheduledExecutorService timers;
    private final java.util.concurrent.ExecutorService events;
    private final java.util.concurrent.ExecutorService launchers;
    private final java.util.concurrent.ExecutorService records;
    private int freeCpus;
    private long freeMemory;
    private boolean closed;

    private LocalScheduler(Builder b) {
        this.totalCpus = b.cpus;
        this.totalMemory = b.memory;
        this.totalGpus = b.gpus;
        this.killGrace = b.killGrace;
        this.freeCpus = totalCpus;
        this.freeMemory = totalMemory;
        this.freeGpus.set(0, totalGpus);
        this.timers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "drover-local-timers");
            t.setDaemon(true);
            return t;
        });
        this.events = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "drover-local-events");
            t.setDaemon(true);
            return t;
        });
        // Processes start here, not under the lock: a start costs milliseconds (fork, exec), and
        // two slots freed together start their next jobs in parallel.
        this.launchers = Executors.newFixedThreadPool(Math.max(1, Math.min(totalCpus, 4)), r -> {
            Thread t = new Thread(r, "drover-local-launcher");
            t.setDaemon(true);
            return t;
        });
        // One thread, so a job's started file is always written before its exitcode file.
        this.records = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "drover-local-records");
            t.setDaemon(true);
            return t;
        });
        String h;
        try {
            h = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            h = "localhost";
        }
        this.host = h;
    }

    /** A LocalScheduler with all cpus and memory of this machine and no gpu. */
    public static LocalScheduler create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "local";
    }

    @Override
    public Shell shell() {
        return shell;
    }

    public int cpus() {
        return totalCpus;
    }

    public long memoryBytes() {
        return totalMemory;
    }

    public int gpus() {
        return totalGpus;
    }

    @Override
    public String render(Submission s) {
        return JobScript.plain(s);
    }

    @Override
    public String submit(Submission s) {
        checkAndWrite(s);
        synchronized (lock) {
            return register(s, null);
        }
    }

    /**
     * Submits the tasks of a sweep, each with its own id and status, at most {@code maxRunning} of
     * them running at once (0: no limit); there is no id for the whole array.
     */
    @Override
    public SubmittedArray submitArray(List<Submission> tasks, int maxRunning) {
        if (maxRunning < 0) {
            throw new IllegalArgumentException("maxRunning must be 0 or more, got " + maxRunning);
        }
        for (Submission s : tasks) {
            checkAndWrite(s);
        }
        ArrayGroup group = maxRunning > 0 ? new ArrayGroup(maxRunning) : null;
        List<String> ids = new ArrayList<>(tasks.size());
        synchronized (lock) {
            for (Submission s : tasks) {
                dependenciesOf(s);   // all or none: check every task before registering the first
            }
            for (Submission s : tasks) {
                ids.add(register(s, group));
            }
        }
        return new SubmittedArray(null, ids);
    }

    /** Checks that the job can ever fit and writes its script and the directories of its output files. */
    private void checkAndWrite(Submission s) {
        Job job = s.job();
        Resources r = job.resources();
        int cpus = r.cpus() * r.tasks();
        long memory = r.memory().map(Memory::bytes).orElse(0L);
        if (r.nodes() > 1) {
            throw new SchedulerException("job '" + job.name() + "' asks " + r.nodes()
                    + " nodes; the local scheduler has one", false);
        }
        if (cpus > totalCpus || memory > totalMemory || r.gpus() > totalGpus) {
            throw new SchedulerException("job '" + job.name() + "' asks cpus=" + cpus + ", memory="
                    + r.memory().map(Memory::toString).orElse("0") + ", gpus=" + r.gpus()
                    + " but the local scheduler has cpus=" + totalCpus + ", memory=" + Memory.ofBytes(totalMemory)
                    + ", gpus=" + totalGpus + " (set them with LocalScheduler.builder())", false);
        }
        try {
            if (!Files.isDirectory(s.attemptDir())) {   // the Submitter has made it: one stat, not mkdir + stat
                Files.createDirectories(s.attemptDir());
            }
            Files.writeString(s.scriptPath(), render(s), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SchedulerException("cannot write the script of job '" + job.name() + "': " + e.getMessage(),
                    false, e);
        }
        // A custom stdout/stderr path may name directories that do not exist yet (e.g. "logs/{lr}/out"):
        // create them here, so that the process can start; a failure is reported now, not at start.
        for (Path out : List.of(s.stdoutPath(), s.stderrPath())) {
            Path parent = out.getParent();
            if (parent != null && !parent.equals(s.attemptDir()) && !Files.isDirectory(parent)) {
                try {
                    Files.createDirectories(parent);
                } catch (IOException e) {
                    throw new SchedulerException("cannot create the directory " + parent + " of the output file of job '"
                            + job.name() + "': " + e.getMessage(), false, e);
                }
            }
        }
    }

    /** The jobs this one depends on; under lock. */
    private List<LocalJob> dependenciesOf(Submission s) {
        if (closed) {
            throw new SchedulerException("the local scheduler is closed", false);
        }
        List<LocalJob> deps = new ArrayList<>();
        for (Submission.IdDependency d : s.dependencies()) {
            LocalJob dep = jobs.get(d.jobId());
            if (dep == null) {
                throw new SchedulerException("job '" + s.job().name() + "' depends on job id " + d.jobId()
                        + ", which this local scheduler does not know", false);
            }
            deps.add(dep);
        }
        return deps;
    }

    /** Registers a job whose script is written and schedules; under lock. */
    private String register(Submission s, ArrayGroup group) {
        Resources r = s.job().resources();
        List<LocalJob> deps = dependenciesOf(s);
        LocalJob lj = new LocalJob(Long.toString(nextId.getAndIncrement()), s, r.cpus() * r.tasks(),
                r.memory().map(Memory::bytes).orElse(0L), deps, group);
        jobs.put(lj.id, lj);
        pending.add(lj);
        schedule();
        return lj.id;
    }

    @Override
    public Map<String, JobStatus> status(Collection<String> ids) {
        Map<String, JobStatus> result = new LinkedHashMap<>();
        synchronized (lock) {
            for (String id : ids) {
                LocalJob j = jobs.get(id);
                result.put(id, j == null ? JobStatus.notFound(id, "unknown to this local scheduler") : j.status());
            }
        }
        return result;
    }

    @Override
    public void cancel(Collection<String> ids) {
        synchronized (lock) {
            for (String id : ids) {
                LocalJob j = jobs.get(id);
                if (j == null || j.state.isTerminal() || j.exited) {
                    continue;
                }
                if (j.state == JobState.PENDING) {
                    pending.remove(j);
                    end(j, JobState.CANCELLED, null, "cancelled");
                } else if (!j.stopping) {
                    if (j.process != null) {
                        stop(j, JobState.CANCELLED, "cancelled");
                    } else {
                        // Still being started by a launcher, which stops it as soon as it runs.
                        j.stopping = true;
                        j.stopState = JobState.CANCELLED;
                        j.stopReason = "cancelled";
                    }
                }
            }
            schedule();
        }
    }

    /** Cancels everything still pending or running and stops the timers. */
    @Override
    public void close() {
        List<String> live;
        synchronized (lock) {
            live = jobs.values().stream().filter(j -> !j.state.isTerminal()).map(j -> j.id).collect(Collectors.toList());
        }
        cancel(live);
        synchronized (lock) {
            closed = true;
            for (LocalJob j : jobs.values()) {
                if (j.process != null && j.process.isAlive()) {
                    Processes.killTree(j.process.toHandle(), true);
                }
            }
        }
        timers.shutdownNow();
        events.shutdown();
        launchers.shutdown();
        records.shutdown();
    }

    // ---- scheduling, all under lock ----

    /**
     * Cancels what can never run and starts what fits, until neither changes anything (a
     * cancelled job can decide its own dependents). A job that fails to start ends on its launcher
     * thread, which then schedules again, so its dependents are decided too.
     */
    private void schedule() {
        boolean changed = true;
        while (changed) {
            changed = false;
            for (Iterator<LocalJob> it = pending.iterator(); it.hasNext(); ) {
                LocalJob j = it.next();
                if (readiness(j) == Readiness.NEVER) {
                    it.remove();
                    end(j, JobState.CANCELLED, null, DEPENDENCY_NEVER_SATISFIED);
                    changed = true;   // its own dependents may now be decided
                }
            }
            for (Iterator<LocalJob> it = pending.iterator(); it.hasNext(); ) {
                LocalJob j = it.next();
                if (readiness(j) != Readiness.READY) {
                    continue;
                }
                if (j.group != null && j.group.running >= j.group.maxRunning) {
                    continue;   // its array's limit, not the machine, holds it: it does not hold the line
                }
                if (j.cpus > freeCpus || j.memory > freeMemory || j.submission.job().resources().gpus() > freeGpus.cardinality()) {
                    break;   // first ready job that does not fit holds the line
                }
                it.remove();
                launch(j);
            }
        }
    }

    private enum Readiness { WAITING, READY, NEVER }

    private static Readiness readiness(LocalJob j) {
        Readiness r = Readiness.READY;
        for (int i = 0; i < j.deps.size(); i++) {
            LocalJob dep = j.deps.get(i);
            if (!dep.state.isTerminal()) {
                r = Readiness.WAITING;
            } else if (!j.submission.dependencies().get(i).type().satisfiedBy(dep.state)) {
                return Readiness.NEVER;
            }
        }
        return r;
    }

    /** Reserves the job's resources and hands it to a launcher thread; under lock. */
    private void launch(LocalJob j) {
        int gpus = j.submission.job().resources().gpus();
        List<Integer> devices = new ArrayList<>();
        for (int g = freeGpus.nextSetBit(0); g >= 0 && devices.size() < gpus; g = freeGpus.nextSetBit(g + 1)) {
            devices.add(g);
        }
        freeCpus -= j.cpus;
        freeMemory -= j.memory;
        devices.forEach(freeGpus::clear);
        if (j.group != null) {
            j.group.running++;
        }
        j.gpus = devices;
        j.started = Instant.now();
        j.state = JobState.RUNNING;
        launchers.execute(() -> startProcess(j));
    }

    /** Gives back what {@link #launch} reserved; under lock. */
    private void release(LocalJob j) {
        freeCpus += j.cpus;
        freeMemory += j.memory;
        j.gpus.forEach(freeGpus::set);
        if (j.group != null) {
            j.group.running--;
        }
    }

    /** On a launcher thread, without the lock. */
    private void startProcess(LocalJob j) {
        Submission s = j.submission;
        Process p;
        try {
            p = processBuilder(j).start();
        } catch (IOException | RuntimeException e) {
            startFailed(j, e);
            return;
        }
        // started stays the moment the job got its slots (jobs start in that order), a moment
        // before its process. Off the slot's critical path, in order with this job's exitcode (same single thread).
        record(() -> writeQuietly(s.attemptDir(), RunDirectory.STARTED,
                j.started.getEpochSecond() + " " + host + " " + p.pid()));
        synchronized (lock) {
            j.process = p;
            if (closed) {
                Processes.killTree(p.toHandle(), true);
            } else if (j.stopping) {
                stop(j, j.stopState, j.stopReason);   // cancelled while it was being started
            } else {
                s.job().resources().walltime().ifPresent(limit ->
                        j.timer = timers.schedule(() -> onWalltime(j), limit.toMillis(), TimeUnit.MILLISECONDS));
            }
        }
        p.onExit().thenAcceptAsync(done -> onExit(j, done.exitValue()), events)
                .exceptionally(e -> {
                    LOG.log(Level.SEVERE, "local job " + j.id + " could not be ended", e);
                    return null;
                });
    }

    private void startFailed(LocalJob j, Exception e) {
        String reason = "cannot start: " + e.getMessage();
        Path dir = j.submission.attemptDir();
        try {
            // As for any ended job, the exit code file says so; stderr says why.
            writeQuietly(dir, RunDirectory.EXIT_CODE, Integer.toString(CANNOT_START_EXIT_CODE));
            appendQuietly(dir.resolve(RunDirectory.STDERR), "drover: " + reason);
        } finally {
            synchronized (lock) {
                release(j);
                j.exited = true;
                end(j, j.stopping ? j.stopState : JobState.FAILED, CANNOT_START_EXIT_CODE,
                        j.stopping ? j.stopReason : reason);
                if (!closed) {
                    schedule();   // its dependents are decided now
                }
            }
        }
    }

    /**
     * The process for a job. An argument-list job is exec'd directly, as its {@code script.sh}
     * would ({@code exec} of the same words, same environment, same directory), which saves a
     * shell per job; a script body, a job that sets {@code PATH} (the shell's {@code exec} would
     * look the program up in it) or whose working directory is missing (the script reports it)
     * runs {@code script.sh}.
     */
    private ProcessBuilder processBuilder(LocalJob j) {
        Submission s = j.submission;
        Job job = s.job();
        ProcessBuilder pb;
        File dir = s.attemptDir().toFile();
        Path workingDir = job.workingDir().map(w -> s.attemptDir().resolve(w)).orElse(null);
        boolean direct = !job.command().isEmpty() && !job.env().containsKey("PATH")
                && (workingDir == null || Files.isDirectory(workingDir));
        if (direct) {
            pb = new ProcessBuilder(job.command());
            if (workingDir != null) {
                dir = workingDir.toFile();
            }
        } else {
            pb = new ProcessBuilder(job.script().isPresent() ? "/bin/bash" : "/bin/sh", s.scriptPath().toString());
        }
        pb.directory(dir);
        Map<String, String> env = pb.environment();
        env.put("DROVER_JOB_ID", j.id);
        env.put("DROVER_JOB_NAME", job.name());
        env.put("DROVER_ATTEMPT_DIR", s.attemptDir().toString());
        if (!j.gpus.isEmpty()) {
            env.put("CUDA_VISIBLE_DEVICES", j.gpus.stream().map(String::valueOf).collect(Collectors.joining(",")));
        } else {
            env.remove("CUDA_VISIBLE_DEVICES");
        }
        if (direct) {
            env.putAll(job.env());   // after Drover's, as the script's exports come after them
        }
        pb.redirectInput(ProcessBuilder.Redirect.from(DEV_NULL));
        pb.redirectOutput(s.stdoutPath().toFile());
        pb.redirectError(s.stderrPath().toFile());
        return pb;
    }

    private void onWalltime(LocalJob j) {
        synchronized (lock) {
            if (j.state == JobState.RUNNING && !j.stopping && !j.exited) {
                stop(j, JobState.TIMEOUT, "walltime " + Walltime.formatWithDays(
                        j.submission.job().resources().walltime().orElseThrow()) + " reached");
            }
        }
    }

    /** TERM to the process tree now, KILL after the grace period; the end state is set when it exits. */
    private void stop(LocalJob j, JobState endState, String reason) {
        j.stopping = true;
        j.stopState = endState;
        j.stopReason = reason;
        List<ProcessHandle> signalled = Processes.killTree(j.process.toHandle(), false);
        timers.schedule(() -> Processes.killAll(signalled), killGrace.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * On the events thread. The slots are given back at once and the next jobs start; the job
     * itself turns terminal only after its exitcode file is written (on the records thread), so
     * that whoever sees it terminal finds the file, and its dependents start after that.
     */
    private void onExit(LocalJob j, int exitCode) {
        JobState state;
        String reason;
        synchronized (lock) {
            if (j.timer != null) {
                j.timer.cancel(false);
            }
            release(j);
            j.exited = true;
            j.ended = Instant.now();
            state = j.stopping ? j.stopState : exitCode == 0 ? JobState.COMPLETED : JobState.FAILED;
            reason = j.stopping ? j.stopReason : exitCode == 0 ? "" : "exit code " + exitCode;
            if (!closed) {
                schedule();
            }
        }
        record(() -> {
            try {
                // A failure (the job removed its own directory, a full disk) is logged and must not
                // keep the job RUNNING, hence the finally.
                writeQuietly(j.submission.attemptDir(), RunDirectory.EXIT_CODE, Integer.toString(exitCode));
            } finally {
                ended(j, state, exitCode, reason);
            }
        });
    }

    private void ended(LocalJob j, JobState state, int exitCode, String reason) {
        // No descendants() scan here: by the time onExit runs, the kernel has re-parented any child
        // the job left behind to init, so the scan of every process in /proc (0.5-1 ms a job, under
        // the lock) never found one; it could only hit a stranger that reused the pid.
        synchronized (lock) {
            end(j, state, exitCode, reason);
            if (!closed) {
                schedule();
            }
        }
    }

    /** Runs a record write on the records thread, or here once the scheduler is closed. */
    private void record(Runnable write) {
        try {
            records.execute(write);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            write.run();
        }
    }

    private void end(LocalJob j, JobState state, Integer exitCode, String reason) {
        j.state = state;
        j.exitCode = exitCode;
        j.reason = reason;
        if (j.ended == null) {
            j.ended = Instant.now();   // a job that ran ended when its process did
        }
    }

    /**
     * Writes a small record file of a local job's run directory: atomic, not synced (a local job
     * lives and dies with this JVM). A failure is logged, never thrown: the record follows the
     * job's state, it must never stop a state change.
     */
    private static boolean writeQuietly(Path dir, String name, String content) {
        try {
            AtomicFiles.writeUnsynced(dir.resolve(name), (content + "\n").getBytes(StandardCharsets.UTF_8));
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "cannot write " + dir.resolve(name) + ": " + e);
            return false;
        }
    }

    private static void appendQuietly(Path file, String line) {
        try {
            Files.writeString(file, line + "\n", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "cannot write " + file + ": " + e);
        }
    }

    /** The tasks of one array submitted with a limit on running tasks; guarded by the scheduler's lock. */
    private static final class ArrayGroup {
        final int maxRunning;
        int running;

        ArrayGroup(int maxRunning) {
            this.maxRunning = maxRunning;
        }
    }

    /** One job's state; fields guarded by the scheduler's lock. */
    private static final class LocalJob {
        final String id;
        final Submission submission;
        final int cpus;
        final long memory;
        final List<LocalJob> deps;
        final ArrayGroup group;
        JobState state = JobState.PENDING;
        Process process;
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

    /**
     * Configures a LocalScheduler; defaults: every cpu and all physical memory of this machine,
     * no gpu, 5 s between TERM and KILL.
     */
    public static final class Builder {
        private int cpus = Runtime.getRuntime().availableProcessors();
        private long memory = physicalMemory();
        private int gpus;
        private Duration killGrace = Duration.ofSeconds(5);

        private Builder() {}

        /** Cpus to share among jobs. */
        public Builder cpus(int cpus) {
            if (cpus < 1) {
                throw new IllegalArgumentException("cpus must be at least 1, got " + cpus);
            }
            this.cpus = cpus;
            return this;
        }

        /** Memory to share among jobs that ask for memory. */
        public Builder memory(String memory) {
            this.memory = Memory.parse(memory).bytes();
            return this;
        }

        /** Gpus (devices 0..n-1) to share among jobs. */
        public Builder gpus(int gpus) {
            if (gpus < 0) {
                throw new IllegalArgumentException("gpus must be 0 or more, got " + gpus);
            }
            this.gpus = gpus;
            return this;
        }

        /** Time between TERM and KILL when a job is cancelled or reaches its walltime. */
        public Builder killGrace(Duration grace) {
            if (grace == null || grace.isNegative()) {
                throw new IllegalArgumentException("killGrace must be 0 or more, got " + grace);
            }
            this.killGrace = grace;
            return this;
        }

        public LocalScheduler build() {
            return new LocalScheduler(this);
        }

        private static long physicalMemory() {
            java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
            if (os instanceof com.sun.management.OperatingSystemMXBean) {
                return ((com.sun.management.OperatingSystemMXBean) os).getTotalMemorySize();
            }
            return 1L << 32;
        }
    }
}
