package org.drover.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Supplier;
import org.drover.Bundle;
import org.drover.DroverException;
import org.drover.Job;
import org.drover.internal.Plural;
import org.drover.scheduler.RunDirectory;

/**
 * One task's results, to read back in a harness or a notebook: where it stands, its job and sweep
 * parameters, its attempts, and the last attempt's directory, output, exit code and elapsed time.
 * Get it from a running (or finished) manager with {@link RunManager#task(String)}, or from a saved
 * store with {@link #read(RunRecord, Path, String)}.
 *
 * <pre>{@code
 * TaskResult t = run.task("train_3");
 * t.state();                 // FAILED
 * t.params();                // {lr=0.01, seed=2}
 * t.exitCode();              // OptionalInt[137]
 * t.signal();                // Optional[SIGKILL]
 * t.stderrTail(10);          // the last 10 lines of its stderr
 * t.attemptDir();            // Optional[/home/me/runs/study_20261205-101500-123/train_3/1]
 *
 * RunRecord saved = RunStore.json(Path.of("runs/study.json")).load().orElseThrow();
 * TaskResult later = TaskResult.read(saved, Path.of("runs"), "train_3");   // no scheduler needed
 * }</pre>
 *
 * <p>The state, reason and attempts are those of the moment it was made; the files (output, exit
 * time) are read when asked for, from this machine's file system. It is immutable and may be kept.
 */
public final class TaskResult {
    /** The most {@link #stdout()} and {@link #stderr()} read: above it, read a tail or the file itself. */
    public static final long MAX_TEXT_BYTES = 16L * 1024 * 1024;

    private final String bundle;
    private final TaskRecord record;
    private final Supplier<Job> job;
    /** The last attempt's files, or null if no attempt was made. */
    private final AttemptFiles files;

    private TaskResult(String bundle, TaskRecord record, Supplier<Job> job, Path runsRoot) {
        this.bundle = bundle;
        this.record = record;
        this.job = job;
        AttemptRecord last = record.lastAttempt();
        this.files = last == null ? null : new AttemptFiles(last, runsRoot);
    }

    /** A task of a run manager, whose job the bundle holds. */
    static TaskResult of(String bundle, TaskRecord record, Job job, Path runsRoot) {
        return new TaskResult(bundle, record, () -> job, runsRoot);
    }

    /**
     * A task's results from a saved run, without a scheduler or manager: the job comes from the
     * bundle record in the run directory (or, if that is gone, from the last attempt's
     * {@code job.json}), the rest from the record and the attempt directory.
     *
     * <pre>{@code
     * RunRecord saved = RunStore.json(Path.of("runs/study.json")).load().orElseThrow();
     * TaskResult t = TaskResult.read(saved, Path.of("runs"), "train_3");
     * }</pre>
     *
     * @param run the run as its store holds it
     * @param runsRoot the runs root the run was made in (relative paths in the record are relative to it)
     * @param task the task's name, e.g. {@code train_3}
     * @return the task's results
     * @throws IllegalArgumentException if the run has no task of that name
     */
    public static TaskResult read(RunRecord run, Path runsRoot, String task) {
        Objects.requireNonNull(run, "run");
        Objects.requireNonNull(runsRoot, "runsRoot");
        Objects.requireNonNull(task, "task");
        TaskRecord record = run.tasks().stream().filter(t -> t.name().equals(task)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(noSuchTask(run.bundle(), task, run.tasks().size())));
        Supplier<Job> job = new Supplier<>() {
            private Job loaded;

            @Override
            public synchronized Job get() {
                if (loaded == null) {
                    loaded = savedJob(run, runsRoot, record);
                }
                return loaded;
            }
        };
        return new TaskResult(run.bundle(), record, job, runsRoot);
    }

    private static Job savedJob(RunRecord run, Path runsRoot, TaskRecord task) {
        Path bundleRecord = RunDirectory.at(AttemptFiles.resolve(runsRoot, run.runDirectory()), run.bundle()).recordFile();
        RuntimeException problem;
        try {
            Optional<Job> job = Bundle.load(bundleRecord).job(task.name());
            if (job.isPresent()) {
                return job.get();
            }
            problem = new DroverException("bundle record " + bundleRecord + " has no job '" + task.name() + "'");
        } catch (RuntimeException e) {
            problem = e;
        }
        AttemptRecord last = task.lastAttempt();
        if (last != null) {
            Path jobRecord = new AttemptFiles(last, runsRoot).dir().resolve(RunDirectory.JOB_RECORD);
            try {
                return Job.load(jobRecord);
            } catch (RuntimeException e) {
                problem.addSuppressed(e);
            }
        }
        throw new DroverException("cannot read the job of task '" + task.name() + "' of bundle '" + run.bundle()
                + "': " + problem.getMessage(), problem);
    }

