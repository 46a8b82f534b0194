package org.drover.report;

import java.nio.file.Path;
import java.time.Instant;
import org.drover.run.AttemptRecord;
import org.drover.run.StateChange;
import org.drover.scheduler.JobState;
import org.drover.scheduler.RunDirectory;

/**
 * One attempt's place on the timeline, in epoch milliseconds: submitted, started (if known) and
 * ended (if it has).
 *
 * <p>Where the times come from, best first: the start is the attempt's {@code started} record's
 * modification time (the job's own start, to the millisecond, when the attempt directory is on
 * this machine), else the second that record holds as the attempt record kept it
 * ({@link AttemptRecord#started()}), else the first {@code RUNNING} in its history (when Drover saw
 * it run, within a poll); the end is its {@code exitcode} record's modification time, else when Drover saw it end.
 * A start before the submission (two machines' clocks) is taken as the submission, an end before
 * the start as the start.
 *
 * @param attempt the record
 * @param submitted when it was submitted
 * @param started when it started, or -1 if not known (never started, or no record of it)
 * @param ended when it ended, or -1 while it has not
 * @param stdout its stdout on this machine
 * @param stderr its stderr on this machine
 */
record AttemptSpan(AttemptRecord attempt, long submitted, long started, long ended, Path stdout, Path stderr) {
    /** The span of an attempt whose paths are relative to {@code runsRoot}; null if it has no time at all. */
    static AttemptSpan of(AttemptRecord a, Path runsRoot) {
        Path dir = RunDirectory.resolveStored(runsRoot, a.attemptDir());
        Instant submittedAt = a.submitted();
        if (submittedAt == null && !a.history().isEmpty()) {
            submittedAt = a.history().get(0).at();
        }
        if (submittedAt == null) {
            return null;
        }
        long submitted = submittedAt.toEpochMilli();
        long started = millis(modified(dir.resolve(RunDirectory.STARTED)));
        if (started < 0) {
            started = millis(a.started());
        }
        if (started < 0) {
            started = millis(firstRunning(a));
        }
        long ended = -1;
        if (a.state().isTerminal()) {
            ended = millis(modified(dir.resolve(RunDirectory.EXIT_CODE)));
            if (ended < 0) {
                ended = millis(a.ended());
            }
            if (ended < 0 && !a.history().isEmpty()) {
                ended = millis(a.history().get(a.history().size() - 1).at());
            }
            if (ended < 0) {
                ended = started >= 0 ? started : submitted;
            }
        }
        if (started >= 0) {
            started = Math.max(started, submitted);
        }
        if (ended >= 0) {
            ended = Math.max(ended, started >= 0 ? started : submitted);
        }
        return new AttemptSpan(a, submitted, started, ended, RunDirectory.resolveStored(runsRoot, a.stdout()),
                RunDirectory.resolveStored(runsRoot, a.stderr()));
    }

    /** Where the bar ends: its end, or {@code now} while in progress (never before it began). */
    long endOr(long now) {
        return ended >= 0 ? ended : Math.max(now, started >= 0 ? started : submitted);
    }

    /** How long it waited in the queue until {@code now}, or until it ended if it never started. */
    long queuedMillis(long now) {
        return (started >= 0 ? started : endOr(now)) - submitted;
    }

    /** How long it ran (until {@code now} while it runs), or -1 if it never started. */
    long ranMillis(long now) {
        return started < 0 ? -1 : endOr(now) - started;
    }

    JobState state() {
        return attempt.state();
    }

    private static Instant firstRunning(AttemptRecord a) {
        for (StateChange c : a.history()) {
            if (c.state() == JobState.RUNNING || c.state() == JobState.SUSPENDED) {
                return c.at();
            }
        }
        return null;
    }

    /**
     * When the file was last modified, or null if it is not there (not on this machine, or not
     * written: the record's times stand in). {@link java.io.File#lastModified()} answers 0 for a
     * missing file where {@code Files} throws: a timeline of 10,000 attempts looks for 20,000 files.
     */
    private static Instant modified(Path file) {
        try {
            long t = file.toFile().lastModified();
            return t == 0 ? null : Instant.ofEpochMilli(t);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static long millis(Instant t) {
        return t == null ? -1 : t.toEpochMilli();
    }
}
