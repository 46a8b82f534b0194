package org.drover.run;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import org.drover.scheduler.RunDirectory;

/**
 * What a run manager knows, and nothing it does: every task and its record, the count of tasks per
 * state, and the sets the steps work from (ready, waiting to retry, active, unresolved, checking,
 * outdated).
 * Guarded by the manager's lock, except {@link #snapshot()}, which needs none.
 */
final class TaskTable {
    /**
     * Writes into {@link #records} with release semantics, so that {@link #snapshot()} can read them
     * without the lock (with acquire): a report never waits for a step, even one submitting a batch.
     */
    private static final VarHandle RECORD = MethodHandles.arrayElementVarHandle(TaskRecord[].class);

    /** Every task, in submission order (a task's index is its place here). */
    Task[] tasks = new Task[0];
    /**
     * Each task's record, by index: everything the store keeps about it (state, reason, retry
     * time, attempts). Records are replaced, never changed, so a {@link RunRecord} only gathers
     * references. Kept in one array rather than in each task: a poll that changes 100,000 tasks
     * then writes new references into a few hundred cards of one array, not into 100,000 old
     * objects all over the heap, which the garbage collector would have to track one by one.
     */
    private volatile TaskRecord[] records = new TaskRecord[0];
    /** How many tasks are in each state (by ordinal), kept as records are replaced: progress without a pass. */
    final int[] stateCounts = new int[TaskState.values().length];
    final PriorityQueue<Task> ready = new PriorityQueue<>((a, b) -> Integer.compare(a.index, b.index));
    final PriorityQueue<Task> retrying = new PriorityQueue<>((a, b) -> a.retryAt().compareTo(b.retryAt()));
    /** Tasks with an attempt in the scheduler's queue, polled every step. */
    final ActiveTasks active = new ActiveTasks();
    /** Tasks whose last submission may or may not have created a job: looked up by token each poll. */
    final Set<Task> unresolved = new LinkedHashSet<>();
    /** Tasks whose attempt exited 0 but whose done check failed to answer, with when it first failed. */
    final Map<Task, Instant> checking = new LinkedHashMap<>();
    /** Job ids to cancel at the end of the step, in one call: attempts withdrawn or that can never run. */
    final List<String> cancels = new ArrayList<>();
    /** Tasks whose attempt in the queue runs an earlier definition of their job: to cancel, then re-run. */
    final List<Task> outdated = new ArrayList<>();
    RunDirectory runDirectory;
    /** Each task's index by name, for {@link #latest}; made on first use. */
    private volatile Map<String, Integer> byName;
    /** Whether the tasks are in (set as the table is filled, before the restored tasks are placed). */
    boolean initialized;
    /** Tasks not yet ended. */
    int unfinished;
    /** Whether something changed since the last save. */
    boolean dirty;

    /** Sets the tasks and their records (at start: new, or as the store held them). */
    void fill(Task[] all, TaskRecord[] recs) {
        tasks = all;
        records = recs;
        initialized = true;
        for (TaskRecord r : recs) {
            stateCounts[r.state().ordinal()]++;
            if (!r.state().isTerminal()) {
                unfinished++;
            }
        }
    }

    TaskRecord record(int index) {
        return records[index];   // written only under the lock, which every caller holds: a plain read
    }

    /** Replaces a task's record (see {@link #RECORD}) and keeps {@link #stateCounts}. */
    void store(int index, TaskRecord r) {
        TaskState before = records[index].state();
        if (before != r.state()) {
            stateCounts[before.ordinal()]--;
            stateCounts[r.state().ordinal()]++;
        }
        RECORD.setRelease(records, index, r);
    }

    /** The records as they are (under the lock). */
    TaskRecord[] records() {
        return records;
    }

    /** Each task's latest record, read without the lock; one may be a step newer than another. */
    TaskRecord[] snapshot() {
        TaskRecord[] all = records;
        TaskRecord[] copy = new TaskRecord[all.length];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = (TaskRecord) RECORD.getAcquire(all, i);
        }
        return copy;
    }

    /**
     * A task's latest record by name, read without the lock (as {@link #snapshot()}); null if the
     * table has no task of that name (or is not filled yet). The index by name is made on first
     * use: the tasks never change once the table is filled.
     */
    TaskRecord latest(String name) {
        TaskRecord[] all = records;   // read first: fill() sets the tasks before it
        Map<String, Integer> index = byName;
        if (index == null || index.size() != all.length) {
            Task[] ts = tasks;
            Map<String, Integer> m = new HashMap<>(ts.length * 2);
            for (int i = 0; i < ts.length; i++) {
                m.put(ts[i].job.name(), i);
            }
            byName = index = m;
        }
        Integer i = index.get(name);
        return i == null || i >= all.length ? null : (TaskRecord) RECORD.getAcquire(all, i);
    }

    /**
     * Puts a task in the ready queue unless it is there already. {@code queued} stands for
     * {@code ready.contains(t)}, which is O(n) on a PriorityQueue; a task that ends while queued
     * stays in the queue and is dropped when polled, as it is no longer WAITING.
     */
    void enqueue(Task t) {
        if (!t.queued) {
            t.queued = true;
            ready.add(t);
        }
    }

    /** Adds a task whose latest attempt has a scheduler id and has not ended to the tasks polled. */
    void activate(Task t) {
        AttemptRecord a = t.last();
        t.jobId = a.jobId();
        t.polledState = (byte) a.state().ordinal();
        active.add(t);
    }

    /**
     * An attempt's directory: its stored path (relative to the runs root) resolved, through
     * {@link RunDirectory#resolveStored}, the one place where stored paths are read.
     */
    Path attemptDir(AttemptRecord a) {
        return runDirectory.resolveStored(a.attemptDir());
    }

    /** Jobs that are, or may be, in the scheduler's queue. */
    int inQueue() {
        return active.size() + unresolved.size();
    }

    /** With assertions on (the tests): the kept counts are those of the records. */
    boolean countsAreRight() {
        int[] counted = new int[stateCounts.length];
        for (TaskRecord r : records) {
            counted[r.state().ordinal()]++;
        }
        return Arrays.equals(counted, stateCounts);
    }
}