    /** The message for a name that is no task of the bundle. */
    static String noSuchTask(String bundle, String task, int tasks) {
        return "bundle '" + bundle + "' has no task '" + task + "' (it has " + Plural.of(tasks, "task")
                + "; a sweep's tasks are named <sweep>_<index>, e.g. train_0)";
    }

    /**
     * The task's name.
     *
     * @return the name, e.g. {@code train_3}
     */
    public String name() {
        return record.name();
    }

    /**
     * The bundle's name.
     *
     * @return the name of the bundle the task belongs to
     */
    public String bundle() {
        return bundle;
    }

    /**
     * Where the task stands.
     *
     * @return its state
     */
    public TaskState state() {
        return record.state();
    }

    /**
     * Why it ended or waits, whole.
     *
     * @return the reason, "" if there is nothing to say
     */
    public String reason() {
        return record.reason();
    }

    /**
     * The job, as the bundle defines it (an attempt after a TIMEOUT or OUT_OF_MEMORY may have run
     * with more walltime or memory: see the attempt's {@code job.json}).
     *
     * @return the job
     * @throws DroverException if read from a saved run whose bundle record and job records cannot be read
     */
    public Job job() {
        return job.get();
    }

    /**
     * The sweep parameter values of the task's job, in declaration order.
     *
     * @return the values by parameter name; empty for a job outside a sweep
     * @throws DroverException as {@link #job()}
     */
    public Map<String, String> params() {
        return job().params();
    }

    /**
     * Every attempt, oldest first.
     *
     * @return the attempts; empty if none was made
     */
    public List<AttemptRecord> attempts() {
        return record.attempts();
    }

    /**
     * The latest attempt.
     *
     * @return the latest attempt, or empty if none was made
     */
    public Optional<AttemptRecord> lastAttempt() {
        return Optional.ofNullable(record.lastAttempt());
    }

    /**
     * The latest attempt's directory ({@code job.json}, {@code script.sh}, {@code started},
     * {@code exitcode}, and by default {@code stdout} and {@code stderr}).
     *
     * @return the directory, or empty if no attempt was made
     */
    public Optional<Path> attemptDir() {
        return files == null ? Optional.empty() : Optional.of(files.dir());
    }

    /**
     * Where the latest attempt's stdout goes.
     *
     * @return the path, or empty if no attempt was made
     */
    public Optional<Path> stdoutPath() {
        return files == null ? Optional.empty() : Optional.of(files.stdout());
    }

    /**
     * Where the latest attempt's stderr goes.
     *
     * @return the path, or empty if no attempt was made
     */
    public Optional<Path> stderrPath() {
        return files == null ? Optional.empty() : Optional.of(files.stderr());
    }

    /**
     * The latest attempt's whole stdout, as UTF-8 text (malformed bytes replaced).
     *
     * @return the text; "" if no attempt was made or it wrote no file (yet)
     * @throws IllegalStateException if the file is larger than {@link #MAX_TEXT_BYTES}: read {@link #stdoutTail} instead
     * @throws UncheckedIOException if the file exists but cannot be read, with the OS's reason
     */
    public String stdout() {
        return text(files == null ? null : files.stdout(), "stdout");
    }

    /**
     * The latest attempt's whole stderr, as UTF-8 text (malformed bytes replaced).
     *
     * @return the text; "" if no attempt was made or it wrote no file (yet)
     * @throws IllegalStateException if the file is larger than {@link #MAX_TEXT_BYTES}: read {@link #stderrTail} instead
     * @throws UncheckedIOException if the file exists but cannot be read, with the OS's reason
     */
    public String stderr() {
        return text(files == null ? null : files.stderr(), "stderr");
    }

    /**
     * The last lines of the latest attempt's stdout, read from at most the file's last 64 KiB
     * whatever its size (a line cut by that bound starts with {@code …}).
     *
     * @param lines how many lines at most
     * @return the lines, each followed by a newline; "" if none
     * @throws IllegalArgumentException if {@code lines} is negative
     * @throws UncheckedIOException if the file exists but cannot be read, with the OS's reason
     */
    public String stdoutTail(int lines) {
        return tail(files == null ? null : files.stdout(), lines);
    }

