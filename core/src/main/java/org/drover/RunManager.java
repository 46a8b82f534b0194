package org.drover;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Deque;
import java.util.EnumMap;
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
import java.util.logging.Level;
import java.util.logging.Logger;
import org.drover.internal.Json;

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
    private static final Logger LOG = Logger.getLogger(RunManager.class.getName());

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
    private final Map<String, Task> tasks = new LinkedHashMap<>();
    private final PriorityQueue<Task> ready = new PriorityQueue<>((a, b) -> Integer.compare(a.index, b.index));
    private final PriorityQueue<Task> retrying = new PriorityQueue<>((a, b) -> a.retryAt.compareTo(b.retryAt));
    private final Set<Task> active = new LinkedHashSet<>();
    /** Tasks whose last submission may or may not have created a job: looked up by token each poll. */
    private final Set<Task> unresolved = new LinkedHashSet<>();
    /** Tasks whose attempt exited 0 but whose done check failed to answer, with when it first failed. */
    private final Map<Task, Instant> checking = new LinkedHashMap<>();
    private final CompletableFuture<RunReport> completion = new CompletableFuture<>();
    private RunDirectory runDirectory;
    private boolean initialized;
    private boolean dirty;
    /** Each task's record as of the last {@link #record()}, by index; stale for the tasks in {@link #changed}. */
    private TaskRecord[] records = new TaskRecord[0];
    /** Tasks changed since the last {@link #record()}: only their records are looked at again. */
    private final List<Task> changed = new ArrayList<>();
    /** Every task is to be looked at again (set up, cancel). */
    private boolean allChanged = true;
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

    /** A manager for this bundle; configure it, then {@link Builder#start()}. */
    public static Builder of(Bundle bundle) {
        return new Builder(Objects.requireNonNull(bundle, "bundle"));
    }

    /** A manager for one job. */
    public static Builder of(Job job) {
        return of(Bundle.named(job.name()).add(job));
    }

    /** A manager for a sweep's jobs. */
    public static Builder of(Sweep sweep) {
        return of(Bundle.named(sweep.name()).add(sweep));
    }

    // ------------------------------------------------------------------ life cycle

    /** Starts polling in a background thread (idempotent). */
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
                LOG.log(Level.WARNING, "run " + bundle.name() + ": step failed, trying again: " + e, e);
            } catch (Error e) {
                // Not to be retried (out of memory, a bug): end the run visibly instead of a silent dead thread.
                LOG.log(Level.SEVERE, "run " + bundle.name() + ": stopped by " + e, e);
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
            while (!retrying.isEmpty() && !retrying.peek().retryAt.isAfter(now)) {
                Task t = retrying.poll();
                t.retryAt = null;
                t.state = TaskState.WAITING;
                changed(t);
                enqueue(t);
            }
            submitReady(now);
            if (dirty) {
                save();
            }
            logProgress(now);
            if (unfinished == 0) {
                save();
                RunReport end = report();
                LOG.info(() -> "run finished: " + end.summary());
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
     */
    public CompletableFuture<RunReport> completion() {
        return completion.copy();
    }

    /** Waits until every task has ended, starting the manager if needed. */
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
     * @throws DroverException if the run has not finished by then (it goes on)
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
                ids.add(t.last().jobId);
            }
            for (Task t : unresolved) {   // a job may exist: find it so that it is cancelled too
                try {
                    scheduler.findByToken(t.last().token).ifPresent(ids::add);
                } catch (RuntimeException e) {
                    LOG.warning(() -> "cannot tell whether " + t.job.name() + " reached the scheduler, so it may "
                            + "keep running (token " + t.last().token + "): " + e.getMessage());
                }
            }
            unresolved.clear();
            checking.clear();
            if (!ids.isEmpty()) {
                scheduler.cancel(ids);
            }
            Instant now = Instant.now();
            for (Task t : new ArrayList<>(active)) {
                Attempt a = t.last();
                a.change(now, JobState.CANCELLED, "cancelled by the run manager");
                a.ended = now;
                active.remove(t);
                finish(t, TaskState.CANCELLED, "cancelled by the run manager");
            }
            for (Task t : tasks.values()) {
                if (!t.state.isTerminal()) {
                    finish(t, TaskState.CANCELLED, "cancelled by the run manager");
                }
            }
            for (Task t : ready) {
                t.queued = false;
            }
            ready.clear();
            retrying.clear();
            allChanged = true;
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

    /** The run directory (created on start). */
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
            r.tasks().forEach(t -> previous.put(t.name(), t));
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
        int index = 0;
        for (Job job : plan.order()) {
            Task t = new Task(job, index++);
            TaskRecord p = previous.get(job.name());
            if (p != null) {
                t.restore(p);
            }
            tasks.put(job.name(), t);
        }
        for (Task t : tasks.values()) {
            for (BundlePlan.ResolvedDependency d : plan.dependenciesOf(t.job.name())) {
                Task dep = tasks.get(d.job());
                t.addDependency(dep, d.type());
            }
        }
        initialized = true;
        Instant now = Instant.now();
        for (Task t : tasks.values()) {
            if (!t.state.isTerminal()) {
                unfinished++;
            }
        }
        List<Task> endedWhileAway = new ArrayList<>();
        for (Task t : tasks.values()) {
            if (t.state.isTerminal()) {
                continue;
            }
            Attempt a = t.last();
            if (a != null && a.jobId == null) {
                // Submitted, or about to be, when the last manager stopped: settled by token in the next step.
                t.state = TaskState.PENDING;
                t.reason = "looking up submission " + a.token;
                unresolved.add(t);
            } else if (a != null && !a.state.isTerminal()) {
                active.add(t);                       // re-attach: it is in the queue, or its end is to be read
            } else if (t.state == TaskState.RETRY_WAIT && t.retryAt != null) {
                retrying.add(t);
            } else if (a != null) {
                endedWhileAway.add(t);               // its attempt ended but no decision was recorded
            } else if (isDone(t.job) == Boolean.TRUE) {
                t.state = TaskState.SKIPPED;
                t.reason = "done before the run";
                unfinished--;
                fire(l -> l.finished(event(t)));
            } else {
                t.state = TaskState.WAITING;
            }
        }
        for (Task t : tasks.values()) {
            if (t.state == TaskState.WAITING) {
                settleDependencies(t);
            }
        }
        for (Task t : endedWhileAway) {
            Attempt a = t.last();
            attemptEnded(t, a, a.state, a.reason, now);
        }
        allChanged = true;
        dirty = true;
        LOG.info(() -> "run " + bundle.name() + " in " + runDirectory + ": " + tasks.size() + " tasks, " + active.size()
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
        for (Task t : new ArrayList<>(unresolved)) {
            Attempt a = t.last();
            Optional<String> id;
            try {
                id = scheduler.findByToken(a.token);
            } catch (RuntimeException e) {
                t.reason = "submission " + a.token + " not settled yet: " + e.getMessage();
                changed(t);
                LOG.log(Level.FINE, t.job.name() + ": " + t.reason);
                return;   // the others would fail the same way: ask again next poll
            }
            unresolved.remove(t);
            changed(t);
            dirty = true;
            if (id.isPresent()) {
                attach(t, a, id.get(), "found by its token", now);
                LOG.info(() -> t.job.name() + " attempt " + a.number + " was submitted as " + a.jobId + "; re-attached");
            } else {
                t.attempts.remove(t.attempts.size() - 1);   // it never reached the scheduler
                t.state = TaskState.WAITING;
                t.reason = "";
                enqueue(t);
            }
        }
    }

    private void attach(Task t, Attempt a, String jobId, String why, Instant now) {
        a.jobId = jobId;
        a.change(now, JobState.PENDING, why);
        changed(t);
        t.state = TaskState.PENDING;
        t.reason = "";
        active.add(t);
        fire(l -> l.submitted(event(t)));
    }

    /** Decides a waiting task from its dependencies' ends: ready, still waiting, or never. */
    private void settleDependencies(Task t) {
        int open = 0;
        for (int i = 0; i < t.deps.size(); i++) {
            Task dep = t.deps.get(i);
            if (!dep.state.isTerminal()) {
                open++;
            } else if (!satisfied(t.depTypes.get(i), dep.state)) {
                finish(t, TaskState.CANCELLED, "dependency " + dep.job.name() + " ended " + dep.state);
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
        List<Task> polled = new ArrayList<>(active);   // observe() removes ended tasks from active
        List<String> ids = new ArrayList<>(polled.size());
        for (Task t : polled) {
            ids.add(t.last().jobId);
        }
        Map<String, JobStatus> answers;
        try {
            answers = scheduler.status(ids);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "status query failed; asking again next poll: " + e);
            answers = Map.of();
        }
        List<String> lost = new ArrayList<>();
        for (Task t : polled) {
            Attempt a = t.last();
            JobStatus s = answers.get(a.jobId);
            if (s == null) {
                s = JobStatus.unknown(a.jobId, "no answer");
            }
            observe(t, a, s, now);
            if (a.state == JobState.LOST) {
                lost.add(a.jobId);
            }
        }
        if (!lost.isEmpty()) {
            // Declared lost, yet it may live on somewhere unseen: make sure it does not run beside its retry.
            try {
                scheduler.cancel(lost);
            } catch (RuntimeException e) {
                LOG.warning(() -> "cancel of lost jobs " + lost + " failed: " + e);
            }
        }
    }

    private void observe(Task t, Attempt a, JobStatus s, Instant now) {
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
            if (a.notFoundSince == null) {
                a.notFoundSince = now;
            }
            if (Duration.between(a.notFoundSince, now).compareTo(lostAfter) < 0) {
                return;   // accounting may lag: ask again next poll
            }
            state = JobState.LOST;
            reason = "unknown to the scheduler for " + lostAfter.getSeconds() + " s and no exit code: " + s.reason();
        } else {
            a.notFoundSince = null;
        }
        if (state != a.state || state.isTerminal()) {
            changed(t);
        }
        if (state != a.state) {
            a.change(now, state, reason);
            a.exitCode = exit;
            dirty = true;
            if (!state.isTerminal()) {
                t.state = state == JobState.RUNNING || state == JobState.SUSPENDED ? TaskState.RUNNING : TaskState.PENDING;
                t.reason = reason;
            }
            fire(l -> l.stateChanged(event(t)));
        }
        if (state.isTerminal()) {
            a.exitCode = exit;
            a.ended = now;
            active.remove(t);
            attemptEnded(t, a, state, reason, now);
        }
    }

    private Integer readExitCode(Attempt a) {
        try {
            return scheduler.shell().readFile(Path.of(a.attemptDir).resolve(RunDirectory.EXIT_CODE))
                    .map(b -> new String(b, StandardCharsets.UTF_8).trim())
                    .filter(s -> s.matches("-?\\d+")).map(Integer::valueOf).orElse(null);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private void attemptEnded(Task t, Attempt a, JobState end, String reason, Instant now) {
        changed(t);
        if (end.isSuccess() && doneCheck != null) {
            Boolean done = isDone(t.job);
            if (done == null) {
                checking.putIfAbsent(t, now);   // e.g. a stale NFS handle: ask again next poll
                t.reason = "exited 0; the done check did not answer, asking again";
                return;
            }
            checking.remove(t);
            if (!done) {
                end = JobState.FAILED;
                reason = "exited 0 but the done check found no result";
                a.change(now, end, reason);
            }
        }
        if (end.isSuccess()) {
            finish(t, TaskState.COMPLETED, "");
            return;
        }
        if (retry.shouldRetry(end, t.attempts.size())) {
            t.state = TaskState.RETRY_WAIT;
            t.retryAt = now.plus(retry.delayBefore(t.attempts.size() + 1));
            t.reason = "attempt " + a.number + " ended " + end + (reason.isEmpty() ? "" : " (" + reason + ")")
                    + "; retrying";
            retrying.add(t);
            dirty = true;
            fire(l -> l.retried(event(t)));
            return;
        }
        finish(t, end == JobState.CANCELLED ? TaskState.CANCELLED : TaskState.FAILED,
                end + (reason.isEmpty() ? "" : ": " + reason)
                        + (retry.retryOn().contains(end) ? " (no attempt left)" : ""));
    }

    /**
     * A task ended for good: tell its dependents, and theirs in turn when they can never run. A
     * work list, not recursion: a chain of 100,000 tasks whose root fails must not overflow the stack.
     */
    private void finish(Task t, TaskState state, String reason) {
        if (t.state.isTerminal()) {
            return;
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
                if (d.state != TaskState.WAITING) {
                    continue;
                }
                int i = d.deps.indexOf(e);
                if (!satisfied(d.depTypes.get(i), e.state)) {
                    end(d, TaskState.CANCELLED, "dependency " + e.job.name() + " ended " + e.state);
                    ended.add(d);
                } else if (--d.openDeps == 0) {
                    enqueue(d);
                }
            }
        }
    }

    private void end(Task t, TaskState state, String reason) {
        changed(t);
        t.state = state;
        t.reason = reason;
        unfinished--;
        dirty = true;
        // Not ready.remove(t), O(n) on a PriorityQueue: if it is queued, submitReady drops it (no longer WAITING).
        fire(l -> l.finished(event(t)));
    }

    /** Asks the done checks that failed to answer again; after {@code lostAfter} of failures the attempt failed. */
    private void recheckDone(Instant now) {
        for (Map.Entry<Task, Instant> e : new ArrayList<>(checking.entrySet())) {
            Task t = e.getKey();
            Attempt a = t.last();
            attemptEnded(t, a, a.state, a.reason, now);   // asks the check again
            if (checking.containsKey(t) && Duration.between(e.getValue(), now).compareTo(lostAfter) >= 0) {
                checking.remove(t);
                String why = "exited 0 but the done check failed for " + lostAfter.getSeconds() + " s";
                a.change(now, JobState.FAILED, why);
                changed(t);
                attemptEnded(t, a, JobState.FAILED, why, now);
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
            LOG.log(Level.WARNING, "done check of " + job.name() + " failed: " + e);
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
            if (t.state != TaskState.WAITING) {
                continue;
            }
            int number = t.attempts.size() + 1;
            Path dir = runDirectory.attemptDir(t.job.name(), number);
            Attempt a = new Attempt(number, Submitter.newToken(), dir.toString(), now);
            t.attempts.add(a);
            Submission s = submission(t, a, dir);
            a.stdout = s.stdoutPath().toString();
            a.stderr = s.stderrPath().toString();
            changed(t);
            batch.add(t);
            submissions.add(s);
        }
        if (batch.isEmpty()) {
            return;
        }
        save();   // the intent (token) is durable before any job exists: a restart can find it
        for (int i = 0; i < batch.size(); i++) {
            Task t = batch.get(i);
            Attempt a = t.last();
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
                attach(t, a, scheduler.submit(submission), "", now);
            } catch (SchedulerException e) {
                if (e.isTransient()) {
                    submitOutcomeUnknown(t, e, now);
                } else {
                    a.change(now, JobState.FAILED, "refused: " + e.getMessage());
                    a.ended = now;
                    changed(t);
                    finish(t, TaskState.FAILED, "refused by the scheduler: " + e.getMessage());
                }
            } catch (RuntimeException e) {
                submitOutcomeUnknown(t, e, now);   // e.g. the connection broke during the call
            }
        }
    }

    /** The attempt as the scheduler gets it: the job grown by the policy, with no scheduler dependencies. */
    private Submission submission(Task t, Attempt a, Path attemptDir) {
        Job job = t.jobFor(a.number, retry).withoutDependencies();
        return new Submission(job, bundle.name(), attemptDir, a.number, List.of(), a.token);
    }

    /** Jobs that are, or may be, in the scheduler's queue. */
    private int inQueue() {
        return active.size() + unresolved.size();
    }

    private void defer(Task t, String why, Exception e) {
        t.attempts.remove(t.attempts.size() - 1);
        t.reason = why;
        changed(t);
        enqueue(t);
        LOG.log(Level.WARNING, t.job.name() + ": " + why, e);
    }

    /** A submit call failed in a way that may still have created the job: settle it by token, now or later. */
    private void submitOutcomeUnknown(Task t, RuntimeException e, Instant now) {
        t.state = TaskState.PENDING;
        changed(t);
        unresolved.add(t);
        resolveUnrecorded(now);
        if (unresolved.contains(t)) {
            t.reason = "submission failed (" + e.getMessage() + ") and the scheduler cannot tell yet whether the "
                    + "job exists; asking again next poll";
            LOG.warning(() -> t.job.name() + ": " + t.reason);
        } else if (t.state == TaskState.WAITING) {
            t.reason = "submission deferred: " + e.getMessage();
            LOG.warning(() -> t.job.name() + ": " + t.reason);
        }   // else found: the call failed after the scheduler took the job, and it is attached
    }

    // ------------------------------------------------------------------ store, report, events

    private void save() {
        store.save(record());
        dirty = false;
    }

    /** The record the store holds, as of now. */
    public RunRecord record() {
        synchronized (lock) {
            // Only the tasks changed since the last record are looked at: a step that changes a few
            // tasks of 100,000 must not walk them all (twice: before and after submitting).
            if (allChanged || records.length != tasks.size()) {
                records = new TaskRecord[tasks.size()];
                for (Task t : tasks.values()) {
                    records[t.index] = t.record();
                    t.changed = false;
                }
                allChanged = false;
            } else {
                for (Task t : changed) {
                    records[t.index] = t.record();
                    t.changed = false;
                }
            }
            changed.clear();
            assert recordsAreCurrent() : "a task changed without changed(task): its record is stale";
            return new RunRecord(bundle.name(), scheduler.name(), runDirectory == null ? "" : runDirectory.toString(),
                    Instant.now(), Arrays.asList(records));
        }
    }

    /** Notes that this task's record is to be built again by the next {@link #record()}. */
    private void changed(Task t) {
        if (!t.changed) {
            t.changed = true;
            changed.add(t);
        }
    }

    /** With assertions on (the tests): every kept record is the one its task would build now. */
    private boolean recordsAreCurrent() {
        for (Task t : tasks.values()) {
            if (records[t.index] != t.record()) {
                return false;
            }
        }
        return true;
    }

    /** Counts by state and one row per task. */
    public RunReport report() {
        synchronized (lock) {
            Instant now = Instant.now();
            List<RunReport.Row> rows = new ArrayList<>(tasks.size());
            for (Task t : tasks.values()) {
                Attempt a = t.last();
                Duration elapsed = a == null ? null : Duration.between(a.submitted, a.ended != null ? a.ended : now);
                rows.add(new RunReport.Row(t.job.name(), t.attempts.size(), a == null || a.jobId == null ? "" : a.jobId,
                        t.state, a == null ? null : a.state, a == null ? null : a.exitCode, t.reason, elapsed));
            }
            return new RunReport(bundle.name(), now, rows);
        }
    }

    private void logProgress(Instant now) {
        if (Duration.between(lastProgress, now).compareTo(progressEvery) >= 0) {
            lastProgress = now;
            EnumMap<TaskState, Integer> counts = new EnumMap<>(TaskState.class);
            for (Task t : tasks.values()) {
                counts.merge(t.state, 1, Integer::sum);
            }
            LOG.info(() -> "run " + bundle.name() + ": " + counts);
        }
    }

    private TaskEvent event(Task t) {
        Attempt a = t.last();
        return new TaskEvent(t.job.name(), t.attempts.size(), a == null ? null : a.jobId, t.state,
                a == null ? null : a.state, t.reason);
    }

    private void fire(java.util.function.Consumer<RunListener> call) {
        for (RunListener l : listeners) {
            try {
                call.accept(l);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "a run listener failed: " + e, e);
            }
        }
    }

    // ------------------------------------------------------------------ internal state

    /** A task's mutable state; guarded by the manager's lock. */
    private static final class Task {
        final Job job;
        final int index;
        // Shared empty lists until the first dependency: most tasks of a large sweep have none.
        List<Task> deps = List.of();
        List<DependencyType> depTypes = List.of();
        List<Task> dependents = List.of();
        final List<Attempt> attempts = new ArrayList<>(1);
        TaskState state = TaskState.WAITING;
        String reason = "";
        Instant retryAt;
        int openDeps;
        /** Whether it is in the ready queue (maintained by enqueue and submitReady's poll). */
        boolean queued;
        /** Whether it is in the manager's {@code changed} list. */
        boolean changed;
        /** The record built last; {@link #record()} reuses it while it still shows this task. */
        private TaskRecord cached;

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

        Attempt last() {
            return attempts.isEmpty() ? null : attempts.get(attempts.size() - 1);
        }

        /** The job as submitted for this attempt: grown by the policy after each earlier end. */
        Job jobFor(int number, RetryPolicy policy) {
            Job j = job;
            for (int i = 0; i < number - 1; i++) {
                j = policy.adjust(j, attempts.get(i).state, 2);
            }
            return j;
        }

        void restore(TaskRecord r) {
            state = r.state();
            reason = r.reason();
            retryAt = r.retryAt();
            for (AttemptRecord ar : r.attempts()) {
                attempts.add(Attempt.from(ar));
            }
        }

        /**
         * Its record. The one built last is reused when it shows the same state, reason, retry time
         * and, for each attempt, the very record that attempt reuses (values compared by identity,
         * so a reused record is always equal to a new one): a save then allocates only for the
         * tasks that changed, not for all of them.
         */
        TaskRecord record() {
            TaskRecord r = cached;
            if (r != null && r.state() == state && r.reason() == reason && r.retryAt() == retryAt
                    && r.attempts().size() == attempts.size() && sameAttempts(r.attempts())) {
                return r;
            }
            AttemptRecord[] list = new AttemptRecord[attempts.size()];
            for (int i = 0; i < list.length; i++) {
                list[i] = attempts.get(i).record();
            }
            r = new TaskRecord(job.name(), state, reason, retryAt, List.of(list));
            cached = r;
            return r;
        }

        private boolean sameAttempts(List<AttemptRecord> recorded) {
            for (int i = 0; i < attempts.size(); i++) {
                if (attempts.get(i).record() != recorded.get(i)) {
                    return false;
                }
            }
            return true;
        }
    }

    /** One attempt's mutable state. */
    private static final class Attempt {
        final int number;
        final String token;
        final String attemptDir;
        final Instant submitted;
        final List<StateChange> history = new ArrayList<>(4);
        String jobId;
        String stdout;
        String stderr;
        JobState state = JobState.UNKNOWN;
        Integer exitCode;
        String reason = "";
        Instant ended;
        /** When the scheduler first answered it does not know the job (reset when it knows it again). */
        Instant notFoundSince;
        /** The record built last; {@link #record()} reuses it while it still shows this attempt. */
        private AttemptRecord cached;

        Attempt(int number, String token, String attemptDir, Instant submitted) {
            this.number = number;
            this.token = token;
            this.attemptDir = attemptDir;
            this.submitted = submitted;
        }

        void change(Instant at, JobState newState, String why) {
            state = newState;
            reason = why == null ? "" : why;
            history.add(new StateChange(at, newState, reason));
            cached = null;
        }

        static Attempt from(AttemptRecord r) {
            Attempt a = new Attempt(r.number(), r.token(), r.attemptDir(), r.submitted());
            a.jobId = r.jobId();
            a.state = r.state();
            a.exitCode = r.exitCode();
            a.reason = r.reason();
            a.ended = r.ended();
            a.stdout = r.stdout();
            a.stderr = r.stderr();
            a.history.addAll(r.history());
            return a;
        }

        /** Its record; the last one built if the fields it shows are the same objects and no change was added. */
        AttemptRecord record() {
            AttemptRecord r = cached;
            if (r == null || r.jobId() != jobId || r.state() != state || r.exitCode() != exitCode
                    || r.reason() != reason || r.ended() != ended || r.history().size() != history.size()
                    || r.stdout() != stdout || r.stderr() != stderr) {
                r = new AttemptRecord(number, token, jobId, state, exitCode, reason, submitted, ended, attemptDir,
                        List.copyOf(history), stdout, stderr);
                cached = r;
            }
            return r;
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

        /** The scheduler to run on. */
        public Builder on(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /** Persists the run in this JSON file ({@link RunStore#json}). */
        public Builder store(Path file) {
            return store(RunStore.json(file));
        }

        public Builder store(RunStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /** Where run directories are created. */
        public Builder runsRoot(Path root) {
            this.runsRoot = Objects.requireNonNull(root, "runsRoot");
            return this;
        }

        public Builder retry(RetryPolicy policy) {
            this.retry = Objects.requireNonNull(policy, "retry policy");
            return this;
        }

        /**
         * @throws IllegalArgumentException if below 1
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
         */
        public Builder pollInterval(Duration interval) {
            if (interval == null || interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("pollInterval must be positive, got " + interval);
            }
            this.pollInterval = interval;
            return this;
        }

        /** How long an attempt may be unknown to the scheduler, with no exit-code file, before it is LOST. */
        public Builder lostAfter(Duration grace) {
            if (grace == null || grace.isNegative()) {
                throw new IllegalArgumentException("lostAfter must be 0 or more, got " + grace);
            }
            this.lostAfter = grace;
            return this;
        }

        /** How often progress is logged (java.util.logging, INFO). */
        public Builder progressEvery(Duration every) {
            if (every == null || every.isNegative() || every.isZero()) {
                throw new IllegalArgumentException("progressEvery must be positive, got " + every);
            }
            this.progressEvery = every;
            return this;
        }

        /** Tasks already done are skipped; an attempt that exits 0 without its result counts as FAILED. */
        public Builder doneWhen(DoneCheck check) {
            this.doneCheck = Objects.requireNonNull(check, "done check");
            return this;
        }

        public Builder listener(RunListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** The manager, not started: drive it with {@link RunManager#step()} or {@link RunManager#start()}. */
        public RunManager build() {
            return new RunManager(this);
        }

        /** Builds and starts the manager. */
        public RunManager start() {
            return build().start();
        }
    }
}
