package org.drover.local;

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
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.drover.Job;
import org.drover.Memory;
import org.drover.Resources;
import org.drover.Walltime;
import org.drover.internal.IoErrors;
import org.drover.internal.Plural;
import org.drover.internal.Processes;
import org.drover.scheduler.JobScript;
import org.drover.scheduler.JobState;
import org.drover.scheduler.JobStatus;
import org.drover.scheduler.RunDirectory;
import org.drover.scheduler.Scheduler;
import org.drover.scheduler.SchedulerException;
import org.drover.scheduler.Submission;
import org.drover.shell.LocalShell;
import org.drover.shell.Shell;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 *   <li>Jobs are started by a fork server: one python3 process, started with the first job, that
 *       spawns each job in its own process group (one exec per job, where the JDK's default
 *       launch costs two) and writes the job's {@code started} and {@code exitcode} records
 *       itself. When a job's main process ends, whatever it left running in its process group is
 *       killed, as SLURM does at the end of a job. If the fork server dies, the jobs it ran are
 *       killed and end {@link JobState#LOST}, and the next job starts a new one. Without python3
 *       on the PATH jobs are started with {@link ProcessBuilder} (then background processes a job
 *       leaves are not ended, and its records are written by this JVM).</li>
 *   <li>Jobs outlive this object and its JVM, on purpose: {@link #close()} detaches (running jobs
 *       go on, the fork server writes their records and exits after the last one; jobs still
 *       waiting for slots never start), and only {@link #cancel} stops a job. The fork server
 *       leads its own session, so a terminal's Ctrl-C to the JVM does not reach the jobs.</li>
 *   <li>A LocalScheduler in a later JVM finds those jobs again when a manager
 *       {@link #reattach re-attaches}: a live process (pid and start time, so a reused pid is never
 *       taken for it) is RUNNING and followed, keeps its slots and has its walltime enforced; an
 *       ended one has its exit code; one whose process is gone without an exit code, or that never
 *       started, is {@link JobState#LOST}. Job ids ({@code <jvm pid>.<n>}) are never reused by
 *       another scheduler of the same JVM.</li>
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
    private static final Logger LOG = LoggerFactory.getLogger(LocalScheduler.class);
    private static final File DEV_NULL = new File("/dev/null");

    private final int totalCpus;
    private final long totalMemory;
    private final int totalGpus;
    private final Shell shell = LocalShell.create();
    private final String host;
    private final ForkServers forkServers;

    private final Object lock = new Object();
    private final Map<String, LocalJob> jobs = new HashMap<>();
    private final List<LocalJob> pending = new ArrayList<>();
    /** What is free of the cpus, memory and gpus; guarded by lock. */
    private final Slots slots;
    /** Ids are unique among all LocalSchedulers of this JVM, and carry its pid to differ from an earlier JVM's. */
    private static final AtomicLong NEXT_ID = new AtomicLong(1);
    private static final String ID_PREFIX = ProcessHandle.current().pid() + ".";
    private final Map<String, String> idByToken = new HashMap<>();
    private final AdoptedJobs adopted;
    private final ScheduledExecutorService timers;
    private final JobSignals signals;
    private final java.util.concurrent.ExecutorService events;
    private final java.util.concurrent.ExecutorService launchers;
    private final JobRecords records = new JobRecords();
    private boolean closed;

    private LocalScheduler(Builder b) {
        this.totalCpus = b.cpus;
        this.totalMemory = b.memory;
        this.totalGpus = b.gpus;

        this.forkServers = new ForkServers(b.forkServer, new ForkServerEvents());
        this.slots = new Slots(totalCpus, totalMemory, totalGpus);
        // Neither is shut down by close(): jobs outlive it, and their exits, walltimes and kills are
        // still handled while this JVM lives. Their threads end when idle.
        java.util.concurrent.ScheduledThreadPoolExecutor timerPool = new java.util.concurrent.ScheduledThreadPoolExecutor(1,
                r -> {
                    Thread t = new Thread(r, "drover-local-timers");
                    t.setDaemon(true);
                    return t;
                });
        timerPool.setRemoveOnCancelPolicy(true);
        timerPool.setKeepAliveTime(30, TimeUnit.SECONDS);
        timerPool.allowCoreThreadTimeOut(true);
        this.timers = timerPool;
        this.signals = new JobSignals(timers, b.killGrace);
        java.util.concurrent.ThreadPoolExecutor eventPool = new java.util.concurrent.ThreadPoolExecutor(1, 1, 30,
                TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "drover-local-events");
                    t.setDaemon(true);
                    return t;
                });
        eventPool.allowCoreThreadTimeOut(true);
        this.events = eventPool;
        this.adopted = new AdoptedJobs(lock, slots, timers, b.killGrace, this::signalGroup, () -> {
            synchronized (lock) {
                if (!closed) {
                    schedule();   // the slots of an adopted job that ended are free
                }
            }
        });
        // Processes start here, not under the lock: a start costs milliseconds (fork, exec), and
        // two slots freed together start their next jobs in parallel.
        this.launchers = Executors.newFixedThreadPool(Math.max(1, Math.min(totalCpus, 4)), r -> {
            Thread t = new Thread(r, "drover-local-launcher");
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

    /**
     * A LocalScheduler with all cpus and memory of this machine and no gpu.
     *
     * @return a LocalScheduler with all cpus and memory of this machine and no gpu
     */
    public static LocalScheduler create() {
        return builder().build();
    }

    /**
     * A builder: set cpus, memory, gpus and the kill grace, then {@link Builder#build()}.
     *
     * @return a new builder
     */
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

    /**
     * How many cpus jobs may reserve at once.
     *
     * @return the cpus
     */
    public int cpus() {
        return totalCpus;
    }

    /**
     * How much memory jobs may reserve at once.
     *
     * @return the memory in bytes
     */
    public long memoryBytes() {
        return totalMemory;
    }

    /**
     * How many gpus jobs may reserve at once.
     *
     * @return the gpus
     */
    public int gpus() {
        return totalGpus;
    }

    /** Yes: dependencies on the ids this scheduler gave (not on jobs it only re-attached). */
    @Override
    public boolean supportsDependencies() {
        return true;
    }

    /** Yes: the fork server (or this JVM) writes {@code started} and {@code exitcode}. */
    @Override
    public boolean recordsExitCodes() {
        return true;
    }

    /** Yes: {@link #submitArray} keeps the array's running limit itself. */
    @Override
    public boolean supportsArrays() {
        return true;
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
            throw new SchedulerException("cannot write the script of job '" + job.name() + "': " + IoErrors.describe(e),
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
                            + job.name() + "': " + IoErrors.describe(e), false, e);
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
        LocalJob lj = new LocalJob(ID_PREFIX + NEXT_ID.getAndIncrement(), s, r.cpus() * r.tasks(),
                r.memory().map(Memory::bytes).orElse(0L), deps, group);
        jobs.put(lj.id, lj);
        idByToken.put(s.token(), lj.id);
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
                JobStatus s = j != null ? j.status() : adopted.status(id);
                result.put(id, s != null ? s : JobStatus.notFound(id, "unknown to this local scheduler"));
            }
        }
        return result;
    }

    @Override
    public void cancel(Collection<String> ids) {
        synchronized (lock) {
            for (String id : ids) {
                LocalJob j = jobs.get(id);
                if (j == null) {
                    adopted.cancel(id);
                    continue;
                }
                if (j.state.isTerminal() || j.exited) {
                    continue;
                }
                if (j.state == JobState.PENDING) {
                    pending.remove(j);
                    end(j, JobState.CANCELLED, null, "cancelled");
                } else if (!j.stopping) {
                    if (j.process != null || j.pid > 0) {
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

    /**
     * Cancels every job this scheduler holds that has not ended, waiting or running, including
     * those it {@link #reattach re-attached}: what {@code close()} does not do.
     */
    public void cancelAll() {
        List<String> live;
        synchronized (lock) {
            live = jobs.values().stream().filter(j -> !j.state.isTerminal()).map(j -> j.id).collect(Collectors.toList());
            live.addAll(adopted.runningIds());
        }
        cancel(live);
    }

    /**
     * Finds jobs an earlier LocalScheduler started from their attempt directories (see the class
     * comment), so that {@link #status}, {@link #findByTokens} and {@link #cancel} answer for them.
     * Attempts this scheduler submitted itself are left as they are.
     */
    @Override
    public void reattach(Collection<KnownAttempt> attempts) {
        synchronized (lock) {
            for (KnownAttempt k : attempts) {
                if (k.jobId() != null ? jobs.containsKey(k.jobId()) : idByToken.containsKey(k.token())) {
                    continue;
                }
                adopted.adopt(k, () -> ID_PREFIX + NEXT_ID.getAndIncrement());
            }
        }
    }

    @Override
    public Optional<String> findByToken(String token) {
        synchronized (lock) {
            String id = idByToken.get(token);
            return id != null ? Optional.of(id) : adopted.idOf(token);
        }
    }

    /**
     * Detaches: no new job starts, running jobs go on (their records are still written, their
     * walltime still enforced while this JVM lives), jobs still waiting for slots never start.
     * Only {@link #cancel} or {@link #cancelAll} stops jobs.
     */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
        }
        forkServers.close();   // it exits once its jobs have, writing their records
        launchers.shutdown();
        records.shutdown();
    }

    /** Signals a process group (an adopted job's): through a fork server where one can run. */
    private void signalGroup(long pgid, boolean forcibly) {
        ForkServer fs = closed ? null : forkServers.get();
        if (fs != null) {
            try {
                fs.signal(pgid, forcibly ? "KILL" : "TERM");
                return;
            } catch (IOException e) {
                LOG.debug("fork server cannot signal group " + pgid, e);
            }
        }
        ProcessHandle.of(pgid).ifPresent(h -> Processes.killTree(h, forcibly));
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
                if (!slots.fits(j)) {
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
        slots.reserve(j);
        j.started = Instant.now();
        j.state = JobState.RUNNING;
        launchers.execute(() -> startProcess(j));
    }

    /** Gives back what {@link #launch} reserved; under lock. */
    private void release(LocalJob j) {
        slots.release(j);
    }

    /** On a launcher thread, without the lock. */
    private void startProcess(LocalJob j) {
        if (forkServers.enabled() && startWithForkServer(j)) {
            return;
        }
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
        records.later(() -> JobRecords.write(s.attemptDir(), RunDirectory.STARTED, new StartedRecord(j.started, host,
                p.pid(), ProcessIdentity.startTicks(p.pid()), j.gpus).line()));
        synchronized (lock) {
            j.process = p;
            if (j.stopping) {
                stop(j, j.stopState, j.stopReason);   // cancelled while it was being started
            } else {
                s.job().resources().walltime().ifPresent(limit ->
                        j.timer = timers.schedule(() -> onWalltime(j), limit.toMillis(), TimeUnit.MILLISECONDS));
            }
        }
        p.onExit().thenAcceptAsync(done -> onExit(j, done.exitValue(), true), events)
                .exceptionally(e -> {
                    LOG.error("local job " + j.id + " could not be ended", e);
                    return null;
                });
    }

    /**
     * Asks the fork server to start the job, as {@link #processBuilder} would (same program, words,
     * directory, environment and files); its reports arrive at {@link ForkServerEvents}.
     *
     * @return false if the job must be started with ProcessBuilder instead: no fork server could be
     *     started, or a value holds NUL (ProcessBuilder then reports why it cannot start)
     */
    private boolean startWithForkServer(LocalJob j) {
        Submission s = j.submission;
        LaunchPlan plan = LaunchPlan.of(j, text -> true);   // fields go as UTF-8
        List<String> env = new ArrayList<>(plan.env().size());
        plan.env().forEach((k, v) -> env.add(k + "=" + v));
        List<String> unset = plan.unset();
        List<String> argv = plan.argv();
        Path dir = plan.dir();
        if (!ForkServer.canCarry(argv) || !ForkServer.canCarry(env) || !ForkServer.canCarry(List.of(dir.toString(),
                s.stdoutPath().toString(), s.stderrPath().toString()))) {
            return false;
        }
        for (int attempt = 0; attempt < 2; attempt++) {
            ForkServer fs = forkServers.get();
            if (fs == null) {
                return false;
            }
            synchronized (lock) {
                if (j.exited) {
                    return true;
                }
                j.server = fs;
            }
            try {
                fs.launch(j.id, dir, s.stdoutPath(), s.stderrPath(), s.attemptDir(), StartedRecord.tail(j.gpus), unset,
                        env, argv);
                return true;
            } catch (IOException e) {
                // It died (its reader ends the jobs it had); once more with a new one.
                LOG.warn("fork server " + fs.pid() + " did not take job " + j.id + ": " + e);
                synchronized (lock) {
                    if (j.exited) {
                        return true;
                    }
                    j.server = null;
                }
                forkServers.forget(fs);
            }
        }
        return false;
    }

    /** The pid of the current fork server, if one runs; for tests. */
    java.util.OptionalLong forkServerPid() {
        return forkServers.pid();
    }

    /** The fork server's reports, on its reader thread. */
    private final class ForkServerEvents implements ForkServer.Listener {
        @Override
        public void started(String id, long pid) {
            LocalJob j;
            synchronized (lock) {
                j = jobs.get(id);
                if (j == null) {
                    return;
                }
                j.pid = pid;
                if (j.exited) {
                    signals.killGroup(j, true);   // lost while it was being started
                    return;
                }
            }
            Submission s = j.submission;
            // The fork server wrote its started record.
            synchronized (lock) {
                if (j.exited) {
                    return;
                }
                if (j.stopping) {
                    stop(j, j.stopState, j.stopReason);   // cancelled while it was being started
                } else {
                    s.job().resources().walltime().ifPresent(limit ->
                            j.timer = timers.schedule(() -> onWalltime(j), limit.toMillis(), TimeUnit.MILLISECONDS));
                }
            }
        }

        @Override
        public void cannotStart(String id, String what) {
            synchronized (lock) {
                LocalJob j = jobs.get(id);
                if (j != null) {
                    j.cannotStart = what;
                }
            }
        }

        @Override
        public void exited(String id, int status) {
            LocalJob j;
            String why;
            synchronized (lock) {
                j = jobs.get(id);
                if (j == null || j.exited) {
                    return;
                }
                if (j.timer != null) {
                    j.timer.cancel(false);
                }
                why = j.cannotStart;
            }
            if (why == null) {
                onExit(j, status, false);   // the fork server wrote its exitcode record
                return;
            }
            Submission s = j.submission;
            String reason;
            switch (why) {
                case "dir":
                    reason = "cannot change to directory " + s.attemptDir();
                    break;
                case "stdout":
                    reason = "cannot open the stdout file " + s.stdoutPath();
                    break;
                case "stderr":
                    reason = "cannot open the stderr file " + s.stderrPath();
                    break;
                case "env":
                    reason = "cannot set its environment";
                    break;
                default:
                    String program = s.job().command().isEmpty() ? "/bin/sh" : s.job().command().get(0);
                    reason = "cannot run program \"" + program + "\": not found or not executable";
                    break;
            }
            // Written on the records thread, after the started file it replaces.
            records.later(() -> {
                try {
                    Files.deleteIfExists(s.attemptDir().resolve(RunDirectory.STARTED));
                } catch (IOException | RuntimeException e) {
                    LOG.warn("cannot delete the started file of job " + j.id + ": " + e);
                }
                startFailed(j, reason);
            });
        }

        @Override
        public void serverEnded(ForkServer server, int exitCode) {
            forkServers.forget(server);
            synchronized (lock) {
                if (closed || server.closing()) {
                    return;
                }
                LOG.warn("fork server " + server.pid() + " died (exit code " + exitCode + ")");
                for (LocalJob j : jobs.values()) {
                    if (j.server != server || j.exited || j.state.isTerminal()) {
                        continue;
                    }
                    if (j.timer != null) {
                        j.timer.cancel(false);
                    }
                    if (j.pid > 0) {
                        ProcessHandle.of(j.pid).ifPresent(h -> Processes.killTree(h, true));
                    }
                    release(j);
                    j.exited = true;
                    end(j, JobState.LOST, null, "lost: the fork server (pid " + server.pid() + ") that started it died"
                            + " (exit code " + exitCode + "); " + (j.pid > 0 ? "its process " + j.pid + " was killed"
                            : "it may not have started"));
                }
                schedule();
            }
        }
    }

    private void startFailed(LocalJob j, Exception e) {
        startFailed(j, e.getMessage());
    }

    private void startFailed(LocalJob j, String why) {
        String reason = "cannot start: " + why;
        Path dir = j.submission.attemptDir();
        try {
            // As for any ended job, the exit code file says so; stderr says why.
            JobRecords.write(dir, RunDirectory.EXIT_CODE, Integer.toString(CANNOT_START_EXIT_CODE));
            JobRecords.append(dir.resolve(RunDirectory.STDERR), "drover: " + reason);
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

    /** The process for a job, as its {@link LaunchPlan} says. */
    private static ProcessBuilder processBuilder(LocalJob j) {
        Submission s = j.submission;
        LaunchPlan plan = LaunchPlan.of(j, NativeText::carries);
        ProcessBuilder pb = new ProcessBuilder(plan.argv());
        pb.directory(plan.dir().toFile());
        Map<String, String> env = pb.environment();
        plan.unset().forEach(env::remove);
        env.putAll(plan.env());
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
        signals.terminate(j);
    }

    /**
     * On the events thread. The slots are given back at once and the next jobs start; the job
     * itself turns terminal only after its exitcode file is written (on the records thread), so
     * that whoever sees it terminal finds the file, and its dependents start after that.
     */
    private void onExit(LocalJob j, int exitCode, boolean writeRecord) {
        JobState state;
        String reason;
        synchronized (lock) {
            if (j.exited) {
                return;   // ended already: its fork server was declared dead
            }
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
        if (!writeRecord) {
            ended(j, state, exitCode, reason);
            return;
        }
        records.later(() -> {
            try {
                // A failure (the job removed its own directory, a full disk) is logged and must not
                // keep the job RUNNING, hence the finally.
                JobRecords.write(j.submission.attemptDir(), RunDirectory.EXIT_CODE, Integer.toString(exitCode));
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

    private void end(LocalJob j, JobState state, Integer exitCode, String reason) {
        j.state = state;
        j.exitCode = exitCode;
        j.reason = reason;
        if (j.ended == null) {
            j.ended = Instant.now();   // a job that ran ended when its process did
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
        private boolean forkServer = true;

        private Builder() {}

        /** Whether jobs start through a fork server (the default) or each with ProcessBuilder; for tests. */
        Builder forkServer(boolean use) {
            this.forkServer = use;
            return this;
        }

        /**
         * Cpus to share among jobs.
         *
         * @param cpus the number of cpus (1 or more)
         * @return this builder
         */
        public Builder cpus(int cpus) {
            if (cpus < 1) {
                throw new IllegalArgumentException("cpus must be at least 1, got " + cpus);
            }
            this.cpus = cpus;
            return this;
        }

        /**
         * Memory to share among jobs that ask for memory.
         *
         * @param memory the memory, e.g. {@code 4G} or {@code 512M}
         * @return this builder
         */
        public Builder memory(String memory) {
            this.memory = Memory.parse(memory).bytes();
            return this;
        }

        /**
         * Gpus (devices 0..n-1) to share among jobs.
         *
         * @param gpus the number of gpus (0 or more)
         * @return this builder
         */
        public Builder gpus(int gpus) {
            if (gpus < 0) {
                throw new IllegalArgumentException("gpus must be 0 or more, got " + gpus);
            }
            this.gpus = gpus;
            return this;
        }

        /**
         * Time between TERM and KILL when a job is cancelled or reaches its walltime.
         *
         * @param grace the grace period
         * @return this builder
         */
        public Builder killGrace(Duration grace) {
            if (grace == null || grace.isNegative()) {
                throw new IllegalArgumentException("killGrace must be 0 or more, got " + grace);
            }
            this.killGrace = grace;
            return this;
        }

        /**
         * The scheduler; it starts no process until the first job.
         *
         * @return the scheduler
         */
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

    /**
     * Its capacity and what it runs now.
     *
     * @return e.g. {@code LocalScheduler[2 cpus, 23.5G memory, no gpu; 1 running, 3 queued; fork server]}
     */
    @Override
    public String toString() {
        int running;
        int queued;
        synchronized (lock) {
            queued = pending.size();
            running = adopted.running();
            for (LocalJob j : jobs.values()) {
                if (j.state == JobState.RUNNING) {
                    running++;
                }
            }
        }
        return String.format(Locale.ROOT, "LocalScheduler[%s, %.1fG memory, %s; %d running, %d queued; %s%s]",
                Plural.of(totalCpus, "cpu"), totalMemory / (double) (1L << 30), totalGpus == 0 ? "no gpu" : Plural.of(totalGpus, "gpu"),
                running, queued, forkServers.enabled() ? "fork server" : "ProcessBuilder", closed ? "; closed" : "");
    }
}
