package org.drover.run;

import java.nio.charset.StandardCharsets;
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
 */
final class StatusObserver {
    private static final Logger LOG = LoggerFactory.getLogger(RunManager.class);
    private final RunSettings settings;
    private final TaskTable table;
    private final TaskDecisions decisions;
    private final RunEvents events;

    StatusObserver(RunSettings settings, TaskTable table, TaskDecisions decisions, RunEvents events) {
        this.settings = settings;
        this.table = table;
        this.decisions = decisions;
        this.events = events;
    }

    void poll(Instant now) {
        if (table.active.isEmpty()) {
            return;
        }
        Scheduler scheduler = settings.scheduler();
        Task[] polled = table.active.toArray();   // observe() removes ended tasks from active
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
