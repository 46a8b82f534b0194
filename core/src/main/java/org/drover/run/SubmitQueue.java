package org.drover.run;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.drover.BundlePlan;
import org.drover.Job;
import org.drover.internal.Json;
import org.drover.scheduler.JobState;
import org.drover.scheduler.RunDirectory;
import org.drover.scheduler.Scheduler;
import org.drover.scheduler.SchedulerException;
import org.drover.scheduler.Submission;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Submits ready tasks in plan order while fewer than {@code maxSimultaneousJobs} are in the queue,
 * making each attempt durable (its token saved) before its job can exist; and settles submissions
 * whose outcome is unknown by token, so that no task is ever submitted twice. A task whose
 * {@code afterok} dependencies are still in the queue goes with scheduler-side dependencies on
 * their attempts (see {@link TaskDecisions}); submitting a dependency can make its dependents
 * ready, so a step submits in rounds until nothing more is ready (prep, then its sweep, then the
 * aggregate: one step). The members of a sweep marked as an array that are ready together go as one
 * array submission ({@link ArraySubmissions}).
 */
final class SubmitQueue {
    private static final Logger LOG = LoggerFactory.getLogger(RunManager.class);
    /** How many times an attempt's directory and job record are tried before the task fails. */
    static final int PREPARE_TRIES = 5;
    private final RunSettings settings;
    private final TaskTable table;
    private final TaskDecisions decisions;
    private final RunEvents events;
    private final RunPersistence persistence;
    /** The bundle's plan (which sweeps go as arrays), computed at the first submission. */
    private BundlePlan plan;

    SubmitQueue(RunSettings settings, TaskTable table, TaskDecisions decisions, RunEvents events,
                RunPersistence persistence) {
        this.settings = settings;
        this.table = table;
        this.decisions = decisions;
        this.events = events;
        this.persistence = persistence;
    }

    void submitReady(Instant now) {
        while (submitRound(now)) {
            // each round's submissions may have made dependents ready
        }
    }

    /** Submits what is ready now; whether anything was submitted. */
    private boolean submitRound(Instant now) {
        int max = settings.maxSimultaneous();
        if (table.ready.isEmpty() || table.inQueue() >= max) {
            return false;
        }
        Scheduler scheduler = settings.scheduler();
        String bundleName = settings.bundle().name();
        List<Task> batch = new ArrayList<>();
        List<Submission> submissions = new ArrayList<>();   // built once: the job is grown, the paths checked
        ArraySubmissions arrays = new ArraySubmissions(plan());
        // Without the scheduler's own arrays, an array sweep's running limit is kept here.
        Map<String, Integer> queuedBySweep = null;
        List<Task> heldBack = new ArrayList<>();
        while (!table.ready.isEmpty() && table.inQueue() + batch.size() < max) {
            Task t = table.ready.poll();
            t.queued = false;
            if (t.state() != TaskState.WAITING || t.openDeps > 0) {
                continue;   // ended, or a dependency it counted on is to run again
            }
            String sweep = t.job.sweep().orElse(null);
            int limit = sweep == null || scheduler.supportsArrays() ? 0 : arrays.maxRunning(sweep);
            if (limit > 0) {
                if (queuedBySweep == null) {
                    queuedBySweep = queuedBySweep();
                }
                if (queuedBySweep.getOrDefault(sweep, 0) >= limit) {
                    heldBack.add(t);   // asked again next round or step
                    continue;
                }
                queuedBySweep.merge(sweep, 1, Integer::sum);
            }
            List<Submission.IdDependency> deps = schedulerDependencies(t);
            if (deps == null) {
                // Cannot happen while openDeps is kept right (a dependency it counted as attached is not):
                // say so instead of losing the task silently; it is settled again when that dependency moves.
                LOG.atWarn().log(() -> t.job.name() + ": ready, but a dependency it waits for is neither ended nor in "
                        + "the queue; waiting for it");
                assert false : t.job.name() + ": openDeps is 0 with a dependency neither ended nor attached";
                continue;
            }
            int number = t.attemptCount() + 1;
            Path dir = table.runDirectory.attemptDir(t.job.name(), number);
            Job job = t.jobFor(number, settings.retry()).withoutDependencies();
            Submission s = new Submission(job, bundleName, dir, number, deps, arrays.token(t, job, number, deps));
            // As the store keeps them: relative to the runs root. Default output paths are kept as null.
            String attemptDir = table.runDirectory.toStored(dir);
            String stdout = job.stdout().isPresent() ? table.runDirectory.toStored(s.stdoutPath()) : null;
            String stderr = job.stderr().isPresent() ? table.runDirectory.toStored(s.stderrPath()) : null;
            t.addAttempt(new AttemptRecord(number, s.token(), null, JobState.UNKNOWN, null, "", now, null, attemptDir,
                    List.of(), stdout, stderr));
            batch.add(t);
            submissions.add(s);
        }
        heldBack.forEach(table::enqueue);
        if (batch.isEmpty()) {
            return false;
        }
        try {
            persistence.save();   // the intent (token) is durable before any job exists: a restart can find it
        } catch (RuntimeException e) {
            // Nothing was submitted: take the attempts back, so that the tasks go at a later step.
            for (Task t : batch) {
                t.dropLastAttempt();
                table.enqueue(t);
            }
            throw e;
        }
        table.dirty = true;
        for (List<Integer> unit : ArraySubmissions.units(submissions)) {
            List<Task> tasks = new ArrayList<>(unit.size());
            List<Submission> subs = new ArrayList<>(unit.size());
            for (int i : unit) {
                if (prepare(batch.get(i), submissions.get(i), now)) {
                    tasks.add(batch.get(i));
                    subs.add(submissions.get(i));
                }
            }
            if (tasks.size() == 1) {
                submitOne(tasks.get(0), subs.get(0), now);
            } else if (tasks.size() > 1) {
                submitArray(tasks, subs, arrays.maxRunning(subs.get(0).job().sweep().orElseThrow()), now);
            }
        }
        return true;
    }

