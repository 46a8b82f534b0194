package org.drover.shell;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Where scheduler commands run and job files are written: this machine ({@link LocalShell}) or,
 * later, a login node over one reused SSH connection. Every scheduler talks to the cluster only
 * through a Shell, so the same scheduler code works locally and remotely.
 *
 * <pre>{@code
 * Shell shell = LocalShell.create();
 * CommandResult r = shell.run(List.of("squeue", "--noheader"), Duration.ofSeconds(30));
 * if (!r.ok()) System.err.println(r.message());
 * }</pre>
 */
public interface Shell extends AutoCloseable {
    /**
     * Runs a command (no shell interprets the words) and waits for it, at most {@code timeout};
     * a command still running then is killed and reported with an unknown exit code.
     *
     * @return what the command printed, its exit code (null if unknown) and how long it took
     * @throws java.io.UncheckedIOException if the command could not be started at all
     * @param command the command words
     * @param timeout how long to wait at most
     */
    CommandResult run(List<String> command, Duration timeout);

    /**
     * Writes a file completely (flushed and synced to disk), creating parent directories.
     *
     * @param file an absolute path on the shell's machine
     * @param content the bytes to write
     */
    void writeFile(Path file, byte[] content);

    /**
     * Writes a record file (job.json, exitcode of a local job) atomically but without waiting for
     * the disk: for files nothing else must read before the next crash. The default is
     * {@link #writeFile}.
     *
     * @param file an absolute path on the shell's machine
     * @param content the bytes to write
     */
    default void writeRecord(Path file, byte[] content) {
        writeFile(file, content);
    }

    /**
     * The content of a file, or empty if it does not exist.
     *
     * @param file an absolute path on the shell's machine
     * @return the content of a file, or empty if it does not exist
     */
    Optional<byte[]> readFile(Path file);

    /**
     * The content of each of these small files that exists, in one round trip where the shell
     * allows (over SSH: one command for all): how a run manager looks at the {@code exitcode} and
     * {@code started} records of every active attempt on each poll. A file that does not exist, or
     * cannot be read, is absent from the answer. The default reads them one by one.
     *
     * @param files absolute paths on the shell's machine
     * @return the content of each file that exists, by path
     */
    default java.util.Map<Path, byte[]> readFiles(java.util.Collection<Path> files) {
        java.util.Map<Path, byte[]> found = new java.util.HashMap<>();
        for (Path f : files) {
            try {
                readFile(f).ifPresent(b -> found.put(f, b));
            } catch (RuntimeException e) {
                // unreadable now: absent, asked again at the next poll
            }
        }
        return found;
    }

    /**
     * Creates a directory and its parents.
     *
     * @param dir an absolute path on the shell's machine
     */
    void createDirectories(Path dir);

    /**
     * A name for messages: {@code localhost}, {@code user@login.cluster.org}.
     *
     * @return a name for messages: {@code localhost}, {@code user@login.cluster.org}
     */
    String describe();

    @Override
    default void close() {}
}
