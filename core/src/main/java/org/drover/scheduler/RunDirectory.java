package org.drover.scheduler;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.drover.Names;
import org.drover.internal.IoErrors;
import org.drover.internal.Timestamps;
import org.drover.shell.CommandResult;
import org.drover.shell.LocalShell;
import org.drover.shell.Shell;

/**
 * The one directory layout every scheduler shares, so a person can {@code ls} a run and a tool
 * can find everything without asking the scheduler:
 *
 * <pre>
 * &lt;runs root&gt;/&lt;bundle&gt;_&lt;timestamp&gt;/        &lt;bundle&gt;_&lt;timestamp&gt;.json   (the bundle's record)
 *     &lt;job&gt;/&lt;attempt&gt;/                        job.json script.sh stdout stderr started exitcode
 * </pre>
 *
 * {@code started} holds "time host pid" and is written when the job starts; {@code exitcode} holds
 * the exit status and is written last, atomically: a job whose exit-code file exists has ended,
 * whatever the queue says.
 *
 * <p>A run store keeps the paths of a run relative to the runs root (the run directory's
 * parent), so that a runs root can be moved, or be another path on another machine:
 * {@link #toStored} gives that form, and {@link #resolveStored} is the one place where a stored
 * path is turned back into a path (an absolute one, as stores written before kept, or an output
 * file outside the runs root, stays as it is).
 *
 * <pre>{@code
 * RunDirectory run = RunDirectory.create(Path.of("runs"), "study");
 * Path dir = run.attemptDir("train_0", 1);      // runs/study_20261125-101500-123/train_0/1
 * OptionalInt code = RunDirectory.readExitCode(dir);
 * run.toStored(dir);                            // "study_20261125-101500-123/train_0/1"
 * run.resolveStored(attempt.attemptDir());      // /home/me/runs/study_20261125-101500-123/train_0/1
 * }</pre>
 */
public final class RunDirectory {
    /** The job as submitted for the attempt. */
    public static final String JOB_RECORD = "job.json";
    /** The script submitted for the attempt. */
    public static final String SCRIPT = "script.sh";
    /** Standard output, unless the job sets another path. */
    public static final String STDOUT = "stdout";
    /** Standard error, unless the job sets another path. */
    public static final String STDERR = "stderr";
    /** Written when the job starts: {@code <epoch seconds> <host> <pid>}. */
    public static final String STARTED = "started";
    /** The file holding the exit status, written last and atomically when the job ends. */
    public static final String EXIT_CODE = "exitcode";

    private final Path path;
    private final String bundleName;

    private RunDirectory(Path path, String bundleName) {
        this.path = path;
        this.bundleName = bundleName;
    }

    /**
     * Creates a new run directory {@code <runsRoot>/<bundle>_<timestamp>}, unique even within one millisecond.
     *
     * @param runsRoot the runs root
     * @param bundleName the bundle's name
     * @return the new run directory
     */
    public static RunDirectory create(Path runsRoot, String bundleName) {
        Names.requireBundleName(bundleName);
        try {
            Path root = runsRoot.toAbsolutePath().normalize();
            Files.createDirectories(root);
            return new RunDirectory(Timestamps.createUnique(root, bundleName + "_", "", true), bundleName);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a run directory in " + runsRoot + ": " + IoErrors.describe(e), e);
        }
    }

    /**
     * Creates a new run directory through a shell: on this machine as {@link #create(Path, String)};
     * on another machine (an SSH shell) with one {@code mkdir} there, which fails if the name is
     * taken (then the next millisecond's name is tried), so the name is unique there too.
     *
     * @param shell where the runs root is
     * @param runsRoot the runs root (absolute, on the shell's machine)
     * @param bundleName the bundle's name
     * @return the new run directory
     * @throws IllegalArgumentException if the runs root of another machine is not absolute
     * @throws UncheckedIOException if the directory cannot be created
     */
    public static RunDirectory create(Shell shell, Path runsRoot, String bundleName) {
        if (shell instanceof LocalShell) {
            return create(runsRoot, bundleName);
        }
        Names.requireBundleName(bundleName);
        if (!runsRoot.isAbsolute()) {
            throw new IllegalArgumentException("runs root '" + runsRoot + "' on " + shell.describe()
                    + " must be an absolute path there");
        }
        Path root = runsRoot.normalize();
        shell.createDirectories(root);
        java.time.Instant t = java.time.Instant.now();
        String last = "";
        for (int attempt = 0; attempt < 50; attempt++) {
            Path dir = root.resolve(bundleName + "_" + Timestamps.format(t.plusMillis(attempt)));
            CommandResult r = shell.run(List.of("mkdir", dir.toString()), Duration.ofSeconds(60));
            if (r.ok()) {
                return new RunDirectory(dir, bundleName);
            }
            last = r.message();
            if (!last.contains("File exists")) {
                break;
            }
        }
        throw new UncheckedIOException("cannot create a run directory in " + root + " on " + shell.describe() + ": "
                + last, new IOException(last));
    }