    /** Creates the attempt directory and its job record; false if they cannot be written (no job can exist yet). */
    private boolean prepare(Task t, Submission submission, Instant now) {
        Scheduler scheduler = settings.scheduler();
        try {
            scheduler.shell().createDirectories(submission.attemptDir());
            scheduler.shell().writeRecord(submission.attemptDir().resolve(RunDirectory.JOB_RECORD),
                    Json.writeBytes(submission.job()));
        } catch (RuntimeException e) {
            cannotPrepare(t, submission.attempt(), e, now);
            return false;
        }
        t.prepareFailures = 0;
        return true;
    }

    private void submitOne(Task t, Submission submission, Instant now) {
        try {
            attach(t, settings.scheduler().submit(submission), "", now);
        } catch (SchedulerException e) {
            if (e.isTransient()) {
                outcomeUnknown(List.of(t), e, now);
            } else {
                refused(t, submission, e, now);
            }
        } catch (RuntimeException e) {
            outcomeUnknown(List.of(t), e, now);   // e.g. the connection broke during the call
        }
    }

    /**
     * Members of one sweep as one array submission (one sbatch): each member is attached to its own
     * task id, tracked and retried on its own. A scheduler that cannot take these members as one
     * array (it throws IllegalArgumentException before submitting anything) gets them one by one.
     */
    private void submitArray(List<Task> tasks, List<Submission> subs, int maxRunning, Instant now) {
        Scheduler.SubmittedArray result;
        try {
            result = settings.scheduler().submitArray(subs, maxRunning);
        } catch (IllegalArgumentException e) {
            LOG.atInfo().log(() -> subs.size() + " members of sweep " + subs.get(0).job().sweep().orElse("?")
                    + " go one by one: " + e.getMessage());
            for (int i = 0; i < tasks.size(); i++) {
                submitOne(tasks.get(i), subs.get(i), now);
            }
            return;
        } catch (SchedulerException e) {
            if (e.isTransient()) {
                outcomeUnknown(tasks, e, now);
            } else {
                for (int i = 0; i < tasks.size(); i++) {
                    refused(tasks.get(i), subs.get(i), e, now);
                }
            }
            return;
        } catch (RuntimeException e) {
            outcomeUnknown(tasks, e, now);
            return;
        }
        if (result.taskIds().size() != tasks.size()) {
            // Not what the SPI promises: which member is which cannot be told, so settle them by token.
            outcomeUnknown(tasks, new SchedulerException("the scheduler answered " + result.taskIds().size()
                    + " ids for an array of " + tasks.size(), true), now);
            return;
        }
        for (int i = 0; i < tasks.size(); i++) {
            attach(tasks.get(i), result.taskIds().get(i), result.arrayId() == null ? "" : "array " + result.arrayId(), now);
        }
    }

