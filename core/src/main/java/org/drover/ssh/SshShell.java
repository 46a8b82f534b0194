package org.drover.ssh;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.connection.channel.direct.Signal;
import net.schmizz.sshj.sftp.FileAttributes;
import net.schmizz.sshj.sftp.FileMode;
import net.schmizz.sshj.sftp.OpenMode;
import net.schmizz.sshj.sftp.PacketType;
import net.schmizz.sshj.sftp.RenameFlags;
import net.schmizz.sshj.sftp.SFTPClient;
import net.schmizz.sshj.sftp.SFTPEngine;
import net.schmizz.sshj.sftp.RemoteFile;
import net.schmizz.sshj.sftp.Response;
import net.schmizz.sshj.sftp.SFTPException;
import org.drover.shell.CommandResult;
import org.drover.shell.Shell;
import org.drover.shell.ShellQuote;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Shell} on a machine reached over SSH (sshj): one authenticated connection, through the
 * machine's jump hosts, reused for every command (a new session each), made again with backoff
 * when it is lost. Every scheduler works through it unchanged:
 * {@code SlurmScheduler.builder().shell(SshShell.open(machine))}.
 *
 * <ul>
 *   <li>Login: the keys of the user's SSH agent ({@link Machine#agent}), then the identity files
 *       (a passphrase from {@link Machine#passphrase}), then keyboard-interactive
 *       ({@link Machine#keyboardInteractive}); each jump host is logged in to the same way.</li>
 *   <li>Commands: by default sent to up to {@link Machine#residentShells} shells that stay
 *       running on the machine (one fork each instead of a session and a login shell; the setup
 *       lines run once per shell); with {@code residentShells(0)}, or where such a shell cannot
 *       start, each in a session of its own after the setup lines (in {@code bash -lc}). The
 *       words are quoted for the remote shell ({@link ShellQuote}); stdout and stderr are read
 *       while the command runs, so a huge output never blocks it; a command still running after
 *       its timeout is killed and reported with an unknown exit code, as is one whose exit status
 *       never came (never 0). At most {@link Machine#maxChannels} commands run at once.</li>
 *   <li>Files: written by SFTP under a temporary name, synced ({@code fsync@openssh.com}) and
 *       renamed into place ({@code posix-rename@openssh.com}), so a half-written script is never
 *       submitted; {@link #readFiles} reads many small files with one command; directories are
 *       made by SFTP.</li>
 *   <li>Errors: a machine that cannot be reached, an unknown or changed host key, a failed
 *       authentication is an {@link SshException} naming the machine (and the host key's
 *       fingerprint).</li>
 * </ul>
 *
 * <pre>{@code
 * Machine cluster = Machines.load().get("cluster");          // or Machine.ssh("login.cluster.org")...
 * try (SlurmScheduler slurm = SlurmScheduler.builder().shell(SshShell.open(cluster)).build()) {
 *     RunManager run = RunManager.of(bundle).on(slurm).runsRoot(Path.of("/scratch/me/runs")).start();
 *     System.out.println(run.awaitCompletion());
 * }
 * }</pre>
 */
public final class SshShell implements Shell {
    private static final Logger LOG = LoggerFactory.getLogger(SshShell.class);
    private final Machine machine;
    private final SshConnection connection;
    private final Semaphore channels;
    private final ExecutorService readers;
    private final Set<Path> madeDirectories = ConcurrentHashMap.newKeySet();
    /** Resident shells waiting for a command, and how many may run commands at once (none: a session per command). */
    private final BlockingDeque<ResidentShell> idleResidents = new LinkedBlockingDeque<>();
    private final Semaphore residentSlots;
    /** Whether commands go to resident shells; false for good once one cannot start on a working connection. */
    private volatile boolean resident;
    /** Starts of a resident shell that did not answer in time on a working connection; at the cap, resident shells go off. */
    private final AtomicInteger startFailures = new AtomicInteger();
    private static final int MAX_START_FAILURES = 3;

    private SshShell(Machine machine) {
        this.machine = machine;
        this.connection = new SshConnection(machine);
        this.channels = new Semaphore(machine.maxChannels(), true);
        this.resident = machine.residentShells() > 0;
        this.residentSlots = new Semaphore(Math.max(1, machine.residentShells()), true);
        this.readers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "drover-ssh-" + machine.name());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * A shell on the machine; it connects at its first command.
     *
     * @param machine the machine
     * @return the shell
     */
    public static SshShell open(Machine machine) {
        return new SshShell(java.util.Objects.requireNonNull(machine, "machine"));
    }

    /**
     * The machine.
     *
     * @return the machine
     */
    public Machine machine() {
        return machine;
    }

    /**
     * Whether commands go to resident shells ({@link Machine#residentShells}): false when the
     * machine sets none, or once one could not start on a working connection (a restricted
     * account), after which every command has a session of its own.
     *
     * @return whether resident shells are in use
     */
    public boolean usesResidentShells() {
        return resident;
    }

    /**
     * How many times a connection was made: 1 while it was never lost.
     *
     * @return connections made so far
     */
    public int connections() {
        return connection.connects();
    }

    @Override
    public CommandResult run(List<String> command, Duration timeout) {
        if (resident) {
            CommandResult r = inResident(command, ShellQuote.join(command), timeout);
            if (r != null) {
                return r;
            }
        }
        return exec(command, commandLine(command), timeout);
    }

    /** A command of Drover's own (no setup lines needed): in a resident shell if there are any. */
    private CommandResult runPlain(List<String> command, Duration timeout) {
        String line = ShellQuote.join(command);
        if (resident) {
            CommandResult r = inResident(command, line, timeout);
            if (r != null) {
                return r;
            }
        }
        return exec(command, line, timeout);
    }

    /**
     * Runs the command in a resident shell (one idle, or a new one while fewer than
     * {@link Machine#residentShells} run), which then takes the next command. A command that times
     * out is killed by its pid (with its children) through a session of its own, and the shell is
     * used again once the command's end came.
     *
     * @return what the command did, or null if it did not run because resident shells cannot
     *     start on this machine (then they are off for good, and the caller runs it in a session)
     */
    private CommandResult inResident(List<String> command, String line, Duration timeout) {
        long start = System.nanoTime();
        try {
            residentSlots.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new CommandResult(command, null, "", "interrupted", elapsed(start));
        }
        boolean slotHeld = true;
        boolean channelHeld = false;
        try {
            acquire();
            channelHeld = true;
            ResidentShell shell = idleResidents.pollFirst();
            while (shell != null && !shell.usable()) {
                discard(shell);
                shell = idleResidents.pollFirst();
            }
            if (shell == null) {
                try {
                    shell = ResidentShell.start(connection.session(), machine.setup(), machine.connectTimeout(), readers);
                } catch (InterruptedIOException e) {
                    Thread.currentThread().interrupt();
                    return new CommandResult(command, null, "", "interrupted", elapsed(start));
                } catch (IOException e) {
                    if (!connection.isUp()) {
                        // The connection is checked again by the next session; this command did not run.
                        return new CommandResult(command, null, "", "machine '" + machine.name()
                                + "': cannot start a shell on " + describe() + ": " + e.getMessage(), elapsed(start));
                    }
                    // The connection works but the shell does not: it ended at once (a restricted
                    // account's forced command), or did not answer in time again and again.
                    if (e instanceof ResidentShell.CannotStart || startFailures.incrementAndGet() >= MAX_START_FAILURES) {
                        residentOff(e.getMessage());
                    } else {
                        LOG.atInfo().log("machine '{}': a resident shell did not start on {} ({}); this command "
                                + "runs in a session of its own", machine.name(), describe(), e.getMessage());
                    }
                    return null;
                }
            }
            // The timeout counts from here: a shell's start is not the command's time.
            ResidentShell.Outcome o = shell.run(line, System.nanoTime() + timeout.toNanos());
            String out = ResidentShell.text(o.stdout());
            String err = ResidentShell.text(o.stderr());
            if (o.status() != null) {
                if (o.leftovers()) {
                    // What the command left running may still write into the shell's output: a
                    // shell of its own for the next command (those processes are left alone).
                    discard(shell);
                } else {
                    idleResidents.addFirst(shell);
                }
                return new CommandResult(command, o.status(), out, err, elapsed(start));
            }
            if (o.shellDied()) {
                discard(shell);
                return new CommandResult(command, null, out, err + (err.isEmpty() ? "" : "\n") + "connection to "
                        + describe() + " lost while the command ran (its shell ended)", elapsed(start));
            }
            // Timed out or interrupted. The kill takes a channel of its own: this one's is given
            // back first, or a full cap would wait forever.
            channels.release();
            channelHeld = false;
            ResidentShell ended = shell;
            Integer pid = o.pid();
            if (o.interrupted() || pid == null) {
                // Its end frames may never come (or come for nobody): the shell goes; the command
                // is killed in the background (the interrupted thread cannot take a channel).
                discard(ended);
                if (pid != null) {
                    submitQuietly(() -> killTree(pid));
                }
                return new CommandResult(command, null, out, err + (err.isEmpty() ? "" : "\n")
                        + (o.interrupted() ? "interrupted while it ran on " + describe() + (pid == null ? "" : "; it is killed")
                        : "timed out after " + timeout + " on " + describe()
                                + " before it was seen to start; its shell was closed"), elapsed(start));
            }
            try {
                killTree(pid);
            } catch (RuntimeException e) {
                discard(ended);
                throw e;
            }
            // Take the shell back once the command's end came.
            slotHeld = false;
            boolean queued = submitQuietly(() -> {
                try {
                    if (ended.settle(System.nanoTime() + TimeUnit.SECONDS.toNanos(10))) {
                        idleResidents.addFirst(ended);
                    } else {
                        discard(ended);
                    }
                } finally {
                    residentSlots.release();
                }
            });
            if (!queued) {
                slotHeld = true;
                ended.close();
            }
            return new CommandResult(command, null, out, err + (err.isEmpty() ? "" : "\n") + "timed out after "
                    + timeout + " on " + describe() + "; the command was killed", elapsed(start));
        } finally {
            if (channelHeld) {
                channels.release();
            }
            if (slotHeld) {
                residentSlots.release();
            }
        }
    }

    /** Resident shells off for good: every command gets a session of its own from now on. */
    private synchronized void residentOff(String why) {
        if (!resident) {
            return;
        }
        resident = false;
        LOG.atWarn().log("machine '{}': a resident shell cannot start on {} ({}); a session per command from now on",
                machine.name(), describe(), why);
        for (ResidentShell r; (r = idleResidents.pollFirst()) != null; ) {
            discard(r);
        }
    }

    /** Runs it on the reader pool; false if the pool is shut down (the shell is closing). */
    private boolean submitQuietly(Runnable task) {
        try {
            readers.submit(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /**
     * Kills a command of a resident shell on the machine, through a session of its own: its
     * process group (each command leads one, {@code setsid}), then what is left of its process
     * tree, deepest first.
     */
    private void killTree(int pid) {
        String script = "kill -KILL -\"$0\" 2>/dev/null; "
                + "k() { for c in $(pgrep -P \"$1\" 2>/dev/null); do k \"$c\"; done; kill -KILL \"$1\" 2>/dev/null; }; k \"$0\"";
        List<String> command = List.of("sh", "-c", script, Integer.toString(pid));
        exec(command, ShellQuote.join(command), Duration.ofSeconds(30));
    }

    /** Closes a resident shell in the background: closing waits for the server's answer. */
    private void discard(ResidentShell shell) {
        try {
            readers.submit(shell::close);
        } catch (RejectedExecutionException e) {
            // the shell is closing: the connection's end closes it
        }
    }

    /** The line the remote shell runs: the quoted words, after the setup lines if there are any. */
    String commandLine(List<String> command) {
        String words = ShellQuote.join(command);
        if (machine.setup().isEmpty()) {
            return words;
        }
        return ShellQuote.join(List.of("bash", "-lc", String.join("\n", machine.setup()) + "\n" + words));
    }

    private CommandResult exec(List<String> command, String line, Duration timeout) {
        long start = System.nanoTime();
        acquire();
        try {
            Session session = connection.session();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            boolean closeLater = false;
            try {
                Session.Command cmd = session.exec(line);
                Future<?> outReader = readers.submit(() -> copy(cmd.getInputStream(), out));
                Future<?> errReader = readers.submit(() -> copy(cmd.getErrorStream(), err));
                long deadline = start + timeout.toNanos();
                boolean ended = await(outReader, deadline) && await(errReader, deadline);
                if (!ended) {
                    // Ask the command to stop, and close its channel in the background: closing waits
                    // for the server, which answers only when the command ends.
                    closeLater = true;
                    readers.submit(() -> {
                        try {
                            cmd.signal(Signal.KILL);
                        } catch (IOException | RuntimeException ignored) {
                            // servers that do not take signals: the channel is closed all the same
                        }
                        closeQuietly(session);
                    });
                    return new CommandResult(command, null, text(out), text(err) + (text(err).isEmpty() ? "" : "\n")
                            + "timed out after " + timeout + " on " + describe() + "; the command was closed",
                            elapsed(start));
                }
                cmd.join(5, TimeUnit.SECONDS);
                Integer exit = cmd.getExitStatus();
                String extra = "";
                if (exit == null) {
                    extra = cmd.getExitSignal() != null ? "killed by signal " + cmd.getExitSignal() + " on " + describe()
                            : "no exit status came from " + describe();
                }
                return new CommandResult(command, exit, text(out),
                        text(err) + (extra.isEmpty() || text(err).isEmpty() ? "" : "\n") + extra, elapsed(start));
            } catch (IOException e) {
                closeLater = true;   // the connection is dropped below
                // Started, and the connection went away: how it ended is unknown.
                connection.drop(e.getMessage());
                return new CommandResult(command, null, text(out), text(err) + (text(err).isEmpty() ? "" : "\n")
                        + "connection to " + describe() + " lost while the command ran: " + e.getMessage(), elapsed(start));
            } finally {
                if (!closeLater) {
                    closeQuietly(session);
                }
            }
        } finally {
            channels.release();
        }
    }

    private static void closeQuietly(Session session) {
        try {
            session.close();
        } catch (IOException | RuntimeException ignored) {
            // already closed by the server, or the connection is gone
        }
    }

    private static boolean await(Future<?> reader, long deadlineNanos) {
        try {
            reader.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            return true;   // the stream broke: the command's end tells the rest
        }
    }

    private static Void copy(InputStream in, ByteArrayOutputStream to) throws IOException {
        byte[] buf = new byte[64 * 1024];
        int n;
        while ((n = in.read(buf)) >= 0) {
            synchronized (to) {
                to.write(buf, 0, n);
            }
        }
        return null;
    }

    private static String text(ByteArrayOutputStream b) {
        synchronized (b) {
            return b.toString(StandardCharsets.UTF_8);
        }
    }

    private static Duration elapsed(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    private void acquire() {
        try {
            channels.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SshException("interrupted while waiting for a channel to " + describe(), false,
                    new InterruptedIOException());
        }
    }

    // ---- files ----

    /** By SFTP under a temporary name in the same directory, synced, then renamed over the file. */
    @Override
    public void writeFile(Path file, byte[] content) {
        write(file, content, true);
    }

    /** As {@link #writeFile}, without the sync. */
    @Override
    public void writeRecord(Path file, byte[] content) {
        write(file, content, false);
    }

    private void write(Path file, byte[] content, boolean sync) {
        Path target = absolute(file);
        Path dir = target.getParent();
        for (int attempt = 1; ; attempt++) {
            if (dir != null && !madeDirectories.contains(dir)) {
                createDirectories(dir);
            }
            Path temp = dir.resolve("." + target.getFileName() + ".tmp-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
            SFTPClient sftp = connection.sftp();
            try {
                SFTPEngine engine = sftp.getSFTPEngine();
                byte[] handle = openForWriting(engine, temp.toString());
                try (RemoteFile remote = new RemoteFile(engine, temp.toString(), handle)) {
                    int chunk = 32 * 1024;
                    for (int off = 0; off < content.length; off += chunk) {
                        remote.write(off, content, off, Math.min(chunk, content.length - off));
                    }
                    if (sync) {
                        fsync(engine, handle);
                    }
                }
                // OpenSSH's posix-rename: atomic, replacing the file a reader may have open.
                sftp.rename(temp.toString(), target.toString(), EnumSet.of(RenameFlags.OVERWRITE));
                return;
            } catch (SFTPException e) {
                if (!serverRefused(e)) {   // a timeout or a dead channel: the connection goes
                    connection.drop("sftp write failed: " + e.getMessage());
                    throw new SshException("machine '" + machine.name() + "': cannot write " + file + " on " + describe()
                            + ": " + e.getMessage(), false, e);
                }
                // The server said no (permission, quota, no such directory): the connection is fine.
                removeQuietly(sftp, temp);
                if (attempt == 1 && e.getStatusCode() == Response.StatusCode.NO_SUCH_FILE && madeDirectories.remove(dir)) {
                    // The directory was removed on the machine since it was made: make it (and
                    // whatever above it went too) again.
                    madeDirectories.removeIf(dir::startsWith);
                    continue;
                }
                throw new SshException("machine '" + machine.name() + "': cannot write " + file + " on " + describe() + ": "
                        + e.getMessage(), false, e);
            } catch (IOException e) {
                connection.drop("sftp write failed: " + e.getMessage());
                throw new SshException("machine '" + machine.name() + "': cannot write " + file + " on " + describe() + ": "
                        + e.getMessage(), false, e);
            }
        }
    }

    /**
     * Whether an SFTP error is the server's answer (a status such as permission denied or no
     * such file) rather than a request that timed out or a channel that died, which sshj also
     * reports as an SFTPException, with status UNKNOWN.
     */
    private static boolean serverRefused(SFTPException e) {
        return e.getStatusCode() != null && e.getStatusCode() != Response.StatusCode.UNKNOWN && e.getCause() == null;
    }

    private static void removeQuietly(SFTPClient sftp, Path file) {
        try {
            if (sftp.statExistence(file.toString()) != null) {
                sftp.rm(file.toString());
            }
        } catch (IOException | RuntimeException ignored) {
            // nothing more to do
        }
    }

    /**
     * A path on the machine, which must be absolute: a relative one would be resolved against
     * this JVM's working directory, not the remote home.
     */
    private Path absolute(Path remote) {
        if (!remote.isAbsolute()) {
            throw new IllegalArgumentException("machine '" + machine.name() + "': remote path '" + remote
                    + "' must be absolute");
        }
        return remote.normalize();
    }

    /**
     * SFTP OPEN (write, create, truncate) as {@code SFTPClient.open} sends it, keeping the handle
     * the server gives: {@code fsync@openssh.com} needs it, and sshj's {@code RemoteFile} does not
     * hand it out.
     */
    private static byte[] openForWriting(SFTPEngine engine, String path) throws IOException {
        return engine.request(engine.newRequest(PacketType.OPEN)
                        .putString(path, engine.getSubsystem().getRemoteCharset())
                        .putUInt32(OpenMode.toMask(EnumSet.of(OpenMode.WRITE, OpenMode.CREAT, OpenMode.TRUNC)))
                        .putFileAttributes(FileAttributes.EMPTY))
                .retrieve(engine.getTimeoutMs(), TimeUnit.MILLISECONDS)
                .ensurePacketTypeIs(PacketType.HANDLE)
                .readBytes();
    }

    /**
     * OpenSSH's {@code fsync@openssh.com} on an open file, where the server has it (sshj does not
     * offer it: the request is built here, with the file's handle). Without it, the close still
     * hands the data to the server's file system.
     */
    private static void fsync(SFTPEngine engine, byte[] handle) throws IOException {
        if (!engine.supportsServerExtension("fsync", "openssh.com")) {
            return;
        }
        engine.request(engine.newExtendedRequest("fsync@openssh.com").putString(handle))
                .retrieve(engine.getTimeoutMs(), TimeUnit.MILLISECONDS).ensureStatusPacketIsOK();
    }

    @Override
    public Optional<byte[]> readFile(Path file) {
        try (RemoteFile remote = connection.sftp().open(file.toString(), EnumSet.of(OpenMode.READ))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[32 * 1024];
            long off = 0;
            int n;
            while ((n = remote.read(off, buf, 0, buf.length)) > 0) {
                out.write(buf, 0, n);
                off += n;
            }
            return Optional.of(out.toByteArray());
        } catch (SFTPException e) {
            if (e.getStatusCode() == Response.StatusCode.NO_SUCH_FILE) {
                return Optional.empty();
            }
            throw new SshException("machine '" + machine.name() + "': cannot read " + file + ": " + e.getMessage(), false, e);
        } catch (IOException e) {
            connection.drop("sftp read failed: " + e.getMessage());
            throw new SshException("machine '" + machine.name() + "': cannot read " + file + ": " + e.getMessage(), false, e);
        }
    }

    /**
     * One command for all the files: for each that exists and can be read, a line
     * {@code <index> <size>} and its bytes. Files that do not exist are absent from the answer; if
     * the command fails, the answer is empty (asked again at the next poll).
     */
    @Override
    public Map<Path, byte[]> readFiles(Collection<Path> files) {
        Map<Path, byte[]> found = new LinkedHashMap<>();
        if (files.isEmpty()) {
            return found;
        }
        List<Path> list = new ArrayList<>(files);
        List<String> command = new ArrayList<>(List.of("sh", "-c",
                "i=0; for f in \"$@\"; do if [ -f \"$f\" ] && [ -r \"$f\" ]; then "
                        + "s=$(wc -c < \"$f\") && printf '%s %s\\n' \"$i\" $s && head -c \"$s\" \"$f\"; fi; i=$((i+1)); done",
                "sh"));
        list.forEach(p -> command.add(p.toString()));
        CommandResult r;
        try {
            r = runPlain(command, Duration.ofSeconds(60));
        } catch (SshException e) {
            return found;
        }
        if (r.exitCode() == null) {
            return found;
        }
        return parseRecords(r.stdout(), list);
    }

    /** Reads {@code <index> <size>\n<content>} blocks; sizes are bytes of UTF-8 content. */
    static Map<Path, byte[]> parseRecords(String stdout, List<Path> files) {
        Map<Path, byte[]> found = new LinkedHashMap<>();
        byte[] all = stdout.getBytes(StandardCharsets.UTF_8);
        int pos = 0;
        while (pos < all.length) {
            int nl = pos;
            while (nl < all.length && all[nl] != '\n') {
                nl++;
            }
            String[] head = new String(all, pos, nl - pos, StandardCharsets.US_ASCII).trim().split(" ");
            if (head.length != 2) {
                break;
            }
            int index;
            int size;
            try {
                index = Integer.parseInt(head[0]);
                size = Integer.parseInt(head[1]);
            } catch (NumberFormatException e) {
                break;
            }
            int from = nl + 1;
            if (index < 0 || index >= files.size() || size < 0 || from + size > all.length) {
                break;
            }
            found.put(files.get(index), java.util.Arrays.copyOfRange(all, from, from + size));
            pos = from + size;
        }
        return found;
    }

    /**
     * Copies a local file or directory (recursively) to the machine, before a job that reads it:
     * {@code shell.stageIn(Path.of("data/train.csv"), Path.of("/scratch/me/data/train.csv"))}.
     * The remote parent directory is created.
     *
     * @param local a file or directory on this machine
     * @param remote where it goes on the machine
     * @throws SshException if it cannot be copied
     */
    public void stageIn(Path local, Path remote) {
        Path parent = absolute(remote).getParent();
        if (parent != null) {
            createDirectories(parent);
        }
        try {
            connection.sftp().getFileTransfer().upload(local.toString(), remote.toString());
        } catch (IOException e) {
            throw new SshException("machine '" + machine.name() + "': cannot copy " + local + " to " + remote + " on "
                    + describe() + ": " + e.getMessage(), false, e);
        }
    }

    /**
     * Copies a file or directory (recursively) of the machine here, after a job wrote it: a job's
     * attempt directory, or its results.
     *
     * @param remote a file or directory on the machine
     * @param local where it goes on this machine (its parent is created)
     * @throws SshException if it cannot be copied
     */
    public void stageOut(Path remote, Path local) {
        try {
            Path parent = local.toAbsolutePath().getParent();
            if (parent != null) {
                java.nio.file.Files.createDirectories(parent);
            }
            connection.sftp().getFileTransfer().download(remote.toString(), local.toString());
        } catch (IOException e) {
            throw new SshException("machine '" + machine.name() + "': cannot copy " + remote + " from " + describe()
                    + " to " + local + ": " + e.getMessage(), false, e);
        }
    }

    /**
     * By SFTP: each missing directory from the first that exists down (a few round trips, no
     * command); one made meanwhile by someone else is fine.
     */
    @Override
    public void createDirectories(Path dir) {
        Path abs = absolute(dir);
        try {
            mkdirs(connection.sftp(), abs);
        } catch (IOException e) {
            if (!(e instanceof SFTPException sftpError && serverRefused(sftpError))) {
                connection.drop("sftp mkdir failed: " + e.getMessage());
            }
            throw new SshException("machine '" + machine.name() + "': cannot create " + dir + " on " + describe() + ": "
                    + e.getMessage(), false, e);
        }
    }

    private void mkdirs(SFTPClient sftp, Path dir) throws IOException {
        if (madeDirectories.contains(dir) || isDirectory(sftp, dir)) {
            madeDirectories.add(dir);
            return;
        }
        Path parent = dir.getParent();
        if (parent != null) {
            mkdirs(sftp, parent);
        }
        try {
            sftp.mkdir(dir.toString());
        } catch (SFTPException e) {
            if (!isDirectory(sftp, dir)) {   // not made by someone else meanwhile either
                throw e;
            }
        }
        madeDirectories.add(dir);
    }

    private static boolean isDirectory(SFTPClient sftp, Path dir) throws IOException {
        FileAttributes a = sftp.statExistence(dir.toString());
        return a != null && a.getType() == FileMode.Type.DIRECTORY;
    }

    @Override
    public String describe() {
        return connection.route().get(connection.route().size() - 1).describe();
    }

    /** Closes the connection (jobs started through it keep running: a scheduler detaches). */
    @Override
    public void close() {
        connection.close();   // first: the shells' sessions then close at once, even on a dead network
        for (ResidentShell r; (r = idleResidents.pollFirst()) != null; ) {
            r.close();
        }
        readers.shutdownNow();
    }

    @Override
    public String toString() {
        return "SshShell[" + machine.name() + ": " + describe() + "]";
    }
}