    /**
     * An existing run directory (or one on another machine's file system).
     *
     * @param path the run directory
     * @param bundleName the bundle's name
     * @return an existing run directory (or one on another machine's file system)
     */
    public static RunDirectory at(Path path, String bundleName) {
        return new RunDirectory(path.toAbsolutePath().normalize(), Names.requireBundleName(bundleName));
    }

    /**
     * The run directory itself, {@code <runs root>/<bundle>_<timestamp>}.
     *
     * @return the path
     */
    public Path path() {
        return path;
    }

    /**
     * The runs root this run directory lies in (its parent): paths in a run store are relative to it.
     *
     * @return the runs root, absolute
     */
    public Path runsRoot() {
        Path parent = path.getParent();
        return parent != null ? parent : path;
    }

    /**
     * A path as a run store keeps it ({@code RunRecord.runDirectory}, {@code AttemptRecord.attemptDir},
     * {@code stdout}, {@code stderr}), resolved against this run's runs root: relative paths are
     * relative to it; absolute ones (stores written before paths were relative, output files
     * outside the runs root) are kept. Every reader of stored paths goes through here.
     *
     * @param stored a path as the store keeps it
     * @return the absolute, normalized path
     */
    public Path resolveStored(String stored) {
        return resolveStored(runsRoot(), stored);
    }

    /**
     * As {@link #resolveStored(String)}, against a given runs root.
     *
     * @param runsRoot the runs root
     * @param stored a path as the store keeps it
     * @return the absolute, normalized path
     */
    public static Path resolveStored(Path runsRoot, String stored) {
        return runsRoot.toAbsolutePath().resolve(stored).normalize();
    }

    /**
     * The form in which a run store keeps a path of this run: relative to the runs root when it
     * lies inside it, else absolute.
     *
     * @param p a path, e.g. an attempt directory or an output file
     * @return e.g. {@code study_20261125-101500-123/train_0/1}
     */
    public String toStored(Path p) {
        return toStored(runsRoot(), p);
    }

    /**
     * As {@link #toStored(Path)}, against a given runs root.
     *
     * @param runsRoot the runs root
     * @param p a path
     * @return the path relative to the runs root when it lies inside it, else absolute
     */
    public static String toStored(Path runsRoot, Path p) {
        Path root = runsRoot.toAbsolutePath().normalize();
        Path abs = p.toAbsolutePath().normalize();
        return abs.startsWith(root) && !abs.equals(root) ? root.relativize(abs).toString() : abs.toString();
    }

    /**
     * Whether the run directory exists, as a directory, on this machine.
     *
     * @return whether it is a directory
     */
    public boolean exists() {
        return Files.isDirectory(path);
    }

    /**
     * Whether the run directory exists on the shell's machine.
     *
     * @param shell where the run directory is
     * @return whether it exists there ({@code test -d} on another machine; false if that cannot run)
     */
    public boolean exists(Shell shell) {
        if (shell instanceof LocalShell) {
            return exists();
        }
        return shell.run(List.of("test", "-d", path.toString()), Duration.ofSeconds(60)).ok();
    }

    /**
     * The bundle whose run this is.
     *
     * @return the bundle's name
     */
    public String bundleName() {
        return bundleName;
    }

    /**
     * The bundle record: {@code <run>/<run dir name>.json}.
     *
     * @return the bundle record: {@code <run>/<run dir name>.json}
     */
    public Path recordFile() {
        return path.resolve(path.getFileName() + ".json");
    }

    /**
     * {@code <run>/<job>/<attempt>}.
     *
     * @param jobName the job's name
     * @param attempt the attempt number (1 for the first)
     * @return the attempt's directory (not created by this call)
     */
    public Path attemptDir(String jobName, int attempt) {
        Names.requireJobName(jobName);
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be at least 1, got " + attempt);
        }
        return path.resolve(jobName).resolve(Integer.toString(attempt));
    }

    /**
     * The exit code written by the job's wrapper, if the job has ended.
     *
     * @param attemptDir the attempt's directory
     * @return the exit code written by the job's wrapper, if the job has ended
     */
    public static OptionalInt readExitCode(Path attemptDir) {
        return readLine(attemptDir.resolve(EXIT_CODE)).map(s -> {
            try {
                return OptionalInt.of(Integer.parseInt(s.trim()));
            } catch (NumberFormatException e) {
                return OptionalInt.empty();
            }
        }).orElse(OptionalInt.empty());
    }

    /**
     * Whether the job's wrapper recorded a start.
     *
     * @param attemptDir the attempt's directory
     * @return whether the job's wrapper recorded a start
     */
    public static boolean hasStarted(Path attemptDir) {
        return Files.exists(attemptDir.resolve(STARTED));
    }

    private static Optional<String> readLine(Path file) {
        try {
            return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