    /** The scheduler refused the submission for good. */
    private void refused(Task t, Submission submission, SchedulerException e, Instant now) {
        if (!submission.dependencies().isEmpty()) {
            // Perhaps refused for its dependencies (one just failed): once they end, it goes without them.
            t.dropLastAttempt();
            t.managerSideDeps = true;
            t.set(TaskState.WAITING, "refused with scheduler-side dependencies (" + e.getMessage()
                    + "); submitted again once they end", null);
            LOG.atInfo().log(() -> t.job.name() + ": " + t.reason());
            decisions.settleDependencies(t);
        } else {
            t.setLast(t.last().endedAs(now, JobState.FAILED, "refused: " + e.getMessage(), null));
            decisions.finish(t, TaskState.FAILED, "refused by the scheduler: " + e.getMessage());
        }
    }

    /** How many members of each sweep are in the queue (or may be), for a scheduler without arrays of its own. */
    private Map<String, Integer> queuedBySweep() {
        Map<String, Integer> counts = new java.util.HashMap<>();
        for (Task t : table.active.toArray()) {
            t.job.sweep().ifPresent(s -> counts.merge(s, 1, Integer::sum));
        }
        for (Task t : table.unresolved) {
            t.job.sweep().ifPresent(s -> counts.merge(s, 1, Integer::sum));
        }
        return counts;
    }

    private BundlePlan plan() {
        if (plan == null) {
            plan = settings.bundle().plan();
        }
        return plan;
    }

    /**
     * The scheduler-side dependencies of a task about to be submitted: one {@code afterok} on the
     * attempt of each dependency still in the queue (none for dependencies that ended). Null if a
     * dependency has not ended and is not in the queue (it cannot be submitted now).
     */
    private static List<Submission.IdDependency> schedulerDependencies(Task t) {
        List<Submission.IdDependency> deps = List.of();
        for (int i = 0; i < t.deps.size(); i++) {
            Task dep = t.deps.get(i);
            if (dep.state().isTerminal()) {
                continue;
            }
            if (!dep.attached || dep.jobId == null) {
                return null;
            }
            if (deps.isEmpty()) {
                deps = new ArrayList<>(t.deps.size());
            }
            deps.add(new Submission.IdDependency(dep.jobId, org.drover.DependencyType.AFTER_OK));
        }
        return deps;
    }

    /**
     * Settles submissions whose outcome is not known (the manager stopped during the submit call,
     * or the call failed in a way that may have created the job) by token: a job found is
     * re-attached, a job the scheduler certainly lacks is submitted again. While the scheduler
     * cannot tell, the task waits: it is never submitted twice.
     */
    void resolveUnrecorded(Instant now) {
        if (table.unresolved.isEmpty()) {
            return;
        }
        List<Task> asked = new ArrayList<>(table.unresolved);
        List<String> tokens = new ArrayList<>(asked.size());
        for (Task t : asked) {
            tokens.add(t.last().token());
        }
        Map<String, String> found;
        try {
            found = settings.scheduler().findByTokens(tokens);   // one query for all, however many
        } catch (RuntimeException e) {
            for (Task t : asked) {
                t.set(t.state(), "submission " + t.last().token() + " not settled yet: " + e.getMessage(), t.retryAt());
            }
            LOG.debug("{} not settled yet: {}", asked.size() == 1 ? "1 submission" : asked.size() + " submissions",
                    e.getMessage());
            return;   // ask again next poll
        }
        table.dirty = true;
        for (Task t : asked) {
            AttemptRecord a = t.last();
            String id = found.get(a.token());
            table.unresolved.remove(t);
            if (id != null) {
                attach(t, id, "found by its token", now);
                LOG.atInfo().log(() -> t.job.name() + " attempt " + a.number() + " was submitted as " + id + "; re-attached");
            } else {
                t.dropLastAttempt();   // it never reached the scheduler
                t.set(TaskState.WAITING, "", null);
                table.enqueue(t);
            }
        }
    }

