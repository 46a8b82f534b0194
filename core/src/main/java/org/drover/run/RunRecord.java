package org.drover.run;

import java.time.Instant;
import java.util.List;

/**
 * Everything a {@code RunManager} persists: enough to re-attach after its process restarts.
 *
 * @param bundle the bundle's name
 * @param scheduler the scheduler's name (a run is resumed on the same kind of scheduler)
 * @param runDirectory the run directory
 * @param saved when this version was written
 * @param tasks every task, in submission order
 */
public record RunRecord(String bundle, String scheduler, String runDirectory, Instant saved, List<TaskRecord> tasks) {
    public RunRecord {
        tasks = List.copyOf(tasks);
    }
}