    /**
     * The last lines of the latest attempt's stderr, read from at most the file's last 64 KiB
     * whatever its size (a line cut by that bound starts with {@code …}).
     *
     * @param lines how many lines at most
     * @return the lines, each followed by a newline; "" if none
     * @throws IllegalArgumentException if {@code lines} is negative
     * @throws UncheckedIOException if the file exists but cannot be read, with the OS's reason
     */
    public String stderrTail(int lines) {
        return tail(files == null ? null : files.stderr(), lines);
    }

    /**
     * The latest attempt's exit code ({@code 128 + n} for a process ended by signal {@code n}).
     *
     * @return the exit code, or empty while unknown
     */
    public OptionalInt exitCode() {
        AttemptRecord last = record.lastAttempt();
        return last == null || last.exitCode() == null ? OptionalInt.empty() : OptionalInt.of(last.exitCode());
    }

    /**
     * The signal that ended the latest attempt's process, as its exit code tells (Linux's numbers).
     *
     * @return e.g. {@code SIGKILL} for exit code 137, {@code SIGTERM} for 143; empty for an exit code of 128 or less
     */
    public Optional<String> signal() {
        AttemptRecord last = record.lastAttempt();
        return ExitCodes.signal(last == null ? null : last.exitCode());
    }

    /**
     * How long the latest attempt's job ran: from its {@code started} record to its
     * {@code exitcode} file (or, if it wrote none, to when Drover saw it end), or until now while
     * it runs. Read from the attempt directory at each call.
     *
     * @return the time, or empty if the job has not started (or recorded no start)
     */
    public Optional<Duration> elapsed() {
        return files == null ? Optional.empty() : Optional.ofNullable(files.elapsed(Instant.now()));
    }

    /**
     * The host the latest attempt's job ran on, as its {@code started} record says.
     *
     * @return the host name, or empty if the job has not started
     */
    public Optional<String> host() {
        AttemptFiles.Start s = files == null ? null : files.started();
        return s == null || s.host().isEmpty() ? Optional.empty() : Optional.of(s.host());
    }

    private static String text(Path file, String what) {
        if (file == null) {
            return "";
        }
        try {
            long size = Files.size(file);
            if (size > MAX_TEXT_BYTES) {
                throw new IllegalStateException(what + " " + file + " has " + String.format(java.util.Locale.ROOT,
                        "%,d", size) + " bytes, more than " + MAX_TEXT_BYTES + ": read " + what
                        + "Tail(lines), or the file itself");
            }
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPLACE)
                    .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static String tail(Path file, int lines) {
        if (lines < 0) {
            throw new IllegalArgumentException("lines must be 0 or more, got " + lines);
        }
        if (file == null) {
            return "";
        }
        try {
            StringBuilder sb = new StringBuilder();
            for (String line : AttemptFiles.tail(file, lines)) {
                sb.append(line).append('\n');
            }
            return sb.toString();
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * One line: name, parameters, state, attempts, the last job and its directory, exit code and
     * elapsed time, and the reason.
     *
     * @return e.g. {@code TaskResult[train_3 {lr=0.01, seed=2} FAILED, 1 attempt, last job 17 in /home/me/runs/study_.../train_3/1, exit 137 (SIGKILL), elapsed 1:12: FAILED: exit code 137]}
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("TaskResult[").append(name());
        Map<String, String> p;
        try {
            p = params();
        } catch (RuntimeException e) {
            p = Map.of();   // a saved run without its records: the rest still says something
        }
        if (!p.isEmpty()) {
            sb.append(' ').append(p);
        }
        sb.append(' ').append(state()).append(", ").append(Plural.of(attempts().size(), "attempt"));
        AttemptRecord last = record.lastAttempt();
        if (last != null) {
            if (last.jobId() != null) {
                sb.append(", last job ").append(last.jobId());
            }
            sb.append(" in ").append(files.dir());
            if (last.exitCode() != null) {
                sb.append(", exit ").append(ExitCodes.describe(last.exitCode()));
            }
            elapsed().ifPresent(d -> sb.append(", elapsed ").append(RunReport.format(d)));
        }
        if (!reason().isEmpty()) {
            sb.append(": ").append(reason());
        }
        return sb.append(']').toString();
    }
}
