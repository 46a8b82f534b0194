package org.drover.run;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.drover.Bundle;
import org.drover.BundlePlan;
import org.drover.DependencyType;
import org.drover.DroverException;
import org.drover.Job;
import org.drover.Names;
import org.drover.Sweep;
import org.drover.internal.Json;
import org.drover.internal.Plural;
import org.drover.scheduler.JobState;
import org.drover.scheduler.JobStatus;
import org.drover.scheduler.RunDirectory;
import org.drover.scheduler.Scheduler;
import org.drover.scheduler.SchedulerException;
import org.drover.scheduler.Submission;
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
 * <pre>{@code
 * try (Scheduler slurm = SlurmScheduler.create()) {
 *     RunManager run = RunManager.of(bundle).on(slurm)
 *             .store(Path.of("runs/study.json"))
 *             .retry(RetryPolicy.builder().withMaxAttempts(3).build())
 *             .maxSimultaneousJobs(100)
 *             .start();
 *     RunReport end = run.awaitCompletion();
 *     System.out.println(end);          // a table: task, attempt, job id, state, reason, elapsed
 * }
 * }</pre>
 */
public final class RunManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RunManager.class);
    private static final String CANCELLED_BY_MANAGER = "cancelled by the run manager";

    private final Bundle bundle;
    private final Scheduler scheduler;
    private final RunStore store;
    private final Path runsRoot;
    private final RetryPolicy retry;
    private final int maxSimultaneous;
    private final Duration pollInterval;
    private final Duration lostAfter;
    private final Duration progressEvery;
    private final DoneCheck doneCheck;
    private final List<RunListener> listeners;

    private final Object lock = new Object();
    /** Every task, in submission order (a task's index is its place here). */
    private Task[] tasks = new Task[0];
    /**
     * Each task's record, by index: everything the store keeps about it (state, reason, retry
     * time, attempts). Records are replaced, never changed, so {@link #record()} only gathers
     * references. Kept in one array rather than in each task: a poll that changes 100,000 tasks
     * then writes new references into a few hundred cards of one array, not into 100,000 old
     * objects all over the heap, which the garbage collector would have to track one by one.
     */
    private volatile TaskRecord[] records = new TaskRecord[0];
    /**
     * Writes into {@link #records} with release semantics, so that {@link #report()} can read them
     * without the lock (with acquire): it never waits for a step, even one submitting a batch.
     */
    private static final VarHandle RECORD = MethodHandles.arrayElementVarHandle(TaskRecord[].class);
    /** How many tasks are in each state (by ordinal), kept as records are replaced: progress without a pass. */
    private final int[] stateCounts = new int[TaskState.values().length];
    private final PriorityQueue<Task> ready = new PriorityQueue<>((a, b) -> Integer.compare(a.index, b.index));
    private final PriorityQueue<Task> retrying = new PriorityQueue<>((a, b) -> a.retryAt().compareTo(b.retryAt()));
    /** Tasks with an attempt in the scheduler's queue, polled every step. */
    private final ActiveTasks active = new ActiveTasks();
    /** Tasks whose last submission may or may not have created a job: looked up by token each poll. */
    private final Set<Task> unresolved = new LinkedHashSet<>();
    /** Tasks whose attempt exited 0 but whose done check failed to answer, with when it first failed. */
    private final Map<Task, Instant> checking = new LinkedHashMap<>();
    private final CompletableFuture<RunReport> completion = new CompletableFuture<>();
    private RunDirectory runDirectory;
    private boolean initialized;
    private boolean dirty;
    private int unfinished;
    private Instant lastProgress = Instant.EPOCH;
    private volatile Thread loop;
    private volatile boolean stopping;

    private RunManager(Builder b) {
        this.bundle = b.bundle;
        this.scheduler = Objects.requireNonNull(b.scheduler, "scheduler: call on(scheduler)");
        this.store = b.store;
        this.runsRoot = b.runsRoot;
        this.retry = b.retry;
        this.maxSimultaneous = b.maxSimultaneous;
        this.pollInterval = b.pollInterval;
        this.lostAfter = b.lostAfter;
        this.progressEvery = b.progressEvery;
        this.doneCheck = b.doneCheck;
        this.listeners = new CopyOnWriteArrayList<>(b.listeners);
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
                loop = new Thread(this::runLoop, "drover-run-" + bundle.name());
                loop.setDaemon(true);
                loop.start();
            }
        }
        return this;
    }

    private void runLoop() {
        while (!stopping && !completion.isDone()) {
            long started = System.nanoTime();
            try {
                step();
            } catch (RuntimeException e) {
                // A step never fails the run: the next one tries again (store or scheduler hiccup).
                LOG.warn("run " + bundle.name() + ": step failed, trying again: " + e, e);
            } catch (Error e) {
                // Not to be retried (out of memory, a bug): end the run visibly instead of a silent dead thread.
                LOG.error("run " + bundle.name() + ": stopped by " + e, e);
                completion.completeExceptionally(e);
                return;
            }
            if (completion.isDone()) {
                break;
            }
            // Fixed rate: the next poll is one interval after this one began, not after it ended.
            long waitMs = pollInterval.toMillis() - (System.nanoTime() - started) / 1_000_000;
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
            resolveUnrecorded(now);
            poll(now);
            recheckDone(now);
            // After the poll, so that an attempt seen ending now with no backoff is resubmitted now.
            while (!retrying.isEmpty() && !retrying.peek().retryAt().isAfter(now)) {
                Task t = retrying.poll();
                t.set(TaskState.WAITING, t.reason(), null);
                enqueue(t);
            }
            submitReady(now);
            if (dirty) {
                save();
            }
            logProgress(now);
            if (unfinished == 0) {
                if (dirty) {
                    save();
                }
                assert countsAreRight() : "stateCounts differ from the records";
                RunReport end = RunReport.of(bundle.name(), Instant.now(), records.clone(), stateCounts);
                LOG.atInfo().log(() -> "run finished: " + end.summary());
                store.close();
                completion.complete(end);
                lock.notifyAll();
                return true;
            }
            return false;
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
            throw new DroverException("interrupted while waiting for run " + bundle.name(), e);
        } catch (ExecutionException e) {
            throw new DroverException("run " + bundle.name() + " failed: " + e.getCause(), e.getCause());
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
            throw new DroverException("run " + bundle.name() + " not finished after " + timeout + ": "
                    + report().summary());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DroverException("interrupted while waiting for run " + bundle.name(), e);
        } catch (ExecutionException e) {
            throw new DroverException("run " + bundle.name() + " failed: " + e.getCause(), e.getCause());
        }
    }

    /** Cancels every attempt in the queue (one batched call) and every task not yet submitted. */
    public void cancel() {
        synchronized (lock) {
            initialize();
            List<String> ids = new ArrayList<>();
            for (Task t : active) {
                ids.add(t.last().jobId());
            }
            if (!unresolved.isEmpty()) {   // a job may exist: find it so that it is cancelled too
                List<String> tokens = new ArrayList<>();
                for (Task t : unresolved) {
                    tokens.add(t.last().token());
                }
                try {
                    ids.addAll(scheduler.findByTokens(tokens).values());
                } catch (RuntimeException e) {
                    LOG.atWarn().log(() -> "cannot tell whether these submissions reached the scheduler, so they may keep "
                            + "running (tokens " + tokens + "): " + e.getMessage());
                }
            }
            unresolved.clear();
            checking.clear();
            if (!ids.isEmpty()) {
                scheduler.cancel(ids);
            }
            Instant now = Instant.now();
            for (Task t : active) {
                AttemptRecord a = t.last();
                t.setLast(a.endedAs(now, JobState.CANCELLED, CANCELLED_BY_MANAGER, a.exitCode()));
                finish(t, TaskState.CANCELLED, CANCELLED_BY_MANAGER);
            }
            active.clear();
            for (Task t : tasks) {
                finish(t, TaskState.CANCELLED, CANCELLED_BY_MANAGER);   // no-op for the tasks that ended
            }
            for (Task t : ready) {
                t.queued = false;
            }
            ready.clear();
            retrying.clear();
            dirty = true;
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
            store.close();   // another manager may now take the store over
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
            return runDirectory;
        }
    }

    // ------------------------------------------------------------------ setup and re-attach

    private void initialize() {
        if (initialized) {
            return;
        }
        BundlePlan plan = bundle.plan();
        Optional<RunRecord> saved = store.load();
        Map<String, TaskRecord> previous = new HashMap<>();
        RunDirectory dir;
        if (saved.isPresent()) {
            RunRecord r = saved.get();
            if (!r.bundle().equals(bundle.name())) {
                throw new DroverException("the run store holds bundle '" + r.bundle() + "', not '" + bundle.name() + "'");
            }
            if (!r.scheduler().equals(scheduler.name())) {
                throw new DroverException("the run store was written for scheduler '" + r.scheduler()
                        + "', not '" + scheduler.name() + "'");
            }
            for (TaskRecord t : r.tasks()) {
                for (AttemptRecord a : t.attempts()) {
                    try {
                        Names.requireSchedulerWord("token", a.token());   // it goes into scheduler queries
                    } catch (IllegalArgumentException e) {
                        throw new DroverException("the run store of bundle '" + bundle.name() + "' has task '"
                                + t.name() + "' attempt " + a.number() + " with an unusable " + e.getMessage());
                    }
                }
                previous.put(t.name(), t);
            }
            List<String> gone = new ArrayList<>();
            for (String name : previous.keySet()) {
                if (bundle.job(name).isEmpty()) {
                    gone.add(name);
                }
            }
            if (!gone.isEmpty()) {
                // Dropping them would forget jobs that may still be in the queue: refuse instead.
                throw new DroverException("the run store of bundle '" + bundle.name() + "' has tasks the bundle no "
                        + "longer has: " + gone + "; add them back to the bundle, or start a new store");
            }
            dir = RunDirectory.at(Path.of(r.runDirectory()), bundle.name());
        } else {
            dir = RunDirectory.create(runsRoot, bundle.name());
        }
        scheduler.shell().writeFile(dir.recordFile(), Json.writeBytes(bundle));
        // From here on nothing asks the scheduler: the state is built in one go and cannot stop half-way.
        runDirectory = dir;
        List<Job> order = plan.order();
        Task[] all = new Task[order.size()];
        TaskRecord[] recs = new TaskRecord[all.length];
        Map<String, Task> byName = new HashMap<>(order.size() * 2);
        for (int i = 0; i < all.length; i++) {
            Job job = order.get(i);
            TaskRecord p = previous.get(job.name());
            all[i] = new Task(job, i);
            recs[i] = p != null ? p : new TaskRecord(job.name(), TaskState.WAITING, "", null, List.of());
            byName.put(job.name(), all[i]);
        }
        for (Task t : all) {
            for (BundlePlan.ResolvedDependency d : plan.dependenciesOf(t.job.name())) {
                t.addDependency(byName.get(d.job()), d.type());
            }
        }
        tasks = all;
        records = recs;
        for (TaskRecord r : recs) {
            stateCounts[r.state().ordinal()]++;
        }
        initialized = true;
        Instant now = Instant.now();
        for (Task t : tasks) {
            if (!t.state().isTerminal()) {
                unfinished++;
            }
        }
        List<Task> endedWhileAway = new ArrayList<>();
        for (Task t : tasks) {
            if (t.state().isTerminal()) {
                continue;
            }
            AttemptRecord a = t.last();
            if (a != null && a.jobId() == null) {
                // Submitted, or about to be, when the last manager stopped: settled by token in the next step.
                t.set(TaskState.PENDING, "looking up submission " + a.token(), null);
                unresolved.add(t);
            } else if (a != null && !a.state().isTerminal()) {
                activate(t);                         // re-attach: it is in the queue, or its end is to be read
            } else if (t.state() == TaskState.RETRY_WAIT && t.retryAt() != null) {
                retrying.add(t);
            } else if (a != null) {
                endedWhileAway.add(t);               // its attempt ended but no decision was recorded
            } else if (isDone(t.job) == Boolean.TRUE) {
                t.set(TaskState.SKIPPED, "done before the run", null);
                unfinished--;
                fire(l -> l.finished(event(t)));
            } else {
                t.set(TaskState.WAITING, t.reason(), null);
            }
        }
        for (Task t : tasks) {
            if (t.state() == TaskState.WAITING) {
                settleDependencies(t);
            }
        }
        for (Task t : endedWhileAway) {
            attemptEnded(t, t.last(), now);
        }
        dirty = true;
        LOG.atInfo().log(() -> "run " + bundle.name() + " in " + runDirectory + ": " + Plural.of(tasks.length, "task") + ", " + active.size()
                + " re-attached" + (unresolved.isEmpty() ? "" : ", " + unresolved.size() + " to look up by token")
                + (saved.isPresent() ? " from the store" : ""));
        save();
    }

    /**
     * Settles submissions whose outcome is not known (the manager stopped during the submit call,
     * or the call failed in a way that may have created the job) by token: a job found is
     * re-attached, a job the scheduler certainly lacks is submitted again. While the scheduler
     * cannot tell, the task waits: it is never submitted twice.
     */
    private void resolveUnrecorded(Instant now) {
        if (unresolved.isEmpty()) {
            return;
        }
        List<Task> asked = new ArrayList<>(unresolved);
        List<String> tokens = new ArrayList<>(asked.size());
        for (Task t : asked) {
            tokens.add(t.last().token());
        }
        Map<String, String> found;
        try {
            found = scheduler.findByTokens(tokens);   // one query for all, however many
        } catch (RuntimeException e) {
            for (Task t : asked) {
                t.set(t.state(), "submission " + t.last().token() + " not settled yet: " + e.getMessage(), t.retryAt());
            }
            LOG.debug(asked.size() + " submission(s) not settled yet: " + e.getMessage());
            return;   // ask again next poll
        }
        dirty = true;
        for (Task t : asked) {
            AttemptRecord a = t.last();
            String id = found.get(a.token());
            unresolved.remove(t);
            if (id != null) {
                attach(t, id, "found by its token", now);
                LOG.atInfo().log(() -> t.job.name() + " attempt " + a.number() + " was submitted as " + id + "; re-attached");
            } else {
                t.dropLastAttempt();   // it never reached the scheduler
                t.set(TaskState.WAITING, "", null);
                enqueue(t);
            }
        }
    }

    private void attach(Task t, String jobId, String why, Instant now) {
        t.setLast(t.last().withJobId(jobId).changed(now, JobState.PENDING, why));
        t.set(TaskState.PENDING, "", null);
        activate(t);
        if (!listeners.isEmpty()) {
            fire(l -> l.submitted(event(t)));
        }
    }

    /** Adds a task whose latest attempt has a scheduler id and has not ended to the tasks polled. */
    private void activate(Task t) {
        AttemptRecord a = t.last();
        t.jobId = a.jobId();
        t.polledState = (byte) a.state().ordinal();
        active.add(t);
    }

    /** Decides a waiting task from its dependencies' ends: ready, still waiting, or never. */
    private void settleDependencies(Task t) {
        int open = 0;
        for (int i = 0; i < t.deps.size(); i++) {
            Task dep = t.deps.get(i);
            if (!dep.state().isTerminal()) {
                open++;
            } else if (!satisfied(t.depTypes.get(i), dep.state())) {
                finish(t, TaskState.CANCELLED, "dependency " + dep.job.name() + " ended " + dep.state());
                return;
            }
        }
        t.openDeps = open;
        if (open == 0) {
            enqueue(t);
        }
    }

    /**
     * Puts a task in the ready queue unless it is there already. {@code queued} stands for
     * {@code ready.contains(t)}, which is O(n) on a PriorityQueue; a task that ends while queued
     * (see {@link #finish}) stays in the queue and is dropped when polled, as it is no longer WAITING.
     */
    private void enqueue(Task t) {
        if (!t.queued) {
            t.queued = true;
            ready.add(t);
        }
    }

    private static boolean satisfied(DependencyType type, TaskState end) {
        switch (type) {
            case AFTER_OK:
                return end.isSuccess();
            case AFTER_NOT_OK:
                return !end.isSuccess();
            default:
                return true;
        }
    }

    // ------------------------------------------------------------------ polling and decisions

    private void poll(Instant now) {
        if (active.isEmpty()) {
            return;
        }
        Task[] polled = active.toArray();   // observe() removes ended tasks from active
        List<String> ids = new ArrayList<>(polled.length);
        for (Task t : polled) {
            ids.add(t.jobId);
        }
        Map<String, JobStatus> answers;
        try {
            answers = scheduler.status(ids);
        } catch (RuntimeException e) {
            LOG.warn("status query failed; asking again next poll: " + e);
            answers = Map.of();
        }
        List<String> lost = new ArrayList<>();
        // Backwards: a task that ends is then the last one in active, so removing it moves no other task.
        for (int i = polled.length - 1; i >= 0; i--) {
            Task t = polled[i];
            String id = t.jobId;
            JobStatus s = answers.get(id);
            if (s == null) {
                s = JobStatus.unknown(id, "no answer");
            } else if (s.state().ordinal() == t.polledState && t.notFoundSince == null && s.state() != JobState.NOT_FOUND) {
                continue;   // the common case: nothing new, and the task's records are not even looked at
            }
            observe(t, s, now);
            if (t.activeSlot < 0 && t.last().state() == JobState.LOST) {
                lost.add(id);
            }
        }
        if (!lost.isEmpty()) {
            // Declared lost, yet it may live on somewhere unseen: make sure it does not run beside its retry.
            try {
                scheduler.cancel(lost);
            } catch (RuntimeException e) {
                LOG.atWarn().log(() -> "cancel of lost jobs " + lost + " failed: " + e);
            }
        }
    }

    private void observe(Task t, JobStatus s, Instant now) {
        AttemptRecord a = t.last();
        JobState state = s.state();
        Integer exit = s.exitCode();
        String reason = s.reason();
        if (state == JobState.UNKNOWN) {
            return;   // the query failed: nothing is known, and nothing counts towards LOST
        }
        if (state == JobState.NOT_FOUND || state.isTerminal() && exit == null) {
            // The wrapper's exit-code file settles it whatever the queue says.
            Integer fileExit = readExitCode(a);
            if (fileExit != null) {
                exit = fileExit;
                if (!state.isTerminal()) {
                    state = fileExit == 0 ? JobState.COMPLETED : JobState.FAILED;
                    reason = "from the exit-code file";
                }
            }
        }
        if (state == JobState.NOT_FOUND) {
            if (t.notFoundSince == null) {
                t.notFoundSince = now;
            }
            if (Duration.between(t.notFoundSince, now).compareTo(lostAfter) < 0) {
                return;   // accounting may lag: ask again next poll
            }
            state = JobState.LOST;
            reason = "unknown to the scheduler for " + lostAfter.getSeconds() + " s and no exit code: " + s.reason();
        } else if (t.notFoundSince != null) {
            t.notFoundSince = null;
        }
        if (state == a.state()) {
            return;   // an attempt that ended is no longer polled: the same state is never an end
        }
        dirty = true;
        if (state.isTerminal()) {
            // The task's record is written once, with the decision (a task of 100,000 ending in one poll).
            AttemptRecord ended = a.endedAs(now, state, reason, exit);
            active.remove(t);
            if (!listeners.isEmpty()) {
                TaskEvent e = new TaskEvent(t.job.name(), ended.number(), ended.jobId(), t.state(), state, t.reason());
                fire(l -> l.stateChanged(e));
            }
            attemptEnded(t, ended, now);
            return;
        }
        t.update(state == JobState.RUNNING || state == JobState.SUSPENDED ? TaskState.RUNNING : TaskState.PENDING,
                reason, null, a.changed(now, state, reason));
        t.polledState = (byte) state.ordinal();
        if (!listeners.isEmpty()) {
            fire(l -> l.stateChanged(event(t)));
        }
    }

    private Integer readExitCode(AttemptRecord a) {
        try {
            return scheduler.shell().readFile(Path.of(a.attemptDir()).resolve(RunDirectory.EXIT_CODE))
                    .map(b -> new String(b, StandardCharsets.UTF_8).trim())
                    .filter(s -> s.matches("-?\\d+")).map(Integer::valueOf).orElse(null);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * The task's latest attempt ended as {@code ended} shows (which may be newer than the attempt
     * the task's record holds): done, retried, or failed for good. The task's record is written
     * once, with the decision and that attempt.
     */
    private void attemptEnded(Task t, AttemptRecord ended, Instant now) {
        JobState end = ended.state();
        String reason = ended.reason();
        if (end.isSuccess() && doneCheck != null) {
            Boolean done = isDone(t.job);
            if (done == null) {
                checking.putIfAbsent(t, now);   // e.g. a stale NFS handle: ask again next poll
                t.update(t.state(), "exited 0; the done check did not answer, asking again", t.retryAt(), ended);
                return;
            }
            checking.remove(t);
            if (!done) {
                end = JobState.FAILED;
                reason = "exited 0 but the done check found no result";
                ended = ended.changed(now, end, reason);
            }
        }
        if (end.isSuccess()) {
            finish(t, TaskState.COMPLETED, "", ended);
            return;
        }
        int made = t.attemptCount();
        if (retry.shouldRetry(end, made)) {
            t.update(TaskState.RETRY_WAIT, "attempt " + made + " ended " + end
                    + (reason.isEmpty() ? "" : " (" + reason + ")") + "; retrying",
                    now.plus(retry.delayBefore(made + 1)), ended);
            retrying.add(t);
            dirty = true;
            fire(l -> l.retried(event(t)));
            return;
        }
        finish(t, end == JobState.CANCELLED ? TaskState.CANCELLED : TaskState.FAILED,
                end + (reason.isEmpty() ? "" : ": " + reason)
                        + (retry.retryOn().contains(end) ? " (no attempt left)" : ""), ended);
    }

    /**
     * A task ended for good: tell its dependents, and theirs in turn when they can never run. A
     * work list, not recursion: a chain of 100,000 tasks whose root fails must not overflow the stack.
     */
    private void finish(Task t, TaskState state, String reason) {
        finish(t, state, reason, null);
    }

    /** {@link #finish(Task, TaskState, String)}, with the task's latest attempt replaced by {@code last} if not null. */
    private void finish(Task t, TaskState state, String reason, AttemptRecord last) {
        if (t.state().isTerminal()) {
            if (last != null) {
                t.setLast(last);   // the decision stands; the attempt's end is still recorded
            }
            return;
        }
        if (last != null) {
            t.update(state, reason, null, last);
        }
        end(t, state, reason);
        if (t.dependents.isEmpty()) {
            return;   // the common case in a large sweep: no work list needed
        }
        Deque<Task> ended = new ArrayDeque<>();
        ended.add(t);
        while (!ended.isEmpty()) {
            Task e = ended.poll();
            for (Task d : e.dependents) {
                if (d.state() != TaskState.WAITING) {
                    continue;
                }
                int i = d.deps.indexOf(e);
                if (!satisfied(d.depTypes.get(i), e.state())) {
                    end(d, TaskState.CANCELLED, "dependency " + e.job.name() + " ended " + e.state());
                    ended.add(d);
                } else if (--d.openDeps == 0) {
                    enqueue(d);
                }
            }
        }
    }

    private void end(Task t, TaskState state, String reason) {
        t.set(state, reason, null);
        unfinished--;
        dirty = true;
        // Not ready.remove(t), O(n) on a PriorityQueue: if it is queued, submitReady drops it (no longer WAITING).
        if (!listeners.isEmpty()) {
            fire(l -> l.finished(event(t)));
        }
    }

    /** Asks the done checks that failed to answer again; after {@code lostAfter} of failures the attempt failed. */
    private void recheckDone(Instant now) {
        for (Map.Entry<Task, Instant> e : new ArrayList<>(checking.entrySet())) {
            Task t = e.getKey();
            attemptEnded(t, t.last(), now);   // asks the check again
            if (checking.containsKey(t) && Duration.between(e.getValue(), now).compareTo(lostAfter) >= 0) {
                checking.remove(t);
                String why = "exited 0 but the done check failed for " + lostAfter.getSeconds() + " s";
                attemptEnded(t, t.last().changed(now, JobState.FAILED, why), now);
            }
        }
    }

    /** Whether the job's result exists: true, false, or null when the check itself failed. */
    private Boolean isDone(Job job) {
        if (doneCheck == null) {
            return false;
        }
        try {
            return doneCheck.isDone(job);
        } catch (Exception e) {
            LOG.warn("done check of " + job.name() + " failed: " + e);
            return null;
        }
    }

    // ------------------------------------------------------------------ submission

    private void submitReady(Instant now) {
        if (ready.isEmpty() || inQueue() >= maxSimultaneous) {
            return;
        }
        List<Task> batch = new ArrayList<>();
        List<Submission> submissions = new ArrayList<>();   // built once: the job is grown, the paths checked
        while (!ready.isEmpty() && inQueue() + batch.size() < maxSimultaneous) {
            Task t = ready.poll();
            t.queued = false;
            if (t.state() != TaskState.WAITING) {
                continue;
            }
            int number = t.attemptCount() + 1;
            Path dir = runDirectory.attemptDir(t.job.name(), number);
            Job job = t.jobFor(number, retry).withoutDependencies();
            Submission s = new Submission(job, bundle.name(), dir, number, List.of(), Submitter.newToken());
            String attemptDir = dir.toString();
            // Default output paths are kept as null, without building their strings.
            String stdout = job.stdout().isPresent() ? s.stdoutPath().toString() : null;
            String stderr = job.stderr().isPresent() ? s.stderrPath().toString() : null;
            t.addAttempt(new AttemptRecord(number, s.token(), null, JobState.UNKNOWN, null, "", now, null, attemptDir,
                    List.of(), stdout, stderr));
            batch.add(t);
            submissions.add(s);
        }
        if (batch.isEmpty()) {
            return;
        }
        save();   // the intent (token) is durable before any job exists: a restart can find it
        for (int i = 0; i < batch.size(); i++) {
            Task t = batch.get(i);
            Submission submission = submissions.get(i);
            dirty = true;
            try {
                scheduler.shell().createDirectories(submission.attemptDir());
                scheduler.shell().writeRecord(submission.attemptDir().resolve(RunDirectory.JOB_RECORD),
                        Json.writeBytes(submission.job()));
            } catch (RuntimeException e) {
                defer(t, "submission deferred: " + e, e);   // no job can exist yet
                continue;
            }
            try {
                attach(t, scheduler.submit(submission), "", now);
            } catch (SchedulerException e) {
                if (e.isTransient()) {
                    submitOutcomeUnknown(t, e, now);
                } else {
                    t.setLast(t.last().endedAs(now, JobState.FAILED, "refused: " + e.getMessage(), null));
                    finish(t, TaskState.FAILED, "refused by the scheduler: " + e.getMessage());
                }
            } catch (RuntimeException e) {
                submitOutcomeUnknown(t, e, now);   // e.g. the connection broke during the call
            }
        }
    }

    /** Jobs that are, or may be, in the scheduler's queue. */
    private int inQueue() {
        return active.size() + unresolved.size();
    }

    private void defer(Task t, String why, Exception e) {
        t.dropLastAttempt();
        t.set(t.state(), why, t.retryAt());
        enqueue(t);
        LOG.warn(t.job.name() + ": " + why, e);
    }

    /** A submit call failed in a way that may still have created the job: settle it by token, now or later. */
    private void submitOutcomeUnknown(Task t, RuntimeException e, Instant now) {
        t.set(TaskState.PENDING, t.reason(), null);
        unresolved.add(t);
        resolveUnrecorded(now);
        if (unresolved.contains(t)) {
            t.set(t.state(), "submission failed (" + e.getMessage() + ") and the scheduler cannot tell yet whether "
                    + "the job exists; asking again next poll", null);
            LOG.atWarn().log(() -> t.job.name() + ": " + t.reason());
        } else if (t.state() == TaskState.WAITING) {
            t.set(TaskState.WAITING, "submission deferred: " + e.getMessage(), null);
            LOG.atWarn().log(() -> t.job.name() + ": " + t.reason());
        }   // else found: the call failed after the scheduler took the job, and it is attached
    }

    // ------------------------------------------------------------------ store, report, events

    private void save() {
        assert countsAreRight() : "stateCounts differ from the records";
        store.save(record());
        dirty = false;
    }

    /**
     * The record the store holds, as of now. Cheap at any size: each task's record is the very
     * object the manager keeps as that task's state (records are replaced, never changed), so this
     * only gathers references.
     *
     * @return the record the store holds, as of now
     */
    public RunRecord record() {
        synchronized (lock) {
            return new RunRecord(bundle.name(), scheduler.name(), runDirectory == null ? "" : runDirectory.toString(),
                    Instant.now(), Arrays.asList(records));   // RunRecord copies the list
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
        TaskRecord[] all = records;
        TaskRecord[] copy = new TaskRecord[all.length];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = (TaskRecord) RECORD.getAcquire(all, i);
        }
        return RunReport.of(bundle.name(), Instant.now(), copy);
    }

    private void logProgress(Instant now) {
        if (Duration.between(lastProgress, now).compareTo(progressEvery) >= 0) {
            lastProgress = now;
            int[] counts = stateCounts.clone();
            LOG.atInfo().log(() -> ProgressSentence.of(bundle.name(), counts));
        }
    }

    /** With assertions on (the tests): the kept counts are those of the records. */
    private boolean countsAreRight() {
        int[] counted = new int[stateCounts.length];
        for (TaskRecord r : records) {
            counted[r.state().ordinal()]++;
        }
        return Arrays.equals(counted, stateCounts);
    }

    private TaskEvent event(Task t) {
        AttemptRecord a = t.last();
        return new TaskEvent(t.job.name(), t.attemptCount(), a == null ? null : a.jobId(), t.state(),
                a == null ? null : a.state(), t.reason());
    }

    private void fire(java.util.function.Consumer<RunListener> call) {
        for (RunListener l : listeners) {
            try {
                call.accept(l);
            } catch (RuntimeException e) {
                LOG.warn("a run listener failed: " + e, e);
            }
        }
    }

    // ------------------------------------------------------------------ internal state

    /**
     * A task; guarded by the manager's lock. What the store keeps about it is its record in
     * {@link #records}, replaced on every change; the task itself holds the job, the dependency
     * graph and the manager's own bookkeeping.
     */
    private final class Task {
        final Job job;
        final int index;
        // Shared empty lists until the first dependency: most tasks of a large sweep have none.
        List<Task> deps = List.of();
        List<DependencyType> depTypes = List.of();
        List<Task> dependents = List.of();
        int openDeps;
        /** Whether it is in the ready queue (maintained by enqueue and submitReady's poll). */
        boolean queued;
        /** Its place in {@link #active}, or -1. */
        int activeSlot = -1;
        /** While active: its latest attempt's scheduler id and state (ordinal), as polls compare them. */
        String jobId;
        byte polledState;
        /** When the scheduler first answered it does not know the latest attempt (reset when it knows it again). */
        Instant notFoundSince;

        Task(Job job, int index) {
            this.job = job;
            this.index = index;
        }

        void addDependency(Task dep, DependencyType type) {
            if (deps.isEmpty()) {
                deps = new ArrayList<>(2);
                depTypes = new ArrayList<>(2);
            }
            deps.add(dep);
            depTypes.add(type);
            if (dep.dependents.isEmpty()) {
                dep.dependents = new ArrayList<>(2);
            }
            dep.dependents.add(this);
        }

        TaskRecord rec() {
            return records[index];   // written only under the lock, which every caller holds: a plain read
        }

        /** Replaces the task's record (see {@link #RECORD}) and keeps {@link #stateCounts}. */
        private void store(TaskRecord r) {
            TaskState before = records[index].state();
            if (before != r.state()) {
                stateCounts[before.ordinal()]--;
                stateCounts[r.state().ordinal()]++;
            }
            RECORD.setRelease(records, index, r);
        }

        TaskState state() {
            return rec().state();
        }

        String reason() {
            return rec().reason();
        }

        Instant retryAt() {
            return rec().retryAt();
        }

        int attemptCount() {
            return rec().attempts().size();
        }

        AttemptRecord last() {
            return rec().lastAttempt();
        }

        /** Sets the task's state, reason and retry time (null unless {@link TaskState#RETRY_WAIT}). */
        void set(TaskState state, String reason, Instant retryAt) {
            TaskRecord r = rec();
            if (r.state() != state || !r.reason().equals(reason == null ? "" : reason) || r.retryAt() != retryAt) {
                store(new TaskRecord(r.name(), state, reason, retryAt, r.attempts()));
            }
        }

        /** Sets the task's state, reason and retry time, and replaces its latest attempt: one new record. */
        void update(TaskState state, String reason, Instant retryAt, AttemptRecord last) {
            TaskRecord r = rec();
            store(new TaskRecord(r.name(), state, reason, retryAt,
                    last == r.lastAttempt() ? r.attempts() : replaceLast(r.attempts(), last)));
        }

        void setLast(AttemptRecord a) {
            TaskRecord r = rec();
            store(new TaskRecord(r.name(), r.state(), r.reason(), r.retryAt(), replaceLast(r.attempts(), a)));
        }

        void addAttempt(AttemptRecord a) {
            TaskRecord r = rec();
            store(new TaskRecord(r.name(), r.state(), r.reason(), r.retryAt(),
                    AttemptRecord.append(r.attempts(), a)));
            notFoundSince = null;
        }

        void dropLastAttempt() {
            TaskRecord r = rec();
            List<AttemptRecord> list = r.attempts();
            store(new TaskRecord(r.name(), r.state(), r.reason(), r.retryAt(),
                    List.copyOf(list.subList(0, list.size() - 1))));
            notFoundSince = null;
        }

        /** The job as submitted for this attempt: grown by the policy after each earlier end. */
        Job jobFor(int number, RetryPolicy policy) {
            Job j = job;
            for (int i = 0; i < number - 1; i++) {
                j = policy.adjust(j, rec().attempts().get(i).state(), 2);
            }
            return j;
        }
    }

    private static List<AttemptRecord> replaceLast(List<AttemptRecord> list, AttemptRecord last) {
        int n = list.size();
        if (n == 1) {
            return List.of(last);
        }
        AttemptRecord[] all = list.toArray(new AttemptRecord[n]);
        all[n - 1] = last;
        return List.of(all);
    }

    /**
     * The tasks with an attempt in the queue: an array with each task's slot in it, so that adding
     * and removing write into one array and an int instead of the nodes of a linked hash set.
     * Removing moves the last task into the freed slot, so the order is not the order of addition.
     */
    private static final class ActiveTasks implements Iterable<Task> {
        private Task[] items = new Task[16];
        private int size;

        void add(Task t) {
            if (t.activeSlot >= 0) {
                return;
            }
            if (size == items.length) {
                items = Arrays.copyOf(items, size * 2);
            }
            t.activeSlot = size;
            items[size++] = t;
        }

        void remove(Task t) {
            int slot = t.activeSlot;
            if (slot < 0) {
                return;
            }
            Task moved = items[--size];
            items[slot] = moved;
            moved.activeSlot = slot;
            items[size] = null;
            t.activeSlot = -1;
        }

        int size() {
            return size;
        }

        boolean isEmpty() {
            return size == 0;
        }

        /** A copy, to go through while tasks are removed. */
        Task[] toArray() {
            return Arrays.copyOf(items, size);
        }

        void clear() {
            for (int i = 0; i < size; i++) {
                items[i].activeSlot = -1;
                items[i] = null;
            }
            size = 0;
        }

        @Override
        public java.util.Iterator<Task> iterator() {
            return Arrays.asList(toArray()).iterator();
        }
    }

    /**
     * Configures a RunManager. Defaults: the LocalScheduler is not implied (call {@link #on}), an
     * in-memory store, runs under {@code ./runs}, {@link RetryPolicy#defaults()}, at most 1,000
     * simultaneous jobs, a poll every 5 s, an attempt unknown for 2 min is LOST, progress logged
     * every minute.
     */
    public static final class Builder {
        private final Bundle bundle;
        private Scheduler scheduler;
        private RunStore store = RunStore.inMemory();
        private Path runsRoot = Path.of("runs");
        private RetryPolicy retry = RetryPolicy.defaults();
        private int maxSimultaneous = 1_000;
        private Duration pollInterval = Duration.ofSeconds(5);
        private Duration lostAfter = Duration.ofMinutes(2);
        private Duration progressEvery = Duration.ofMinutes(1);
        private DoneCheck doneCheck;
        private final List<RunListener> listeners = new ArrayList<>();

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

    /**
     * The bundle, scheduler and store, and where the run stands (without waiting for a step).
     *
     * @return e.g. {@code RunManager[study on local, RunStore.json(/home/me/runs/study.json): 12 of 40 done, 3 running, 25 waiting]}
     */
    @Override
    public String toString() {
        String where = records.length == 0 ? "not started (no step yet)"
                : report().summary().substring(bundle.name().length() + 2);
        return "RunManager[" + bundle.name() + " on " + scheduler.name() + ", " + store + ": " + where + "]";
    }
}
