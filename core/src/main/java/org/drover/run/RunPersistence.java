package org.drover.run;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.drover.Bundle;
import org.drover.BundlePlan;
import org.drover.DroverException;
import org.drover.Job;
import org.drover.Names;
import org.drover.internal.Json;
import org.drover.internal.Plural;
import org.drover.scheduler.RunDirectory;
import org.drover.scheduler.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run's durable side: at start it loads the {@link RunStore}, checks that it belongs to this
 * bundle and scheduler, and rebuilds the {@link TaskTable} from it (or from nothing), re-attaching
 * to attempts in the queue; afterwards it saves the table's records as a {@link RunRecord}.
 */
final class RunPersistence {
    private static final Logger LOG = LoggerFactory.getLogger(RunManager.class);
    private final RunSettings settings;
    private final TaskTable table;
    private final TaskDecisions decisions;
    private final RunEvents events;

    RunPersistence(RunSettings settings, TaskTable table, TaskDecisions decisions, RunEvents events) {
        this.settings = settings;
        this.table = table;
        this.decisions = decisions;
        this.events = events;
    }

    /** Loads the store (or starts a new run directory) and fills the table; nothing here asks the scheduler. */
    void initialize() {
        Bundle bundle = settings.bundle();
        Scheduler scheduler = settings.scheduler();
        BundlePlan plan = bundle.plan();
        Optional<RunRecord> saved = settings.store().load();
        Map<String, TaskRecord> previous = new HashMap<>();
        RunDirectory dir;
        if (saved.isPresent()) {
            RunRecord r = saved.get();
            checkBelongs(r, bundle, scheduler, previous);
            dir = RunRecordCheck.check(r, bundle.name(), settings.runsRoot(), settings.store(), scheduler.shell());
        } else {
            dir = RunDirectory.create(scheduler.shell(), settings.runsRoot(), bundle.name());
        }
        List<Job> order = plan.order();
        Task[] all = new Task[order.size()];
        TaskRecord[] recs = new TaskRecord[all.length];
        boolean[] stored = new boolean[all.length];
        Map<String, Task> byName = new HashMap<>(order.size() * 2);
        for (int i = 0; i < all.length; i++) {
            Job job = order.get(i);
            TaskRecord p = previous.get(job.name());
            all[i] = new Task(table, job, i);
            stored[i] = p != null;
            recs[i] = p != null ? p : new TaskRecord(job.name(), TaskState.WAITING, "", null, List.of());
            byName.put(job.name(), all[i]);
        }
        for (Task t : all) {
            for (BundlePlan.ResolvedDependency d : plan.dependenciesOf(t.job.name())) {
                t.addDependency(byName.get(d.job()), d.type());
            }
        }
        // Before the bundle's record is written over: a refusal names what changed from the record it holds.
        RerunPlanner.plan(settings, dir, all, recs, stored);
        scheduler.shell().writeFile(dir.recordFile(), Json.writeBytes(bundle));
        // From here on nothing asks the scheduler: the state is built in one go and cannot stop half-way.
        table.runDirectory = dir;
        table.fill(all, recs);
        restore(Instant.now());
        reattach(scheduler);
        LOG.atInfo().log(() -> "run " + bundle.name() + " in " + dir + ": " + Plural.of(all.length, "task") + ", "
                + table.active.size() + " re-attached"
                + (table.unresolved.isEmpty() ? "" : ", " + table.unresolved.size() + " to look up by token")
                + (saved.isPresent() ? " from the store" : ""));
        save();
    }

    /** Refuses a store of another bundle or scheduler, with an unusable token, or with tasks the bundle lost. */
    private static void checkBelongs(RunRecord r, Bundle bundle, Scheduler scheduler, Map<String, TaskRecord> previous) {
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
    }

    /** Puts every unfinished task where its record says it stands: to look up, active, retrying, done or waiting. */
    private void restore(Instant now) {
        List<Task> endedWhileAway = new ArrayList<>();
        for (Task t : table.tasks) {
            if (t.replace) {
                table.outdated.add(t);
            }
            if (t.state().isTerminal()) {
                continue;
            }
            AttemptRecord a = t.lastSinceRerun();   // a re-run task with none since waits as a new one would
            if (a != null && a.jobId() == null) {
                // Submitted, or about to be, when the last manager stopped: settled by token in the next step.
                t.set(TaskState.PENDING, "looking up submission " + a.token(), null);
                table.unresolved.add(t);
            } else if (a != null && !a.state().isTerminal()) {
                table.activate(t);                   // re-attach: it is in the queue, or its end is to be read
                // Its dependents may go on it (settled below), unless it is to be replaced by a new definition.
                t.attached = settings.schedulerDependencies() && !t.replace;
            } else if (t.state() == TaskState.RETRY_WAIT && t.retryAt() != null) {
                table.retrying.add(t);
            } else if (a != null) {
                endedWhileAway.add(t);               // its attempt ended but no decision was recorded
            } else if (t.rec().reruns() == 0 && decisions.isDone(t.job) == Boolean.TRUE) {   // a re-run was asked for
                t.set(TaskState.SKIPPED, "done before the run", null);
                table.unfinished--;
                events.fire(l -> l.finished(RunEvents.event(t)));
            } else {
                t.set(TaskState.WAITING, t.reason(), null);
            }
        }
        for (Task t : table.tasks) {
            if (t.state() == TaskState.WAITING) {
                decisions.settleDependencies(t);
            }
        }
        for (Task t : endedWhileAway) {
            decisions.attemptEnded(t, t.last(), now);
        }
        table.dirty = true;
    }

    /**
     * Tells the scheduler which attempts the store says are in its queue or were being submitted,
     * before anything asks it about them (a LocalScheduler of a new JVM finds them from their run
     * directories). A scheduler that fails here is asked again at the next start, never fatal.
     */
    private void reattach(Scheduler scheduler) {
        if (table.active.isEmpty() && table.unresolved.isEmpty()) {
            return;
        }
        List<Scheduler.KnownAttempt> known = new ArrayList<>();
        for (Task t : table.active.toArray()) {
            AttemptRecord a = t.last();
            known.add(new Scheduler.KnownAttempt(a.jobId(), a.token(), table.attemptDir(a)));
        }
        for (Task t : table.unresolved) {
            AttemptRecord a = t.last();
            known.add(new Scheduler.KnownAttempt(null, a.token(), table.attemptDir(a)));
        }
        try {
            scheduler.reattach(known);
        } catch (RuntimeException e) {
            LOG.warn("scheduler " + scheduler.name() + " could not re-attach " + Plural.of(known.size(), "attempt")
                    + ": " + e);
        }
    }

    void save() {
        assert table.countsAreRight() : "stateCounts differ from the records";
        settings.store().save(record());
        table.dirty = false;
    }

    /**
     * The record the store holds, as of now. Cheap at any size: each task's record is the very
     * object the manager keeps as that task's state (records are replaced, never changed), so this
     * only gathers references.
     */
    RunRecord record() {
        RunDirectory dir = table.runDirectory;
        return new RunRecord(settings.bundle().name(), settings.scheduler().name(),
                dir == null ? "" : RunDirectory.toStored(settings.runsRoot(), dir.path()),
                Instant.now(), Arrays.asList(table.records()));   // RunRecord copies the list
    }
}
