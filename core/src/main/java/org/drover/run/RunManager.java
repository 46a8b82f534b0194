package org.drover.run;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.drover.Bundle;
import org.drover.DependencyType;
import org.drover.DroverException;
import org.drover.Job;
import org.drover.Sweep;
import org.drover.internal.Plural;
import org.drover.report.Timeline;
import org.drover.scheduler.JobState;
import org.drover.scheduler.RunDirectory;
import org.drover.scheduler.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a bundle to the end on a {@link Scheduler}: submits tasks in dependency order, keeps at
 * most {@code maxSimultaneousJobs} in the queue, polls all of them with one batched status query,
 * resubmits crashed attempts under a {@link RetryPolicy}, skips tasks already done, and persists
 * every transition in a {@link RunStore} so that a new manager on the same store re-attaches.
 *
 * <p>The manager keeps the dependency graph itself: a task is submitted only once all its
 * dependencies ended as its {@link DependencyType} requires, so a retried dependency never leaves a
 * dependent waiting on the id of a dead attempt.
 *
 * <p>A job missing from the scheduler's answer is confirmed through the attempt's {@code exitcode}
 * file; if it stays unknown longer than {@code lostAfter}, the attempt is {@link JobState#LOST}
 * (retried by default). A failed or garbled status query never fails a task.
 *
 * <p>A new manager on a store whose run has ended completes at once, unless
 * {@link Builder#rerun(Rerun)} chooses tasks to run again (failed, cancelled, by name or predicate),
 * keeping their attempts. A store whose tasks ran with another definition of their job than the
 * bundle's now is refused, naming each task and what changed, unless {@link Rerun#changed()} is chosen.
 *
 * <pre>{@code
 * try (Scheduler slurm = SlurmScheduler.create()) {
 *     RunManager run = RunManager.of(bundle).on(slurm)
 *             .store(Path.of("runs/study.json"))
 *             .retry(RetryPolicy.builder().withMaxAttempts(3).build())
 *             .maxSimultaneousJobs(100)
 *             .start();
 *     RunReport end = run.awaitCompletion();
 *     System.out.println(end);          // a table: task, params, attempt, job id, state, exit, elapsed, reason
 *     run.task("train_3").stderrTail(10);   // one task's results
 * }
 * }</pre>
 */
public final class RunManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RunManager.class);
    private static final String CANCELLED_BY_MANAGER = "cancelled by the run manager";

    // The parts, each with one job; all of them work under the lock, on the one table.
    private final RunSettings settings;
    private final TaskTable table = new TaskTable();
    private final TaskDecisions decisions;
    private final StatusObserver observer;
    private final SubmitQueue submitQueue;
    private final RunPersistence persistence;
    private final OutdatedAttempts outdated;
    private final RunEvents events;
    /** Where and how often the timeline is written, or null if the builder asked for none. */
    private final TimelineSchedule timeline;

    private final Object lock = new Object();
    private final CompletableFuture<RunReport> completion = new CompletableFuture<>();
    private Instant lastProgress = Instant.EPOCH;
    private volatile Thread loop;
    private volatile boolean stopping;

    private RunManager(Builder b) {
        this.settings = new RunSettings(b.bundle, Objects.requireNonNull(b.scheduler, "scheduler: call on(scheduler)"),
                b.store, b.runsRoot, b.retry, b.maxSimultaneous, b.pollInterval, b.lostAfter, b.progressEvery,
                b.doneCheck, b.rerun);
        this.events = new RunEvents(b.listeners);
        this.decisions = new TaskDecisions(settings, table, events);
        this.observer = new StatusObserver(settings, table, decisions, events);
        this.persistence = new RunPersistence(settings, table, decisions, events);
        this.submitQueue = new SubmitQueue(settings, table, decisions, events, persistence);
        this.outdated = new OutdatedAttempts(settings, table, decisions);
        this.timeline = b.timelineFile == null ? null : new TimelineSchedule(b.timelineFile, b.timelineEvery);
    }

    /**
     * A manager for this bundle; configure it, then {@link Builder#start()}.
     *
     * @param bundle the bundle
     * @return a manager for this bundle; configure it, then {@link Builder#start()}
     */
    public static Builder of(Bundle bundle) {
        return new Builder(Objects.requireNonNull(bundle, "bundle"));
    }

    /**
     * A manager for one job.
     *
     * @param job the job
     * @return a manager for one job
     */
    public static Builder of(Job job) {
        return of(Bundle.named(job.name()).add(job));
    }

    /**
     * A manager for a sweep's jobs.
     *
     * @param sweep the sweep
     * @return a manager for a sweep's jobs
     */
    public static Builder of(Sweep sweep) {
        return of(Bundle.named(sweep.name()).add(sweep));
    }

    // ------------------------------------------------------------------ life cycle

    /**
     * Starts polling in a background thread (idempotent).
     *
     * @return this manager
     */
    public RunManager start() {
        synchronized (lock) {
            initialize();
            if (loop == null && !completion.isDone()) {
                loop = new Thread(this::runLoop, "drover-run-" + settings.bundle().name());
                loop.setDaemon(true);
                loop.start();
            }
        }
        return this;
    }

    private void initialize() {
        if (!table.initialized) {
            persistence.initialize();
        }
    }

    private void runLoop() {
        String name = settings.bundle().name();
        String lastFailure = null;
        int repeats = 0;
        long backoffMs = 0;
        while (!stopping && !completion.isDone()) {
            long started = System.nanoTime();
            try {
                step();
                if (lastFailure != null) {
                    int times = repeats + 1;
                    LOG.atWarn().log(() -> "run " + name + ": steps work again, after " + Plural.of(times, "failure"));
                    lastFailure = null;
                    repeats = 0;
                    backoffMs = 0;
                }
            } catch (RuntimeException e) {
                // A step never fails the run: the next one tries again (store or scheduler hiccup). The
                // same failure again (an unwritable store, say) is one line, not a stack trace per poll,
                // and the steps back off, up to a minute apart.
                String what = String.valueOf(e);
                if (what.equals(lastFailure)) {
                    repeats++;
                    int times = repeats + 1;
                    if (Long.bitCount(times) == 1) {   // the 2nd, 4th, 8th... time
                        LOG.atWarn().log(() -> "run " + name + ": step failed again (" + times + " times in a row): "
                                + what);
                    }
                } else {
                    LOG.warn("run " + name + ": step failed, trying again: " + e, e);
                    lastFailure = what;
                    repeats = 0;
                }
                backoffMs = Math.min(60_000, Math.max(settings.pollInterval().toMillis(), backoffMs * 2));
            } catch (Error e) {
                // Not to be retried (out of memory, a bug): end the run visibly instead of a silent dead thread.
                LOG.error("run " + name + ": stopped by " + e, e);
                completion.completeExceptionally(e);
                return;
            }
            if (completion.isDone()) {
                break;
            }
            // Fixed rate: the next poll is one interval after this one began, not after it ended.
            long waitMs = Math.max(settings.pollInterval().toMillis(), backoffMs)
                    - (System.nanoTime() - started) / 1_000_000;
            synchronized (lock) {
                try {
                    lock.wait(Math.max(1, waitMs));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * One cycle, for callers that drive the manager themselves instead of {@link #start()}: poll all
     * active attempts in one status query, decide for each, submit what may run, save the store.
     *
     * @return whether every task has ended
     */
    public boolean step() {
        synchronized (lock) {
            initialize();
            if (completion.isDone()) {
                return true;
            }
            Instant now = Instant.now();
            submitQueue.resolveUnrecorded(now);
            outdated.cancel();   // attempts of an earlier job definition (Rerun.changed()): once each
            observer.poll(now);
            decisions.recheckDone(now);
            // After the poll, so that an attempt seen ending now with no backoff is resubmitted now.
            while (!table.retrying.isEmpty() && !table.retrying.peek().retryAt().isAfter(now)) {
                Task t = table.retrying.poll();
                t.set(TaskState.WAITING, t.reason(), null);
                table.enqueue(t);
            }
            submitQueue.submitReady(now);
            if (table.dirty) {
                persistence.save();
            }
            cancelWithdrawn();
            logProgress(now);
            if (table.unfinished == 0) {
                if (table.dirty) {
                    persistence.save();
                }
                if (timeline != null) {   // before completion: awaitCompletion() returns with the final page written
                    timeline.write(now, this::timeline);
                }
                assert table.countsAreRight() : "stateCounts differ from the records";
                RunReport end = RunReport.of(settings, Instant.now(), table.records().clone(),
                        table.stateCounts);
                LOG.atInfo().log(() -> "run finished: " + end.summary());
                settings.store().close();
                events.fire(l -> l.progressed(end));
                completion.complete(end);
                lock.notifyAll();
                return true;
            }
            if (events.any()) {
                RunReport progress = RunReport.of(settings, now, table.records().clone(), table.stateCounts);
                events.fire(l -> l.progressed(progress));
            }
            if (timeline != null) {
                timeline.maybeWrite(now, this::timeline);
            }
            return false;
        }
    }

    /** Cancels, in one call, the attempts withdrawn or made hopeless this step (after the store says so). */
    private void cancelWithdrawn() {
        if (table.cancels.isEmpty()) {
            return;
        }
        List<String> ids = new ArrayList<>(table.cancels);
        table.cancels.clear();
        try {
            settings.scheduler().cancel(ids);
        } catch (RuntimeException e) {
            // They wait on a dependency that can never be satisfied: the scheduler ends them itself.
            LOG.atWarn().log(() -> "cancel of withdrawn jobs " + ids + " failed: " + e);
        }
    }

    /**
     * Completes with the final report when every task has ended (or exceptionally if the manager
     * stopped on an error). Completing or cancelling the returned future does not affect the run.
     *
     * @return a future of the final report; completing it does not stop the run
     */
    public CompletableFuture<RunReport> completion() {
        return completion.copy();
    }

    /**
     * Waits until every task has ended, starting the manager if needed.
     *
     * @return the final report
     */
    public RunReport awaitCompletion() {
        start();
        try {
            return completion.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DroverException("interrupted while waiting for run " + settings.bundle().name(), e);
        } catch (ExecutionException e) {
            throw new DroverException("run " + settings.bundle().name() + " failed: " + e.getCause(), e.getCause());
        }
    }

    /**
     * Waits at most {@code timeout}.
     *
     * @return the final report
     * @throws DroverException if the run has not finished by then (it goes on)
     * @param timeout how long to wait at most
     */
    public RunReport awaitCompletion(Duration timeout) {
        start();
        try {
            return completion.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new DroverException("run " + settings.bundle().name() + " not finished after " + timeout + ": "
                    + report().summary());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DroverException("interrupted while waiting for run " + settings.bundle().name(), e);
        } catch (ExecutionException e) {
            throw new DroverException("run " + settings.bundle().name() + " failed: " + e.getCause(), e.getCause());
        }
    }

    /** Cancels every attempt in the queue (one batched call) and every task not yet submitted. */
    public void cancel() {
        synchronized (lock) {
            initialize();
            Scheduler scheduler = settings.scheduler();
            List<String> ids = new ArrayList<>();
            for (Task t : table.active) {
                ids.add(t.last().jobId());
            }
            if (!table.unresolved.isEmpty()) {   // a job may exist: find it so that it is cancelled too
                List<String> tokens = new ArrayList<>();
                for (Task t : table.unresolved) {
                    tokens.add(t.last().token());
                }
                try {
                    ids.addAll(scheduler.findByTokens(tokens).values());
                } catch (RuntimeException e) {
                    LOG.atWarn().log(() -> "cannot tell whether these submissions reached the scheduler, so they may keep "
                            + "running (tokens " + tokens + "): " + e.getMessage());
                }
            }
            table.unresolved.clear();
            table.checking.clear();
            if (!ids.isEmpty()) {
                scheduler.cancel(ids);
            }
            Instant now = Instant.now();
            for (Task t : table.active) {
                AttemptRecord a = t.last();
                t.setLast(a.endedAs(now, JobState.CANCELLED, CANCELLED_BY_MANAGER, a.exitCode()));
                decisions.finish(t, TaskState.CANCELLED, CANCELLED_BY_MANAGER);
            }
            table.active.clear();
            for (Task t : table.tasks) {
                decisions.finish(t, TaskState.CANCELLED, CANCELLED_BY_MANAGER);   // no-op for the tasks that ended
            }
            for (Task t : table.ready) {
                t.queued = false;
            }
            table.ready.clear();
            table.retrying.clear();
            table.dirty = true;
        }
        step();
    }

    /**
     * Stops polling and releases the store (the jobs stay in the queue; a new manager on the same
     * store re-attaches).
     */
    @Override
    public void close() {
        stopping = true;
        synchronized (lock) {
            lock.notifyAll();
        }
        Thread t = loop;
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (lock) {
            settings.store().close();   // another manager may now take the store over
        }
    }

    /**
     * The run directory (created on start).
     *
     * @return the run directory (created on start)
     */
    public RunDirectory runDirectory() {
        synchronized (lock) {
            initialize();
            return table.runDirectory;
        }
    }

    // ------------------------------------------------------------------ what the run looks like

    /**
     * The record the store holds, as of now. Cheap at any size: each task's record is the very
     * object the manager keeps as that task's state (records are replaced, never changed), so this
     * only gathers references.
     *
     * @return the record the store holds, as of now
     */
    public RunRecord record() {
        synchronized (lock) {
            return persistence.record();
        }
    }

    /**
     * Counts by state and one row per task (rows are built when first asked for). It does not wait
     * for a step in progress (which may be submitting a batch of jobs for minutes): it reads each
     * task's latest record, so that one row may be a step newer than another.
     *
     * @return a snapshot of the run, taken without waiting for a step
     */
    public RunReport report() {
        return RunReport.of(settings, Instant.now(), table.snapshot());
    }

    /**
     * One task's results: its state and reason, job and sweep parameters, attempts, and the last
     * attempt's directory, output, exit code and elapsed time. Like {@link #report()}, it does not
     * wait for a step in progress (it reads the task's latest record); its files are read when
     * asked for.
     *
     * <pre>{@code
     * TaskResult t = run.task("train_3");
     * if (t.state() == TaskState.FAILED) {
     *     System.out.println(t.exitCode() + " " + t.signal().orElse("") + "\n" + t.stderrTail(10));
     * }
     * }</pre>
     *
     * @param name the task's name: a job's name, or a sweep member's ({@code train_3})
     * @return the task's results, as of now
     * @throws IllegalArgumentException if the bundle has no task of that name
     */
    public TaskResult task(String name) {
        Objects.requireNonNull(name, "name");
        TaskRecord r = table.latest(name);
        if (r == null) {
            synchronized (lock) {
                initialize();   // not set up yet (no step): as the store holds it, or new
            }
            r = table.latest(name);
        }
        String bundle = settings.bundle().name();
        if (r == null) {
            throw new IllegalArgumentException(TaskResult.noSuchTask(bundle, name, table.records().length));
        }
        return TaskResult.of(bundle, r, settings.bundle().job(name).orElseThrow(), settings.runsRoot());
    }

    /**
     * Writes the run's {@link Timeline} (a self-contained HTML page: a bar per attempt, queued and
     * running, and a table of every attempt with links to its output) as of now, replacing the file
     * whole. It may be called at any time, from any thread; it does not wait for a step in progress.
     * To have the manager write it as the run goes and at the end, see {@link Builder#timeline(Path)}.
     *
     * <pre>{@code
     * run.writeTimeline(Path.of("runs/study-timeline.html"));   // open it in a browser
     * }</pre>
     *
     * @param file where to write the page (its directory is created)
     * @return {@code file}
     * @throws java.io.UncheckedIOException if the file cannot be written, with the OS's reason
     */
    public Path writeTimeline(Path file) {
        Objects.requireNonNull(file, "file");
        synchronized (lock) {
            initialize();   // not started yet: the store's run, or a new one with no attempt
        }
        return timeline().write(file);
    }

    /** The timeline of the run as of now. */
    private Timeline timeline() {
        RunDirectory dir = table.runDirectory;
        return Timeline.of(new RunRecord(settings.bundle().name(), settings.scheduler().name(),
                dir == null ? "" : RunDirectory.toStored(settings.runsRoot(), dir.path()), Instant.now(),
                Arrays.asList(table.snapshot())), settings.runsRoot(), settings.bundle());
    }

    private void logProgress(Instant now) {
        if (Duration.between(lastProgress, now).compareTo(settings.progressEvery()) >= 0) {
            lastProgress = now;
            int[] counts = table.stateCounts.clone();
            LOG.atInfo().log(() -> ProgressSentence.of(settings.bundle().name(), counts));
        }
    }

    /**
     * The bundle, scheduler and store, and where the run stands (without waiting for a step).
     *
     * @return e.g. {@code RunManager[study on local, RunStore.json(/home/me/runs/study.json): 12 of 40 done, 3 running, 25 waiting]}
     */
    @Override
    public String toString() {
        String name = settings.bundle().name();
        String where = table.snapshot().length == 0 ? "not started (no step yet)"
                : report().summary().substring(name.length() + 2);
        return "RunManager[" + name + " on " + settings.scheduler().name() + ", " + settings.store() + ": " + where + "]";
    }

    /**
     * Configures a RunManager. Defaults: the LocalScheduler is not implied (call {@link #on}), an
     * in-memory store, runs under {@code ./runs}, {@link RetryPolicy#defaults()}, at most 1,000
     * simultaneous jobs, a poll every second (a look at the attempts' records where jobs write
     * them; the scheduler itself is asked every 5 s, then less and less often, up to every minute),
     * an attempt unknown for 2 min is LOST, progress logged every minute.
     */
    public static final class Builder {
        private final Bundle bundle;
        private Scheduler scheduler;
        private RunStore store = RunStore.inMemory();
        private Path runsRoot = Path.of("runs");
        private RetryPolicy retry = RetryPolicy.defaults();
        private int maxSimultaneous = 1_000;
        private Duration pollInterval = Duration.ofSeconds(1);
        private Duration lostAfter = Duration.ofMinutes(2);
        private Duration progressEvery = Duration.ofMinutes(1);
        private DoneCheck doneCheck;
        private Rerun rerun = Rerun.NONE;
        private final List<RunListener> listeners = new ArrayList<>();
        private Path timelineFile;
        private Duration timelineEvery = Duration.ofSeconds(30);

        private Builder(Bundle bundle) {
            this.bundle = bundle;
        }

        /**
         * The scheduler to run on.
         *
         * @param scheduler the scheduler
         * @return this builder
         */
        public Builder on(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * Persists the run in this JSON file ({@link RunStore#json}).
         *
         * @param file the file
         * @return this builder
         */
        public Builder store(Path file) {
            return store(RunStore.json(file));
        }

        /**
         * Where every transition is persisted (default: in memory, lost with the JVM).
         *
         * @param store the run store
         * @return this builder
         */
        public Builder store(RunStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /**
         * Where run directories are created.
         *
         * @param root the runs root
         * @return this builder
         */
        public Builder runsRoot(Path root) {
            this.runsRoot = Objects.requireNonNull(root, "runsRoot");
            return this;
        }

        /**
         * Which ends are retried, how often and after what delay (default {@link RetryPolicy#defaults()}).
         *
         * @param policy the retry policy
         * @return this builder
         */
        public Builder retry(RetryPolicy policy) {
            this.retry = Objects.requireNonNull(policy, "retry policy");
            return this;
        }

        /**
         * @throws IllegalArgumentException if below 1
         * @param max the maximum
         * @return this builder
         */
        public Builder maxSimultaneousJobs(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxSimultaneousJobs must be at least 1, got " + max);
            }
            this.maxSimultaneous = max;
            return this;
        }

        /**
         * @throws IllegalArgumentException if not positive
         * @param interval the interval
         * @return this builder
         */
        public Builder pollInterval(Duration interval) {
            if (interval == null || interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("pollInterval must be positive, got " + interval);
            }
            this.pollInterval = interval;
            return this;
        }

        /**
         * How long an attempt may be unknown to the scheduler, with no exit-code file, before it is LOST.
         *
         * @param grace the grace period
         * @return this builder
         */
        public Builder lostAfter(Duration grace) {
            if (grace == null || grace.isNegative()) {
                throw new IllegalArgumentException("lostAfter must be 0 or more, got " + grace);
            }
            this.lostAfter = grace;
            return this;
        }

        /**
         * How often progress is logged (SLF4J, INFO, logger {@code org.drover.run.RunManager}).
         *
         * @param every the interval
         * @return this builder
         */
        public Builder progressEvery(Duration every) {
            if (every == null || every.isNegative() || every.isZero()) {
                throw new IllegalArgumentException("progressEvery must be positive, got " + every);
            }
            this.progressEvery = every;
            return this;
        }

        /**
         * Tasks already done are skipped; an attempt that exits 0 without its result counts as FAILED.
         *
         * @param check the done check
         * @return this builder
         */
        public Builder doneWhen(DoneCheck check) {
            this.doneCheck = Objects.requireNonNull(check, "done check");
            return this;
        }

        /**
         * Runs these tasks of the store's run again, keeping their earlier attempts (see {@link Rerun}):
         * the failed ones, the cancelled ones, ones by name or by a predicate, and, with
         * {@link Rerun#changed()}, the ones whose job the bundle now defines differently. Calls add
         * up. Without it, a store whose tasks have all ended completes at once, and a store holding
         * tasks that ran with another definition of their job is refused.
         *
         * <pre>{@code
         * RunManager.of(bundle).on(local).store(Path.of("runs/study.json"))
         *         .rerun(Rerun.failed().or(Rerun.changed()))
         *         .start();
         * }</pre>
         *
         * @param which the tasks to run again
         * @return this builder
         * @throws IllegalArgumentException if a name of {@link Rerun#named} is no job or sweep of the bundle
         */
        public Builder rerun(Rerun which) {
            Objects.requireNonNull(which, "rerun");
            for (String name : which.names()) {
                if (bundle.job(name).isEmpty() && !bundle.sweeps().containsKey(name)) {
                    throw new IllegalArgumentException("rerun: bundle '" + bundle.name() + "' has no job or sweep "
                            + "named '" + name + "'");
                }
            }
            this.rerun = rerun.or(which);
            return this;
        }

        /**
         * Adds a listener that hears submissions, state changes, retries and ends.
         *
         * @param listener the listener; it runs on the polling thread and must be quick
         * @return this builder
         */
        public Builder listener(RunListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Writes the run's {@link Timeline} to {@code file} as the run goes, every 30 s, and at the
         * end (before {@link RunManager#awaitCompletion()} returns): a self-contained HTML page
         * with a bar per attempt and a table of every attempt (see {@link Timeline}).
         *
         * <pre>{@code
         * RunManager.of(bundle).on(local).timeline(Path.of("runs/study-timeline.html")).start();
         * }</pre>
         *
         * @param file where to write the page (its directory is created); reload it in a browser
         * @return this builder
         */
        public Builder timeline(Path file) {
            return timeline(file, Duration.ofSeconds(30));
        }

        /**
         * Writes the run's {@link Timeline} to {@code file} on the first step, then at most every
         * {@code every} (on a step: never more often than the poll interval), and at the end. A
         * page that cannot be written is logged (WARN) and never fails the run.
         *
         * @param file where to write the page (its directory is created)
         * @param every how often to write it while the run goes
         * @return this builder
         * @throws IllegalArgumentException if {@code every} is not positive
         */
        public Builder timeline(Path file, Duration every) {
            if (every == null || every.isNegative() || every.isZero()) {
                throw new IllegalArgumentException("timeline: every must be positive, got " + every);
            }
            this.timelineFile = Objects.requireNonNull(file, "timeline file");
            this.timelineEvery = every;
            return this;
        }

        /**
         * The manager, not started: drive it with {@link RunManager#step()} or {@link RunManager#start()}.
         *
         * @return the manager, not started: drive it with {@link RunManager#step()} or {@link RunManager#start()}
         */
        public RunManager build() {
            return new RunManager(this);
        }

        /**
         * Builds and starts the manager.
         *
         * @return the manager, polling in its own thread
         */
        public RunManager start() {
            return build().start();
        }
    }
}
