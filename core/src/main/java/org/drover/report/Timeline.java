package org.drover.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.drover.Bundle;
import org.drover.Job;
import org.drover.internal.Plural;
import org.drover.run.RunRecord;
import org.drover.run.RunStore;
import org.drover.scheduler.RunDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A run's timeline: one self-contained HTML page (no network: its style and script are inline)
 * with a Gantt chart of every attempt and a table of them, the picture of where the time went.
 *
 * <p>The chart has one row per task and one bar per attempt, so a retried task shows each of its
 * attempts side by side. A bar begins when the attempt was submitted; its light part is the time
 * in the queue, its solid part the time it ran, in the colour of its state (completed, failed,
 * timeout, out of memory, cancelled, lost, ... or running). An attempt in progress reaches up to
 * the time of the record. The table lists every attempt: its parameters, job id, state, exit
 * code, when it was submitted, how long it queued and ran, the reason, and relative links to its
 * {@code stdout} and {@code stderr}. The legend's check boxes hide the attempts of a state.
 *
 * <p>Times come from the run record and, where the attempt directories are on this machine, from
 * the jobs' own {@code started} and {@code exitcode} records (to the millisecond); without them a
 * start is when Drover saw the attempt run. Every user value on the page (task names, parameters,
 * reasons) is escaped: none can become markup or script.
 *
 * <pre>{@code
 * // during or after a run (RunManager.Builder.timeline(file) also writes it every 30 s and at the end)
 * run.writeTimeline(Path.of("runs/study-timeline.html"));
 *
 * // from a saved store, without a scheduler
 * Timeline.fromStore(Path.of("runs/study.json")).write(Path.of("runs/study-timeline.html"));
 * }</pre>
 *
 * <p>A timeline is made from one record, at once (the attempts' record files are looked at then);
 * write it as often as wanted. It is immutable.
 */
public final class Timeline {
    private static final Logger LOG = LoggerFactory.getLogger(Timeline.class);

    private final TimelineData data;

    private Timeline(TimelineData data) {
        this.data = data;
    }

    /**
     * The timeline of a run record, as of the time it was saved (attempts in progress reach up to
     * it). The tasks' sweep parameters are read from the bundle record in the run directory; if it
     * cannot be read, the page shows none.
     *
     * @param run the run, as a store or {@link org.drover.run.RunManager#record()} holds it
     * @param runsRoot the runs root the run was made in (the record's paths are relative to it)
     * @return the timeline
     */
    public static Timeline of(RunRecord run, Path runsRoot) {
        Objects.requireNonNull(run, "run");
        Objects.requireNonNull(runsRoot, "runsRoot");
        return new Timeline(TimelineData.of(run, runsRoot, savedParams(run, runsRoot), at(run)));
    }

    /**
     * The timeline of a run record whose bundle is at hand, which gives the tasks' sweep parameters.
     *
     * @param run the run, as a store or {@link org.drover.run.RunManager#record()} holds it
     * @param runsRoot the runs root the run was made in (the record's paths are relative to it)
     * @param bundle the bundle that was run
     * @return the timeline
     */
    public static Timeline of(RunRecord run, Path runsRoot, Bundle bundle) {
        Objects.requireNonNull(run, "run");
        Objects.requireNonNull(runsRoot, "runsRoot");
        Objects.requireNonNull(bundle, "bundle");
        return new Timeline(TimelineData.of(run, runsRoot, paramsOf(bundle), at(run)));
    }

    /**
     * The timeline of the run a JSON store holds, whose runs root is the store's directory (where
     * {@code runs/study.json} puts it). No scheduler and no lock are needed: the store may be in use.
     *
     * @param store the store's file, as given to {@code RunManager.Builder.store(Path)}
     * @return the timeline, as of the store's last save
     * @throws IllegalArgumentException if there is no store at {@code store}
     * @throws org.drover.run.RunStoreException if the store cannot be read
     */
    public static Timeline fromStore(Path store) {
        Objects.requireNonNull(store, "store");
        Path parent = store.toAbsolutePath().getParent();
        return fromStore(store, parent);
    }

    /**
     * The timeline of the run a JSON store holds, made under this runs root.
     *
     * @param store the store's file, as given to {@code RunManager.Builder.store(Path)}
     * @param runsRoot the runs root the run was made in (the store's paths are relative to it)
     * @return the timeline, as of the store's last save
     * @throws IllegalArgumentException if there is no store at {@code store}
     * @throws org.drover.run.RunStoreException if the store cannot be read
     */
    public static Timeline fromStore(Path store, Path runsRoot) {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(runsRoot, "runsRoot");
        if (!Files.isRegularFile(store)) {
            throw new IllegalArgumentException("store: no run store at " + store.toAbsolutePath());
        }
        RunRecord run = RunStore.json(store).load().orElseThrow(
                () -> new IllegalArgumentException("store: no run store at " + store.toAbsolutePath()));
        return of(run, runsRoot);
    }

    /**
     * Writes the page to {@code file} (its directory is created), replacing it whole: a browser
     * reloading it never sees half a page. Links to the attempts' output are relative to the file's
     * directory (a page in the run directory links {@code ./train_0/1/stdout}).
     *
     * @param file where to write, e.g. {@code runs/study-timeline.html}
     * @return {@code file}
     * @throws UncheckedIOException if the file cannot be written, with the OS's reason
     */
    public Path write(Path file) {
        Objects.requireNonNull(file, "file");
        Path absolute = file.toAbsolutePath().normalize();
        byte[] page;
        Path tmp = null;
        try {
            Files.createDirectories(absolute.getParent());
            page = html(absolute.getParent()).getBytes(StandardCharsets.UTF_8);
            // A temporary file of its own: the manager's writes and a writeTimeline to the same file may overlap.
            tmp = Files.createTempFile(absolute.getParent(), "." + absolute.getFileName(), ".tmp");
            Files.write(tmp, page);
            try {
                Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the first problem is the one to report
                }
            }
            throw new UncheckedIOException("cannot write the timeline " + absolute + ": " + e, e);
        }
        return file;
    }

    /**
     * The page as text, with links to the attempts' output relative to {@code pageDir}.
     *
     * @param pageDir the directory the page is to be read from
     * @return the whole HTML page
     */
    public String html(Path pageDir) {
        Objects.requireNonNull(pageDir, "pageDir");
        return TimelineHtml.render(data, pageDir.toAbsolutePath().normalize());
    }

    /**
     * How many attempts the chart shows (one bar each).
     *
     * @return the number of attempts
     */
    public int attempts() {
        return data.attempts();
    }

    /**
     * The time of the record: attempts in progress reach up to it.
     *
     * @return when the record was taken
     */
    public Instant at() {
        return data.at();
    }

    /**
     * What the timeline shows, in a few words.
     *
     * @return e.g. {@code Timeline[study: 6 tasks, 8 attempts, as of 2026-12-05T10:15:00Z]}
     */
    @Override
    public String toString() {
        return "Timeline[" + data.run().bundle() + ": " + Plural.of(data.rows().size(), "task") + ", "
                + Plural.of(data.attempts(), "attempt") + ", as of " + data.at() + "]";
    }

    private static Instant at(RunRecord run) {
        return run.saved() != null ? run.saved() : Instant.now();
    }

    private static Function<String, Map<String, String>> paramsOf(Bundle bundle) {
        return name -> bundle.job(name).map(Job::params).orElse(Map.of());
    }

    private static Function<String, Map<String, String>> savedParams(RunRecord run, Path runsRoot) {
        try {   // a record edited by hand (a bundle name no run directory can have) is drawn all the same
            return paramsOf(Bundle.load(RunDirectory.at(RunDirectory.resolveStored(runsRoot, run.runDirectory()),
                    run.bundle()).recordFile()));
        } catch (RuntimeException e) {
            LOG.debug("timeline of {}: no parameters, the bundle record cannot be read: {}", run.bundle(), e.toString());
            return name -> Map.of();
        }
    }
}
