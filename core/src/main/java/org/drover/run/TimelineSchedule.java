package org.drover.run;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;
import org.drover.report.Timeline;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When a manager writes its timeline ({@link RunManager.Builder#timeline(Path, Duration)}): on its
 * first step, then at most every {@code every}, and at the end. A timeline that cannot be written
 * is logged and never fails a step: it is a picture of the run, not part of it.
 */
final class TimelineSchedule {
    private static final Logger LOG = LoggerFactory.getLogger(RunManager.class);

    private final Path file;
    private final Duration every;
    private Instant last;
    private String lastFailure;

    TimelineSchedule(Path file, Duration every) {
        this.file = file;
        this.every = every;
    }

    /** Writes the timeline if {@code every} has passed since the last one (or there was none). */
    void maybeWrite(Instant now, Supplier<Timeline> timeline) {
        if (last == null || Duration.between(last, now).compareTo(every) >= 0) {
            write(now, timeline);
        }
    }

    /** Writes the timeline now. */
    void write(Instant now, Supplier<Timeline> timeline) {
        last = now;
        try {
            timeline.get().write(file);
            lastFailure = null;
        } catch (RuntimeException e) {
            String what = e instanceof UncheckedIOException ? e.getMessage() : "cannot write the timeline " + file + ": " + e;
            if (!what.equals(lastFailure)) {   // one line per new problem, not one per write
                LOG.warn("{} (the run goes on)", what);
                lastFailure = what;
            }
        }
    }
}
