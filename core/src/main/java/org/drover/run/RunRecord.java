package org.drover.run;

import java.time.Instant;
import java.util.List;
import org.drover.internal.Listing;

/**
 * Everything a {@code RunManager} persists: enough to re-attach after its process restarts.
 *
 * @param bundle the bundle's name
 * @param scheduler the scheduler's name (a run is resumed on the same kind of scheduler)
 * @param runDirectory the run directory, relative to the runs root (its name) when inside it, else
 *     absolute (as every store written before paths were relative); resolved with
 *     {@link org.drover.scheduler.RunDirectory#resolveStored(java.nio.file.Path, String)}
 * @param saved when this version was written
 * @param tasks every task, in submission order
 */
public record RunRecord(String bundle, String scheduler, String runDirectory, Instant saved, List<TaskRecord> tasks) {
    /**
     * Copies the task list.
     *
     * @param bundle the bundle's name
     * @param scheduler the scheduler's name (a run is resumed on the same kind of scheduler)
     * @param runDirectory the run directory, relative to the runs root when inside it, else absolute
     * @param saved when this version was written
     * @param tasks every task, in submission order
     */
    public RunRecord {
        tasks = List.copyOf(tasks);
    }

    /**
     * A short summary: bundle, scheduler, run directory, when saved, where the run stands, then one
     * line per task (the first {@value Listing#MAX_LINES}).
     *
     * @return e.g. {@code RunRecord study on local, saved 2026-12-05T06:00:00Z, in runs/study_...: 4 of 6 done, 1 failed, 1 cancelled}
     */
    @Override
    public String toString() {
        int[] byState = new int[TaskState.values().length];
        for (TaskRecord t : tasks) {
            byState[t.state().ordinal()]++;
        }
        StringBuilder sb = new StringBuilder("RunRecord ").append(bundle).append(" on ").append(scheduler)
                .append(", saved ").append(saved).append(", in ").append(runDirectory).append(": ")
                .append(ProgressSentence.of(bundle, byState).substring(bundle.length() + 2));
        return Listing.append(sb, tasks, TaskRecord::line).toString();
    }
}