    private void attach(Task t, String jobId, String why, Instant now) {
        t.setLast(t.last().withJobId(jobId).changed(now, JobState.PENDING, why));
        t.set(TaskState.PENDING, "", null);
        table.activate(t);
        decisions.attached(t);
        if (events.any()) {
            events.fire(l -> l.submitted(RunEvents.event(t)));
        }
    }

    /**
     * The attempt's directory or job record could not be written (e.g. the run directory became
     * unwritable): no job exists, so the attempt is dropped and tried again after a backoff (the
     * poll interval, doubled each time), at most {@link #PREPARE_TRIES} times in all; then the task
     * fails with the reason. One warning per task, at the first failure; the tries after it are
     * logged at DEBUG.
     */
    private void cannotPrepare(Task t, int attempt, RuntimeException e, Instant now) {
        t.dropLastAttempt();
        int tries = ++t.prepareFailures;
        String why = "cannot prepare attempt " + attempt + ": " + describe(e);
        if (tries >= PREPARE_TRIES) {
            t.prepareFailures = 0;
            decisions.finish(t, TaskState.FAILED, why + " (tried " + tries + " times)");
            LOG.atInfo().log(() -> t.job.name() + " failed: " + t.reason());
            return;
        }
        Duration backoff = settings.pollInterval().multipliedBy(1L << (tries - 1));
        t.set(TaskState.RETRY_WAIT, why + "; try " + (tries + 1) + " of " + PREPARE_TRIES + " in "
                + seconds(backoff), now.plus(backoff));
        table.retrying.add(t);
        if (tries == 1) {
            LOG.warn(t.job.name() + ": " + why + "; trying again after a backoff, the task fails after "
                    + PREPARE_TRIES + " tries");
        } else {
            LOG.debug("{}: {}", t.job.name(), t.reason());
        }
    }

    /** The message of a failure and of its causes, as far as they add to it (the OS's reason is kept by the shell). */
    private static String describe(Throwable e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        Throwable c = e.getCause();
        for (int depth = 0; c != null && depth < 8; depth++, c = c.getCause()) {   // bounded: causes may form a loop
            if (c.getMessage() != null && !message.contains(c.getMessage())) {
                message += ": " + c.getMessage();
            }
        }
        return message;
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    /**
     * A submit call (of one job or one array) failed in a way that may still have created the jobs:
     * settle them by token, now (one lookup for all) or at a later poll.
     */
    private void outcomeUnknown(List<Task> tasks, RuntimeException e, Instant now) {
        for (Task t : tasks) {
            t.set(TaskState.PENDING, t.reason(), null);
            table.unresolved.add(t);
        }
        resolveUnrecorded(now);
        for (Task t : tasks) {
            if (table.unresolved.contains(t)) {
                t.set(t.state(), "submission failed (" + e.getMessage() + ") and the scheduler cannot tell yet whether "
                        + "the job exists; asking again next poll", null);
                LOG.atWarn().log(() -> t.job.name() + ": " + t.reason());
            } else if (t.state() == TaskState.WAITING) {
                t.set(TaskState.WAITING, "submission deferred: " + e.getMessage(), null);
                LOG.atWarn().log(() -> t.job.name() + ": " + t.reason());
            }   // else found: the call failed after the scheduler took the job, and it is attached
        }
    }
}
