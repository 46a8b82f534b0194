package org.drover.run;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.drover.scheduler.JobState;
import org.drover.scheduler.JobStatus;
import org.drover.scheduler.RunDirectory;
import org.drover.scheduler.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls every active attempt with one status query and turns each answer into what is known: a
 * new state, an end (confirmed by the attempt's exit-code file where the queue cannot say), or,
 * after {@code lostAfter} of NOT_FOUND with no exit code, LOST. A failed query tells nothing and
 * never fails a task. Ends go to the {@link TaskDecisions}.
 *
 * <p>Where jobs write their {@code started} and {@code exitcode} records
 * ({@link org.drover.scheduler.Scheduler#recordsExitCodes()}), each poll first takes one look at
 * those records of every active attempt (one {@link org.drover.shell.Shell#readFiles} call): exit
 * code 0 ends the attempt {@code COMPLETED} at once, {@code started} makes it {@code RUNNING}, and
 * a non-zero exit code has the scheduler asked about that attempt alone (it tells a
 * {@code TIMEOUT} or {@code OUT_OF_MEMORY} from a plain failure); if the scheduler has not seen the
 * end within {@link #CONFIRM_WITHIN}, the record decides ({@code FAILED}). The scheduler is then
 * asked about every active attempt only every few seconds, the interval doubling up to a minute,
 * for what leaves no record (a node that died, a job cancelled before it started).
 */
final class StatusObserver {
    private static final Logger LOG = LoggerFactory.getLogger(RunManager.class);
    private final RunSettings settings;
    private final TaskTable table;
    private final TaskDecisions decisions;
    private final RunEvents events;
    /** How long a non-zero exit-code record waits for the scheduler to report the end before it decides. */
    static final Duration CONFIRM_WITHIN = Duration.ofSeconds(30);
    private final Duration fullQueryFirst;
    private final Duration fullQueryMax;
    private Duration fullQueryInterval;
    private Instant nextFullQuery;

    StatusObserver(RunSettings settings, TaskTable table, TaskDecisions decisions, RunEvents events) {
        this.settings = settings;
        this.table = table;
        this.decisions = decisions;
        this.events = events;
        Duration poll = settings.pollInterval();
        Duration five = poll.multipliedBy(5);
        this.fullQueryFirst = max(poll, min(Duration.ofSeconds(5), five));
        this.fullQueryMax = max(fullQueryFirst, min(Duration.ofMinutes(1), poll.multipliedBy(60)));
        this.fullQueryInterval = fullQueryFirst;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    void poll(Instant now) {
        if (table.active.isEmpty()) {
            return;
        }
        if (!settings.exitCodeRecords()) {
            query(table.active.toArray(), now);
            return;
        }
        if (nextFullQuery == null) {
            nextFullQuery = now.plus(fullQueryFirst);
        }
        List<Task> ask = lookAtRecords(now);
        if (!now.isBefore(nextFullQuery)) {
            query(table.active.toArray(), now);
            fullQueryInterval = min(fullQueryMax, fullQueryInterval.multipliedBy(2));
            nextFullQuery = now.plus(fullQueryInterval);
        } else if (!ask.isEmpty()) {
            query(ask.toArray(new Task[0]), now);
        }
    }

    /**
     * One look at the {@code exitcode} (and, until it runs, {@code started}) record of every active
     * attempt: ends with exit code 0 are decided, starts are noted; returns the attempts whose
     * non-zero exit code the scheduler is to explain.
     */
    private List<Task> lookAtRecords(Instant now) {
        Task[] polled = table.active.toArray();
        List<Path> files = new ArrayList<>(polled.length * 2);
        Path[] exits = new Path[polled.length];
        Path[] starts = new Path[polled.length];
        for (int i = 0; i < polled.length; i++) {
            Task t = polled[i];
            Path dir = table.attemptDir(t.last());
            exits[i] = dir.resolve(RunDirectory.EXIT_CODE);
            files.add(exits[i]);
            if (t.polledState != JobState.RUNNING.ordinal()) {
                starts[i] = dir.resolve(RunDirectory.STARTED);
                files.add(starts[i]);
            }
        }
        Map<Path, byte[]> found;
        try {
            found = settings.scheduler().shell().readFiles(files);
        } catch (RuntimeException e) {
            LOG.debug("cannot look at the attempts' records; asking the scheduler: {}", e.toString());
            return List.of(polled);
        }
        List<Task> ask = new ArrayList<>();
        Integer[] order = inPlanOrder(polled);
        for (int k = 0; k < order.length; k++) {
            int i = order[k];
            Task t = polled[i];
            if (t.activeSlot < 0) {
                continue;   // ended or withdrawn by an earlier one's decision in this loop
            }
            noteStart(t, starts[i] == null ? null : found.get(starts[i]));
            Integer exit = parseExitCode(found.get(exits[i]));
            if (exit == null) {
                if (starts[i] != null && found.containsKey(starts[i])) {
                    observe(t, new JobStatus(t.jobId, JobState.RUNNING, null, "started", null, null, "started"), now);
                }
            } else if (exit == 0) {
                observe(t, new JobStatus(t.jobId, JobState.COMPLETED, 0, "", null, null, "exitcode"), now);
            } else if (t.exitSeenAt == null || Duration.between(t.exitSeenAt, now).compareTo(CONFIRM_WITHIN) < 0) {
                if (t.exitSeenAt == null) {
                    t.exitSeenAt = now;
                }
                ask.add(t);
            } else {
                observe(t, new JobStatus(t.jobId, JobState.FAILED, exit, "exit code " + exit + " (from the exit-code "
                        + "record: the scheduler did not report the end within " + CONFIRM_WITHIN.getSeconds() + " s)",
                        null, null, "exitcode"), now);
            }
        }
        return ask;
    }

    /**
     * Keeps the time the job's {@code started} record holds in its attempt (for the timeline: a
     * job that ended between two polls was never seen running), the first time it is read.
     */
    private void noteStart(Task t, byte[] started) {
        AttemptRecord a = t.last();
        if (started == null || a.started() != null) {
            return;
        }
        AttemptFiles.Start s = AttemptFiles.Start.parse(new String(started, StandardCharsets.UTF_8), null);
        if (s != null) {
            t.setLast(a.withStarted(s.at()));
            table.dirty = true;
        }
    }

    /** The indexes of {@code tasks} in plan order (dependencies before dependents). */
    private static Integer[] inPlanOrder(Task[] tasks) {
        Integer[] order = new Integer[tasks.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Integer.compare(tasks[a].index, tasks[b].index));
        return order;
    }

    private static Integer parseExitCode(byte[] content) {
        if (content == null) {
            return null;
        }
        String s = new String(content, StandardCharsets.UTF_8).trim();
        return s.matches("-?\\d{1,9}") ? Integer.valueOf(s) : null;
    }

    /** Asks the scheduler about these attempts in one query and observes each answer. */
    private void query(Task[] polled, Instant now) {
        Scheduler scheduler = settings.scheduler();
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
        // With scheduler-side dependencies, in plan order instead: a dependency's end is decided before its
        // dependents' (which the scheduler may have ended for it), as the dependents' fate follows from it.
        Integer[] order = settings.schedulerDependencies() ? inPlanOrder(polled) : null;
        for (int k = polled.length - 1; k >= 0; k--) {
            Task t = polled[order == null ? k : order[polled.length - 1 - k]];
            if (t.activeSlot < 0) {
                continue;   // ended or withdrawn by an earlier one's decision in this loop
            }
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
        if (state == JobState.CANCELLED && waitedOnADependencyThatFailed(t, a)) {
            // The scheduler ended it without running it, as its dependency's attempt ended badly:
            // not the task's own end. It goes again on the dependency's next attempt, or is cancelled with it.
            decisions.withdraw(t, "its dependency's attempt ended badly before it ran: " + reason);
            return;
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
        Duration lostAfter = settings.lostAfter();
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
        table.dirty = true;
        if (state.isTerminal()) {
            // The task's record is written once, with the decision (a task of 100,000 ending in one poll).
            AttemptRecord ended = a.endedAs(now, state, reason, exit);
            table.active.remove(t);
            if (events.any()) {
                TaskEvent e = new TaskEvent(t.job.name(), ended.number(), ended.jobId(), t.state(), state, t.reason());
                events.fire(l -> l.stateChanged(e));
            }
            decisions.attemptEnded(t, ended, now);
            return;
        }
        t.update(state == JobState.RUNNING || state == JobState.SUSPENDED ? TaskState.RUNNING : TaskState.PENDING,
                reason, null, a.changed(now, state, reason));
        t.polledState = (byte) state.ordinal();
        if (events.any()) {
            events.fire(l -> l.stateChanged(RunEvents.event(t)));
        }
    }

    /**
     * Whether a task submitted with scheduler-side dependencies has an {@code afterok} dependency
     * that has not ended well, and its attempt never started (no {@code started} record).
     */
    private boolean waitedOnADependencyThatFailed(Task t, AttemptRecord a) {
        if (!decisions.usesSchedulerDependencies(t)) {
            return false;
        }
        boolean depNotWell = false;
        for (int i = 0; i < t.deps.size(); i++) {
            if (t.depTypes.get(i) == org.drover.DependencyType.AFTER_OK && !t.deps.get(i).state().isSuccess()) {
                depNotWell = true;
                break;
            }
        }
        if (!depNotWell) {
            return false;
        }
        try {
            return settings.scheduler().shell().readFile(table.attemptDir(a).resolve(RunDirectory.STARTED)).isEmpty();
        } catch (RuntimeException e) {
            return false;
        }
    }

    private Integer readExitCode(AttemptRecord a) {
        try {
            return settings.scheduler().shell().readFile(table.attemptDir(a).resolve(RunDirectory.EXIT_CODE))
                    .map(b -> new String(b, StandardCharsets.UTF_8).trim())
                    .filter(s -> s.matches("-?\\d+")).map(Integer::valueOf).orElse(null);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
