package org.drover.run;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Map;
import org.drover.DependencyType;
import org.drover.Job;
import org.drover.scheduler.JobState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to a task when something is known about it: an attempt that ended is done, retried
 * under the {@link RetryPolicy} or failed for good; a task that ended tells its dependents, which
 * become ready or can never run; a waiting task is settled from its dependencies' ends.
 *
 * <p>Where the scheduler honours dependencies ({@link RunSettings#schedulerDependencies()}), an
 * {@code afterok} dependency whose attempt is in the queue ("attached") counts as satisfied for
 * submission: the dependent is submitted with a scheduler-side dependency on that attempt and
 * starts the moment it ends well. If that attempt ends otherwise and is retried, the dependents
 * submitted on it are withdrawn (cancelled, their attempt dropped: it never ran and is not
 * counted) and submitted again on the retry; if the dependency fails for good, they are cancelled.
 */
final class TaskDecisions {
    private static final Logger LOG = LoggerFactory.getLogger(RunManager.class);
    private final RunSettings settings;
    private final TaskTable table;
    private final RunEvents events;

    TaskDecisions(RunSettings settings, TaskTable table, RunEvents events) {
        this.settings = settings;
        this.table = table;
        this.events = events;
    }

    /** Decides a waiting task from its dependencies' ends: ready, still waiting, or never. */
    void settleDependencies(Task t) {
        int open = 0;
        for (int i = 0; i < t.deps.size(); i++) {
            Task dep = t.deps.get(i);
            if (!dep.state().isTerminal()) {
                if (!countsAttached(t, dep, t.depTypes.get(i))) {
                    open++;
                }
            } else if (!satisfied(t.depTypes.get(i), dep.state())) {
                finish(t, TaskState.CANCELLED, "dependency " + dep.job.name() + " ended " + dep.state());
                return;
            }
        }
        t.openDeps = open;
        if (open == 0) {
            table.enqueue(t);
        }
    }

    /** Whether the dependent may go to the scheduler with a scheduler-side dependency on this dependency's attempt. */
    private boolean countsAttached(Task dependent, Task dep, DependencyType type) {
        return dep.attached && type == DependencyType.AFTER_OK && usesSchedulerDependencies(dependent);
    }

    /** Whether this task is submitted with scheduler-side dependencies on attempts still in the queue. */
    boolean usesSchedulerDependencies(Task t) {
        return settings.schedulerDependencies() && !t.managerSideDeps;
    }

    /**
     * The task's latest attempt got a job id and is in the queue: its {@code afterok} dependents
     * that wait only for it may now be submitted, with a scheduler-side dependency on it.
     */
    void attached(Task e) {
        if (!settings.schedulerDependencies() || e.attached) {
            return;
        }
        e.attached = true;
        for (Task d : e.dependents) {
            if (d.state() == TaskState.WAITING && d.depTypes.get(d.deps.indexOf(e)) == DependencyType.AFTER_OK
                    && usesSchedulerDependencies(d) && --d.openDeps == 0) {
                table.enqueue(d);
            }
        }
    }

    /**
     * The task's attempt that dependents were submitted on ended badly (it is to be retried) or
     * was withdrawn: dependents submitted on it are withdrawn, waiting ones wait for it again.
     */
    void detach(Task e) {
        if (!e.attached) {
            return;
        }
        e.attached = false;
        for (Task d : e.dependents) {
            if (d.depTypes.get(d.deps.indexOf(e)) != DependencyType.AFTER_OK || !usesSchedulerDependencies(d)) {
                continue;
            }
            if (d.state() == TaskState.WAITING) {
                d.openDeps++;   // a queued one is skipped by the submit queue while it has open dependencies
            } else if (d.activeSlot >= 0) {
                withdraw(d, "dependency " + e.job.name() + " is to run again; submitted again after it");
            }
        }
    }

    /**
     * Takes back an attempt that waits in the queue on a dependency attempt that will never end
     * well, or that the scheduler ended for that reason without running it: it is cancelled and
     * dropped from the record (it never ran, so it does not count as an attempt), and the task
     * waits again.
     */
    void withdraw(Task d, String why) {
        if (d.activeSlot >= 0) {
            table.cancels.add(d.jobId);
            table.active.remove(d);
        }
        detach(d);   // its own dependents were submitted on this attempt too
        d.dropLastAttempt();
        d.set(TaskState.WAITING, why, null);
        table.dirty = true;
        LOG.atDebug().log(() -> d.job.name() + " withdrawn: " + why);
        settleDependencies(d);
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

    /**
     * The task's latest attempt ended as {@code ended} shows (which may be newer than the attempt
     * the task's record holds): done, retried, or failed for good. The task's record is written
     * once, with the decision and that attempt.
     */
    void attemptEnded(Task t, AttemptRecord ended, Instant now) {
        if (t.replace) {
            replaced(t, ended);
            return;
        }
        JobState end = ended.state();
        String reason = ended.reason();
        if (end.isSuccess() && settings.doneCheck() != null) {
            Boolean done = isDone(t.job);
            if (done == null) {
                table.checking.putIfAbsent(t, now);   // e.g. a stale NFS handle: ask again next poll
                t.update(t.state(), "exited 0; the done check did not answer, asking again", t.retryAt(), ended);
                return;
            }
            table.checking.remove(t);
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
        RetryPolicy retry = settings.retry();
        int made = t.attemptsSinceRerun();   // a re-run grants a fresh count of attempts
        if (retry.shouldRetry(end, made)) {
            t.update(TaskState.RETRY_WAIT, "attempt " + ended.number() + " ended " + end
                    + (reason.isEmpty() ? "" : " (" + reason + ")") + "; retrying",
                    now.plus(retry.delayBefore(made + 1)), ended);
            detach(t);
            table.retrying.add(t);
            table.dirty = true;
            events.fire(l -> l.retried(RunEvents.event(t)));
            return;
        }
        finish(t, end == JobState.CANCELLED ? TaskState.CANCELLED : TaskState.FAILED,
                end + (reason.isEmpty() ? "" : ": " + reason)
                        + (retry.retryOn().contains(end) ? " (no attempt left)" : ""), ended);
    }

    /**
     * The attempt of an earlier definition of the task's job ended (cancelled as {@link Rerun#changed()}
     * asked, or it ended first): the task runs again with the bundle's definition.
     */
    private void replaced(Task t, AttemptRecord ended) {
        t.replace = false;
        table.checking.remove(t);
        t.update(t.state(), t.reason(), t.retryAt(), ended);
        rerun(t, "re-run: its job's definition changed (attempt " + ended.number() + " ended " + ended.state() + ")");
    }

    /**
     * Runs a task again now, its attempts kept and counted afresh by the retry policy, with the
     * bundle's definition of its job; it waits for its dependencies as a new task would.
     */
    void rerun(Task t, String why) {
        boolean ended = t.state().isTerminal();
        table.store(t.index, t.rec().rerun(why, JobFingerprint.of(t.job)));
        if (ended) {
            table.unfinished++;
        }
        table.dirty = true;
        settleDependencies(t);
    }

    /**
     * A task ended for good: tell its dependents, and theirs in turn when they can never run. A
     * work list, not recursion: a chain of 100,000 tasks whose root fails must not overflow the stack.
     */
    void finish(Task t, TaskState state, String reason) {
        finish(t, state, reason, null);
    }

    /** {@link #finish(Task, TaskState, String)}, with the task's latest attempt replaced by {@code last} if not null. */
    void finish(Task t, TaskState state, String reason, AttemptRecord last) {
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
            t.attached = false;
            return;   // the common case in a large sweep: no work list needed
        }
        Deque<Task> ended = new ArrayDeque<>();
        ended.add(t);
        while (!ended.isEmpty()) {
            Task e = ended.poll();
            for (Task d : e.dependents) {
                DependencyType type = d.depTypes.get(d.deps.indexOf(e));
                boolean ok = satisfied(type, e.state());
                if (d.state() == TaskState.WAITING) {
                    if (!ok) {
                        end(d, TaskState.CANCELLED, "dependency " + e.job.name() + " ended " + e.state());
                        ended.add(d);
                    } else if (!countsAttached(d, e, type) && --d.openDeps == 0) {
                        table.enqueue(d);
                    }
                } else if (!ok && !d.state().isTerminal() && (d.activeSlot >= 0 || table.unresolved.contains(d))) {
                    // Submitted on e's attempt with a scheduler-side dependency that can no longer be satisfied.
                    String why = "dependency " + e.job.name() + " ended " + e.state();
                    if (d.activeSlot >= 0) {
                        table.cancels.add(d.jobId);
                        table.active.remove(d);
                    }
                    table.unresolved.remove(d);
                    d.setLast(d.last().endedAs(Instant.now(), JobState.CANCELLED, why, null));
                    end(d, TaskState.CANCELLED, why);
                    ended.add(d);
                }   // else submitted on e's attempt, which ended well: the scheduler starts it
            }
            e.attached = false;
        }
    }

    private void end(Task t, TaskState state, String reason) {
        t.set(state, reason, null);
        table.unfinished--;
        table.dirty = true;
        // Not ready.remove(t), O(n) on a PriorityQueue: if it is queued, the submit queue drops it (no longer WAITING).
        if (events.any()) {
            events.fire(l -> l.finished(RunEvents.event(t)));
        }
    }

    /** Asks the done checks that failed to answer again; after {@code lostAfter} of failures the attempt failed. */
    void recheckDone(Instant now) {
        Duration lostAfter = settings.lostAfter();
        for (Map.Entry<Task, Instant> e : new ArrayList<>(table.checking.entrySet())) {
            Task t = e.getKey();
            attemptEnded(t, t.last(), now);   // asks the check again
            if (table.checking.containsKey(t) && Duration.between(e.getValue(), now).compareTo(lostAfter) >= 0) {
                table.checking.remove(t);
                String why = "exited 0 but the done check failed for " + lostAfter.getSeconds() + " s";
                attemptEnded(t, t.last().changed(now, JobState.FAILED, why), now);
            }
        }
    }

    /** Whether the job's result exists: true, false, or null when the check itself failed. */
    Boolean isDone(Job job) {
        DoneCheck check = settings.doneCheck();
        if (check == null) {
            return false;
        }
        try {
            return check.isDone(job);
        } catch (Exception e) {
            LOG.warn("done check of " + job.name() + " failed: " + e);
            return null;
        }
    }
}
