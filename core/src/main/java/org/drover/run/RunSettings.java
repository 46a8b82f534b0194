package org.drover.run;

import java.nio.file.Path;
import java.time.Duration;
import org.drover.Bundle;
import org.drover.scheduler.Scheduler;

/**
 * A run manager's configuration, as its builder set it; shared by the manager's parts.
 *
 * @param bundle the bundle run
 * @param scheduler where it runs
 * @param store where every transition is persisted
 * @param runsRoot where a new run directory is created
 * @param retry which ends are retried
 * @param maxSimultaneous most attempts in the queue at once
 * @param pollInterval time between steps
 * @param lostAfter how long an attempt may be unknown, with no exit-code file, before it is LOST
 * @param progressEvery how often progress is logged
 * @param doneCheck whether a task's result exists, or null
 * @param rerun which ended tasks of the store's run to run again ({@link Rerun#NONE} by default)
 */
record RunSettings(Bundle bundle, Scheduler scheduler, RunStore store, Path runsRoot, RetryPolicy retry,
                   int maxSimultaneous, Duration pollInterval, Duration lostAfter, Duration progressEvery,
                   DoneCheck doneCheck, Rerun rerun) {
    /**
     * Whether a dependent goes to the scheduler while its {@code afterok} dependencies are still in
     * the queue, with a scheduler-side dependency on their current attempts: when the scheduler
     * honours dependencies and no done check must pass first (the scheduler would start the
     * dependent the moment its dependency exits 0, before the check could say it lacks its result).
     */
    boolean schedulerDependencies() {
        return doneCheck == null && scheduler.supportsDependencies();
    }

    /** Whether ends are learnt from the attempts' records, and the scheduler asked less often. */
    boolean exitCodeRecords() {
        return scheduler.recordsExitCodes();
    }
}
