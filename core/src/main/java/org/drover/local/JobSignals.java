package org.drover.local;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.drover.internal.Processes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends local jobs' processes: TERM to the whole process tree (the fork server's process group, or
 * the tree seen in {@code /proc}), then KILL after the grace period if they are still there.
 */
final class JobSignals {
    private static final Logger LOG = LoggerFactory.getLogger(LocalScheduler.class);
    private final ScheduledExecutorService timers;
    private final Duration killGrace;

    JobSignals(ScheduledExecutorService timers, Duration killGrace) {
        this.timers = timers;
        this.killGrace = killGrace;
    }

    /** TERM to the job's process tree now, KILL after the grace period. */
    void terminate(LocalJob j) {
        if (j.process == null) {
            killGroup(j, false);
            List<ProcessHandle> signalled = ProcessHandle.of(j.pid).map(h -> Processes.killTree(h, false)).orElse(List.of());
            timers.schedule(() -> {
                killGroup(j, true);
                Processes.killAll(signalled);
            }, killGrace.toMillis(), TimeUnit.MILLISECONDS);
            return;
        }
        List<ProcessHandle> signalled = Processes.killTree(j.process.toHandle(), false);
        timers.schedule(() -> Processes.killAll(signalled), killGrace.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Signals the process group of a job started by a fork server (TERM, or KILL when
     * {@code forcibly}); without a live server, the job's process and its descendants instead.
     */
    void killGroup(LocalJob j, boolean forcibly) {
        ForkServer fs = j.server;
        if (fs != null && fs.isAlive() && !fs.closing()) {
            try {
                fs.signal(j.pid, forcibly ? "KILL" : "TERM");
                return;
            } catch (IOException e) {
                LOG.debug("fork server " + fs.pid() + " cannot signal job " + j.id, e);
            }
        }
        ProcessHandle.of(j.pid).ifPresent(h -> Processes.killTree(h, forcibly));
    }
}
