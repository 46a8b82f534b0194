package org.drover.shell;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.drover.internal.AtomicFiles;
import org.drover.internal.IoErrors;
import org.drover.internal.Processes;

/**
 * Runs commands as processes of this machine and writes files on its file systems.
 *
 * <pre>{@code
 * Shell shell = LocalShell.create();                                  // inherits this JVM's PATH
 * Shell shimmed = LocalShell.withEnvironment(Map.of("PATH", "/opt/shims:/usr/bin"));
 * }</pre>
 */
public final class LocalShell implements Shell {
    private static final ExecutorService DRAINERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "drover-shell-drain");
        t.setDaemon(true);
        return t;
    });

    private final Map<String, String> environment;

    private LocalShell(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    /**
     * A shell with this JVM's environment.
     *
     * @return a shell with this JVM's environment
     */
    public static LocalShell create() {
        return new LocalShell(Map.of());
    }

    /**
     * A shell whose commands get these variables on top of this JVM's environment. A {@code PATH}
     * given here is also where a command's program is looked up (Java alone would search the JVM's
     * own PATH), so shims placed first on it are the ones run.
     *
     * @param overrides variables to set or replace
     * @return a shell whose commands get these variables on top of this JVM's environment
     */
    public static LocalShell withEnvironment(Map<String, String> overrides) {
        return new LocalShell(overrides);
    }

    @Override
    public CommandResult run(List<String> command, Duration timeout) {
        long start = System.nanoTime();
        ProcessBuilder pb = new ProcessBuilder(withProgramResolved(command));
        pb.environment().putAll(environment);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command.get(0) + ": " + IoErrors.describe(e), e);
        }
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(p.getInputStream()), DRAINERS);
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()), DRAINERS);
        Integer exit = null;
        try {
            if (p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                exit = p.exitValue();
            } else {
                Processes.killTree(p.toHandle(), true);
            }
            String stdout = out.get(10, TimeUnit.SECONDS);
            String stderr = err.get(10, TimeUnit.SECONDS);
            if (exit == null) {
                stderr = stderr + (stderr.isEmpty() ? "" : "\n") + "timed out after " + timeout.toMillis() + " ms";
            }
            return new CommandResult(command, exit, stdout, stderr, Duration.ofNanos(System.nanoTime() - start));
        } catch (InterruptedException e) {
            Processes.killTree(p.toHandle(), true);
            Thread.currentThread().interrupt();
            return new CommandResult(command, null, "", "interrupted", Duration.ofNanos(System.nanoTime() - start));
        } catch (ExecutionException | TimeoutException e) {
            return new CommandResult(command, exit, "", "output not readable: " + e,
                    Duration.ofNanos(System.nanoTime() - start));
        }
    }

    /**
     * The command with its program looked up in this shell's PATH, if it overrides the JVM's and
     * the program is a bare name: Java searches the JVM's own PATH, whatever the child's is.
     */
    private List<String> withProgramResolved(List<String> command) {
        String path = environment.get("PATH");
        String program = command.get(0);
        if (path == null || program.isEmpty() || program.indexOf('/') >= 0) {
            return command;
        }
        for (String dir : path.split(":", -1)) {
            try {
                Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    List<String> resolved = new ArrayList<>(command);
                    resolved.set(0, candidate.toString());
                    return resolved;
                }
            } catch (InvalidPathException e) {
                // not a usable directory; keep looking
            }
        }
        return command;   // not found: Java reports it as usual
    }

    private static String drain(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void writeFile(Path file, byte[] content) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            AtomicFiles.write(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + IoErrors.describe(e), e);
        }
    }

    @Override
    public void writeRecord(Path file, byte[] content) {
        try {
            AtomicFiles.writeUnsynced(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + IoErrors.describe(e), e);
        }
    }

    @Override
    public Optional<byte[]> readFile(Path file) {
        try {
            return Optional.of(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + IoErrors.describe(e), e);
        }
    }

    @Override
    public void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir + ": " + IoErrors.describe(e), e);
        }
    }

    @Override
    public String describe() {
        return "localhost";
    }

    /**
     * Where it runs commands, and what it sets on top of this JVM's environment.
     *
     * @return e.g. {@code LocalShell[localhost]} or {@code LocalShell[localhost, sets PATH]} (names, never values)
     */
    @Override
    public String toString() {
        // Names only: values may be secrets.
        return "LocalShell[localhost" + (environment.isEmpty() ? ""
                : ", sets " + String.join(", ", new java.util.TreeSet<>(environment.keySet()))) + "]";
    }
}
