package org.drover.testing;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.drover.shell.CommandResult;
import org.drover.shell.Shell;

/** A Shell that forwards to another and counts the commands run, by program name. For tests. */
public final class CountingShell implements Shell {
    private final Shell delegate;
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final List<List<String>> commands = new CopyOnWriteArrayList<>();

    /**
     * A shell that runs every command through {@code delegate} and counts it.
     *
     * @param delegate the shell that runs the commands
     */
    public CountingShell(Shell delegate) {
        this.delegate = delegate;
    }

    @Override
    public CommandResult run(List<String> command, Duration timeout) {
        counts.computeIfAbsent(command.get(0), k -> new AtomicInteger()).incrementAndGet();
        commands.add(List.copyOf(command));
        return delegate.run(command, timeout);
    }

    /**
     * How many times this program ran.
     *
     * @param program the program's name, the command's first word
     * @return how many times this program ran
     */
    public int count(String program) {
        AtomicInteger c = counts.get(program);
        return c == null ? 0 : c.get();
    }

    /**
     * Every command run, in order.
     *
     * @return every command run, in order
     */
    public List<List<String>> commands() {
        return List.copyOf(commands);
    }

    /** Forgets the counts so far. */
    public void reset() {
        counts.clear();
        commands.clear();
    }

    @Override
    public void writeFile(Path file, byte[] content) {
        delegate.writeFile(file, content);
    }

    @Override
    public Optional<byte[]> readFile(Path file) {
        return delegate.readFile(file);
    }

    @Override
    public void createDirectories(Path dir) {
        delegate.createDirectories(dir);
    }

    @Override
    public String describe() {
        return delegate.describe();
    }

    /**
     * The shell it forwards to and the counts so far.
     *
     * @return e.g. {@code CountingShell[localhost: sbatch 3, squeue 12]}
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("CountingShell[").append(delegate.describe()).append(':');
        new java.util.TreeMap<>(counts).forEach((program, n) -> sb.append(' ').append(program).append(' ').append(n.get()).append(','));
        if (sb.charAt(sb.length() - 1) == ',') {
            sb.setLength(sb.length() - 1);
        } else {
            sb.append(" no command yet");
        }
        return sb.append(']').toString();
    }
}
