package org.drover.report;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.drover.run.AttemptRecord;
import org.drover.run.RunRecord;
import org.drover.run.TaskRecord;
import org.drover.scheduler.RunDirectory;

/**
 * What a timeline shows, gathered once: every task with its parameters and the span of each of its
 * attempts (the attempts' record files are looked at here, once each).
 *
 * @param run the run as recorded
 * @param runDirectory the run directory on this machine
 * @param at the time of the record: attempts in progress reach up to it
 * @param rows one per task, in the record's order
 * @param attempts how many attempts the rows hold
 */
record TimelineData(RunRecord run, Path runDirectory, Instant at, List<TaskRow> rows, int attempts) {
    /**
     * One task.
     *
     * @param task its record
     * @param params its sweep parameters (empty if none, or not known)
     * @param spans its attempts, oldest first
     */
    record TaskRow(TaskRecord task, Map<String, String> params, List<AttemptSpan> spans) {}

    static TimelineData of(RunRecord run, Path runsRoot, Function<String, Map<String, String>> params, Instant at) {
        List<TaskRow> rows = new ArrayList<>(run.tasks().size());
        int attempts = 0;
        for (TaskRecord t : run.tasks()) {
            List<AttemptSpan> spans = new ArrayList<>(t.attempts().size());
            for (AttemptRecord a : t.attempts()) {
                AttemptSpan s = AttemptSpan.of(a, runsRoot);
                if (s != null) {
                    spans.add(s);
                }
            }
            attempts += spans.size();
            rows.add(new TaskRow(t, params.apply(t.name()), spans));
        }
        return new TimelineData(run, RunDirectory.resolveStored(runsRoot, run.runDirectory()), at, rows, attempts);
    }

    /** Whether every task has ended. */
    boolean finished() {
        return rows.stream().allMatch(r -> r.task().state().isTerminal());
    }
}
