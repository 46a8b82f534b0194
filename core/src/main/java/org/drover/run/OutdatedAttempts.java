package org.drover.run;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cancels the attempts in the queue that run an earlier definition of their job, as
 * {@link Rerun#changed()} asks: one cancel call for all of them, once each is known to the manager
 * (an attempt still looked up by token waits for the lookup). Each such task is re-run when the
 * scheduler confirms its attempt ended ({@link TaskDecisions}), so the two never run at once; one
 * whose submission never reached the scheduler is re-run at once.
 */
final class OutdatedAttempts {
    private static final Logger LOG = LoggerFactory.getLogger(RunManager.class);
    private final RunSettings settings;
    private final TaskTable table;
    private final TaskDecisions decisions;

    OutdatedAttempts(RunSettings settings, TaskTable table, TaskDecisions decisions) {
        this.settings = settings;
        this.table = table;
        this.decisions = decisions;
    }

    void cancel() {
        if (table.outdated.isEmpty()) {
            return;
        }
        List<Task> cancelled = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (Iterator<Task> it = table.outdated.iterator(); it.hasNext(); ) {
            Task t = it.next();
            if (!t.replace || t.state().isTerminal()) {   // re-run already, or the whole run was cancelled
                t.replace = false;
                it.remove();
            } else if (table.unresolved.contains(t)) {
                continue;                                  // not known yet whether its job exists
            } else if (t.activeSlot >= 0) {
                cancelled.add(t);
                ids.add(t.jobId);
            } else {                                       // its submission never reached the scheduler
                it.remove();
                t.replace = false;
                decisions.rerun(t, "re-run: its job's definition changed");
            }
        }
        if (ids.isEmpty()) {
            return;
        }
        try {
            settings.scheduler().cancel(ids);
            table.outdated.removeAll(cancelled);   // each stays flagged until its end is seen
        } catch (RuntimeException e) {
            LOG.atWarn().log(() -> "cancel of the attempts that run an earlier definition of their job (" + ids
                    + ") failed; trying again next step: " + e);
        }
    }
}
