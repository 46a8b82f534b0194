package org.drover.run;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.drover.Bundle;
import org.drover.DroverException;
import org.drover.Job;
import org.drover.internal.Listing;
import org.drover.internal.Plural;
import org.drover.scheduler.RunDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At start, on a store that holds a run: tells which tasks' jobs the bundle now defines
 * differently (by the fingerprint each {@link TaskRecord} keeps: no file is read unless one
 * differs), refuses them unless chosen, and sets the tasks the {@link Rerun} chooses, and their
 * dependents that did not complete, to run again. Works on the records before they fill the
 * {@link TaskTable}, so the table's counts come out right.
 */
final class RerunPlanner {
    private static final Logger LOG = LoggerFactory.getLogger(RunManager.class);

    private final RunSettings settings;
    private final RunDirectory dir;
    private final Task[] all;
    private final TaskRecord[] recs;
    private final String[] fingerprints;
    /** Changed, with an attempt since the last (re-)start: it ran, or runs, with the earlier definition. */
    private final boolean[] changed;
    private final boolean[] chosen;

    private RerunPlanner(RunSettings settings, RunDirectory dir, Task[] all, TaskRecord[] recs) {
        this.settings = settings;
        this.dir = dir;
        this.all = all;
        this.recs = recs;
        this.fingerprints = new String[all.length];
        this.changed = new boolean[all.length];
        this.chosen = new boolean[all.length];
    }

    /**
     * Compares definitions and applies the manager's {@link Rerun} choice: replaces records in
     * {@code recs} and flags the tasks whose attempt in the queue is to be replaced
     * ({@link Task#replace}). {@code stored[i]} says whether {@code recs[i]} came from the store.
     *
     * @throws DroverException if a task ran with an earlier definition of its job and no choice runs it again
     */
    static void plan(RunSettings settings, RunDirectory dir, Task[] all, TaskRecord[] recs, boolean[] stored) {
        new RerunPlanner(settings, dir, all, recs).run(stored);
    }

    private void run(boolean[] stored) {
        String bundle = settings.bundle().name();
        int unknown = 0;
        List<String> tookNew = new ArrayList<>();
        for (int i = 0; i < all.length; i++) {
            String fp = JobFingerprint.of(all[i].job);
            fingerprints[i] = fp;
            TaskRecord r = recs[i];
            if (!stored[i] || r.fingerprint() == null) {
                unknown += stored[i] ? 1 : 0;
                recs[i] = r.withFingerprint(fp);
            } else if (!r.fingerprint().equals(fp)) {
                if (r.attemptsSinceRerun() == 0) {
                    tookNew.add(r.name());   // nothing ran with the earlier definition
                    recs[i] = r.withFingerprint(fp);
                } else {
                    changed[i] = true;
                }
            }
        }
        if (unknown > 0) {
            int n = unknown;
            LOG.atInfo().log(() -> "run " + bundle + ": the store holds no fingerprint of the job definitions of "
                    + Plural.of(n, "task") + " (written by an earlier Drover), so whether their jobs changed cannot "
                    + "be told this time; their definitions are recorded from now on");
        }
        if (!tookNew.isEmpty()) {
            LOG.atInfo().log(() -> "run " + bundle + ": " + (tookNew.size() == 1 ? "a task" : tookNew.size() + " tasks")
                    + " not submitted since " + (tookNew.size() == 1 ? "its" : "their") + " last start will run "
                    + "with the new definition of " + (tookNew.size() == 1 ? "its job: " : "their jobs: ") + names(tookNew));
        }
        choose();
        List<Integer> refused = new ArrayList<>();
        for (int i = 0; i < all.length; i++) {
            if (changed[i] && !chosen[i] && !all[i].replace) {
                refused.add(i);
            }
        }
        if (!refused.isEmpty()) {
            throw refusal(refused);
        }
    }

