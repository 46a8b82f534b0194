package org.drover.run;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.drover.DependencyType;
import org.drover.Job;

/**
 * One task of a run: the job, its place in the dependency graph and the manager's bookkeeping;
 * guarded by the manager's lock. What the store keeps about it is its record in the
 * {@link TaskTable}, replaced on every change.
 */
final class Task {
    final TaskTable table;
    final Job job;
    final int index;
    // Shared empty lists until the first dependency: most tasks of a large sweep have none.
    List<Task> deps = List.of();
    List<DependencyType> depTypes = List.of();
    List<Task> dependents = List.of();
    int openDeps;
    /** Whether it is in the ready queue (maintained by enqueue and the submit queue's poll). */
    boolean queued;
    /** Its place in {@link TaskTable#active}, or -1. */
    int activeSlot = -1;
    /** While active: its latest attempt's scheduler id and state (ordinal), as polls compare them. */
    String jobId;
    byte polledState;
    /** When the scheduler first answered it does not know the latest attempt (reset when it knows it again). */
    Instant notFoundSince;
    /**
     * Whether its {@code afterok} dependents count it as a satisfied dependency for submission: its
     * latest attempt has a job id and is in the queue, so they may be submitted with a
     * scheduler-side dependency on it. Cleared when that attempt ends or is withdrawn.
     */
    boolean attached;
    /** Whether it waits for its dependencies to end before it is submitted (the scheduler refused it with them). */
    boolean managerSideDeps;
    /** When its latest attempt's exit-code record was first seen non-zero while the scheduler did not yet say it ended. */
    Instant exitSeenAt;
    /**
     * Whether its attempt in the queue runs an earlier definition of its job and is to be replaced:
     * cancelled, and once its end is seen, run again with the bundle's definition ({@link Rerun#changed()}).
     */
    boolean replace;
    /** How many times in a row its next attempt's directory or job record could not be written (not stored). */
    int prepareFailures;

    Task(TaskTable table, Job job, int index) {
        this.table = table;
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
        return table.record(index);
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

    /** The attempts the retry policy counts: those since the task was last re-run. */
    int attemptsSinceRerun() {
        return rec().attemptsSinceRerun();
    }

    /** The latest attempt since the task was last re-run, or null if none was made since. */
    AttemptRecord lastSinceRerun() {
        TaskRecord r = rec();
        return r.attemptsSinceRerun() > 0 ? r.lastAttempt() : null;
    }

    /** Sets the task's state, reason and retry time (null unless {@link TaskState#RETRY_WAIT}). */
    void set(TaskState state, String reason, Instant retryAt) {
        TaskRecord r = rec();
        if (r.state() != state || !r.reason().equals(reason == null ? "" : reason) || r.retryAt() != retryAt) {
            table.store(index, r.with(state, reason, retryAt, r.attempts()));
        }
    }

    /** Sets the task's state, reason and retry time, and replaces its latest attempt: one new record. */
    void update(TaskState state, String reason, Instant retryAt, AttemptRecord last) {
        TaskRecord r = rec();
        table.store(index, r.with(state, reason, retryAt,
                last == r.lastAttempt() ? r.attempts() : replaceLast(r.attempts(), last)));
    }

    void setLast(AttemptRecord a) {
        TaskRecord r = rec();
        table.store(index, r.with(r.state(), r.reason(), r.retryAt(), replaceLast(r.attempts(), a)));
    }

    void addAttempt(AttemptRecord a) {
        TaskRecord r = rec();
        table.store(index, r.with(r.state(), r.reason(), r.retryAt(), AttemptRecord.append(r.attempts(), a)));
        notFoundSince = null;
        exitSeenAt = null;
    }

    void dropLastAttempt() {
        TaskRecord r = rec();
        List<AttemptRecord> list = r.attempts();
        table.store(index, r.with(r.state(), r.reason(), r.retryAt(), List.copyOf(list.subList(0, list.size() - 1))));
        notFoundSince = null;
        exitSeenAt = null;
    }

    /**
     * The job as submitted for this attempt: grown by the policy after each earlier end since the
     * task was last re-run (a re-run starts from the bundle's definition).
     */
    Job jobFor(int number, RetryPolicy policy) {
        Job j = job;
        TaskRecord r = rec();
        for (int i = r.rerunAfter(); i < number - 1; i++) {
            j = policy.adjust(j, r.attempts().get(i).state(), 2);
        }
        return j;
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
}