    /** Sets the chosen tasks, then their dependents that did not complete, to run again. */
    private void choose() {
        Rerun rerun = settings.rerun();
        Set<String> named = expand(rerun.names(), settings.bundle());
        List<String> notEnded = new ArrayList<>();
        List<String> replaced = new ArrayList<>();
        Deque<Task> rerunNow = new ArrayDeque<>();
        for (int i = 0; i < all.length; i++) {
            TaskRecord r = recs[i];
            boolean byName = named.contains(r.name());
            String why = null;
            if (r.state().isTerminal()) {
                if (rerun.includesChanged() && changed[i]) {
                    why = "re-run: its job's definition changed; it had ended " + r.state();
                } else if (byName || picks(rerun, r)) {
                    why = "re-run; it had ended " + r.state();
                }
            } else if (rerun.includesChanged() && changed[i]) {
                AttemptRecord a = r.lastAttempt();   // there is one since the last (re-)start: it changed
                if (a.state().isTerminal() || r.state() == TaskState.RETRY_WAIT) {
                    why = "re-run: its job's definition changed";   // no attempt of it is in the queue
                } else {
                    all[i].replace = true;                          // cancelled at the first step, then re-run
                    replaced.add(r.name());
                }
            } else if (byName) {
                notEnded.add(r.name() + " (" + r.state() + ")");
            }
            if (why != null) {
                rerun(i, why);
                rerunNow.add(all[i]);
            }
        }
        int asked = rerunNow.size();
        List<String> dependents = new ArrayList<>();
        boolean[] after = new boolean[all.length];
        while (!rerunNow.isEmpty()) {   // a work list: a chain of 100,000 tasks must not overflow the stack
            Task t = rerunNow.poll();
            for (Task d : t.dependents) {
                TaskRecord r = recs[d.index];
                if (!chosen[d.index] && r.state().isTerminal() && !r.state().isSuccess()) {
                    rerun(d.index, "re-run after " + t.job.name() + "; it had ended " + r.state());
                    dependents.add(r.name());
                    after[d.index] = true;
                    rerunNow.add(d);
                }
            }
        }
        String bundle = settings.bundle().name();
        if (!notEnded.isEmpty()) {
            LOG.atInfo().log(() -> "run " + bundle + ": not re-running " + names(notEnded)
                    + ", which " + (notEnded.size() == 1 ? "has" : "have") + " not ended: it goes on");
        }
        if (asked > 0 || !dependents.isEmpty()) {
            List<String> first = new ArrayList<>();
            for (int i = 0; i < all.length; i++) {
                if (chosen[i] && !after[i]) {
                    first.add(recs[i].name());
                }
            }
            LOG.atInfo().log(() -> "run " + bundle + ": re-running " + Plural.of(asked, "task") + " (" + rerun + "): "
                    + names(first) + (dependents.isEmpty() ? ""
                    : "; and after " + (asked == 1 ? "it " : "them ") + Plural.of(dependents.size(), "dependent")
                    + " that did not complete: " + names(dependents)));
        }
        if (!replaced.isEmpty()) {
            boolean one = replaced.size() == 1;
            LOG.atInfo().log(() -> "run " + bundle + ": " + (one ? "a task runs" : replaced.size() + " tasks run")
                    + " an earlier definition of " + (one ? "its job" : "their jobs") + " in the queue: cancelling "
                    + (one ? "it" : "them") + ", then running " + (one ? "it" : "them") + " again: " + names(replaced));
        }
    }

    private boolean picks(Rerun rerun, TaskRecord r) {
        try {
            return rerun.picks(r);
        } catch (RuntimeException e) {
            throw new DroverException("the re-run choice " + rerun + " failed on task " + r.name() + ": " + e, e);
        }
    }

    private void rerun(int i, String why) {
        chosen[i] = true;
        recs[i] = recs[i].rerun(why, fingerprints[i]);
    }

    /** Job names, with each sweep's name replaced by its members' names. */
    private static Set<String> expand(Set<String> names, Bundle bundle) {
        if (names.isEmpty()) {
            return names;
        }
        Set<String> jobs = new HashSet<>();
        Map<String, List<String>> sweeps = bundle.sweeps();
        for (String n : names) {
            jobs.addAll(sweeps.getOrDefault(n, List.of(n)));
        }
        return jobs;
    }

    private DroverException refusal(List<Integer> refused) {
        Map<String, Job> earlier = new HashMap<>();
        String unreadable = readEarlierDefinitions(earlier);
        List<String> lines = new ArrayList<>(refused.size());
        for (int i : refused) {
            Job now = all[i].job;
            Job before = earlier.get(now.name());
            String what;
            if (before != null && JobFingerprint.of(before).equals(recs[i].fingerprint())) {
                List<String> changes = DefinitionChanges.between(before, now);
                what = changes.isEmpty() ? "its job's definition changed" : String.join("; ", changes);
            } else {
                what = "its job's definition changed (" + (unreadable != null ? unreadable
                        : "the earlier one is no longer in " + dir.recordFile()) + ")";
            }
            lines.add("task " + now.name() + ": " + what);
        }
        StringBuilder sb = new StringBuilder("bundle '").append(settings.bundle().name()).append("' defines ")
                .append(refused.size() == 1 ? "a job" : refused.size() + " jobs")
                .append(" differently from the definition ").append(refused.size() == 1 ? "its task" : "their tasks")
                .append(" ran with, as ").append(settings.store()).append(" recorded:");
        Listing.append(sb, lines, s -> s);
        return new DroverException(sb.append("\nEither run the changed tasks again with the new definitions: add "
                + ".rerun(Rerun.changed()) to the RunManager's builder (ended tasks run again; queued or running "
                + "ones are cancelled first); or put the earlier definitions back in the bundle (or use a new store "
                + "to start afresh).").toString());
    }

    /** Reads the bundle record the run directory holds into {@code earlier}; null, or why it could not. */
    private String readEarlierDefinitions(Map<String, Job> earlier) {
        try {
            Optional<byte[]> bytes = settings.scheduler().shell().readFile(dir.recordFile());
            if (bytes.isEmpty()) {
                return dir.recordFile() + " is missing";
            }
            Bundle b = Bundle.fromJson(new String(bytes.get(), StandardCharsets.UTF_8));
            for (Job j : b.jobs()) {
                earlier.put(j.name(), j);
            }
            return null;
        } catch (RuntimeException e) {
            return "the earlier one cannot be read from " + dir.recordFile() + ": " + e.getMessage();
        }
    }

    private static String names(List<String> names) {
        int shown = Math.min(names.size(), Listing.MAX_LINES);
        String list = String.join(", ", names.subList(0, shown));
        return names.size() > shown ? list + " and " + (names.size() - shown) + " more" : list;
    }
}
