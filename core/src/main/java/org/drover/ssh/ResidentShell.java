package org.drover.ssh;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import net.schmizz.sshj.connection.channel.direct.Session;
import org.drover.shell.ShellQuote;

/**
 * A shell that stays running on the machine, in one session, and runs command after command sent
 * to its stdin: a command then costs a fork on the machine instead of a new SSH session and a
 * login shell (sshd's session set-up and the user's shell are most of a short command's time).
 * The machine's setup lines run once, when it starts.
 *
 * <p>Each command runs in a background subshell that becomes it ({@code eval "exec <quoted words>"},
 * stdin from {@code /dev/null}): one fork, and nothing it does changes the server; the server prints its pid, waits for it and prints its status, on stdout and stderr
 * after its output ({@link FramedStream}). One command at a time: a {@link SshShell} keeps a few.
 * Each command leads a process group of its own ({@code setsid} where the machine has it); if
 * members of that group still run when it ends, its end frame says so ({@code L}) and the shell
 * is retired, since they may still write to its output.
 * A command killed by a signal has the status a shell gives it (128 + the signal's number), as
 * with {@link org.drover.shell.LocalShell}.
 */
final class ResidentShell {
    /**
     * The server: POSIX sh (dash, ksh, bash; run in bash, whose job control gives each command a
     * process group without an extra exec): the token first, then {@code <id> <line count>} and
     * the lines of each command.
     */
    static final String SERVER = String.join("\n",
            "IFS= read -r T || exit 0",
            // fd 3: the channel's stderr, for the commands and the frames; the server's own
            // messages (bash's job notices) go nowhere.
            "exec 3>&2 2>/dev/null",
            // Each command leads a process group of its own, so that what it leaves running can be
            // seen (and, on a timeout, killed with it): bash's job control (no extra exec), else
            // setsid (util-linux; a background child of this shell never leads a group, so setsid
            // never forks here), else none.
            "S=''; G=1",
            "if [ -n \"$BASH_VERSION\" ]; then set -m; elif command -v setsid >/dev/null 2>&1; then S='setsid '; else G=''; fi",
            "while IFS=' ' read -r id n; do",
            "  c=''",
            // A line cut short by the end of stdin (the connection went mid-command) ends the
            // server: a command that was not sent whole never runs.
            "  while [ \"$n\" -gt 0 ]; do IFS= read -r l || exit 0; c=\"$c$l",
            "\"; n=$((n-1)); done",
            "  eval \"exec $S$c\" </dev/null 2>&3 3>&- &",
            "  p=$!",
            "  printf '%sP %s %s\\n' \"$T\" \"$id\" \"$p\"",
            "  wait \"$p\"",
            "  s=$?",
            // Under job control wait also returns when the command is stopped (SIGSTOP): it would
            // stay stopped for ever, so it is killed, with its group.
            // (CONT as well: bash takes the next change of a stopped job for its end.)
            "  if kill -0 \"$p\" 2>/dev/null; then kill -KILL -\"$p\" 2>/dev/null || kill -KILL \"$p\"; "
                    + "kill -CONT -\"$p\" 2>/dev/null; wait \"$p\"; s=$?; fi",
            // L: processes of the command are still running (they may still write to this shell's output).
            "  r=''; [ -n \"$G\" ] && kill -0 -\"$p\" 2>/dev/null && r=' L'",
            "  printf '%sE %s %s%s\\n' \"$T\" \"$id\" \"$s\" \"$r\"",
            "  printf '%sE %s\\n' \"$T\" \"$id\" >&3",
            "done");

    /**
     * What one command did; {@code status} null if it did not end (timed out, the shell died, or
     * the waiting thread was interrupted). {@code leftovers}: it ended, but processes it started
     * still run and may still write to the shell's output, so the shell must not take another
     * command.
     */
    record Outcome(Integer status, byte[] stdout, byte[] stderr, Integer pid, boolean shellDied, boolean interrupted,
                   boolean leftovers) {
        static Outcome notEnded(byte[] stdout, byte[] stderr, Integer pid, boolean shellDied) {
            return new Outcome(null, stdout, stderr, pid, shellDied, false, false);
        }
    }

    private final Session session;
    private final Session.Command command;
    private final OutputStream stdin;
    private final FramedStream out;
    private final FramedStream err;
    private long nextId;
    private volatile boolean dead;

    private ResidentShell(Session session, Session.Command command, String token, ExecutorService readers) {
        this.session = session;
        this.command = command;
        this.stdin = command.getOutputStream();
        this.out = new FramedStream(token);
        this.err = new FramedStream(token);
        readers.submit(() -> out.pump(command.getInputStream()));
        readers.submit(() -> err.pump(command.getErrorStream()));
    }

    /**
     * Starts the server in the session: {@code bash -c <server>}, or {@code bash -lc} with the
     * setup lines first when there are any. Without bash on the machine the shell ends at once
     * ({@link CannotStart}) and the {@link SshShell} goes on with a session per command.
     */
    static ResidentShell start(Session session, List<String> setup, Duration startTimeout, ExecutorService readers)
            throws IOException {
        String line = setup.isEmpty() ? ShellQuote.join(List.of("bash", "-c", SERVER))
                : ShellQuote.join(List.of("bash", "-lc", String.join("\n", setup) + "\n" + SERVER));
        Session.Command cmd;
        try {
            cmd = session.exec(line);
        } catch (IOException | RuntimeException e) {
            closeQuietly(session);
            throw e;
        }
        byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        String token = "\u0001drover-" + HexFormat.of().formatHex(random) + ":";
        ResidentShell shell;
        try {
            shell = new ResidentShell(session, cmd, token, readers);
        } catch (RuntimeException e) {   // the readers are shut down: the SshShell is closing
            closeQuietly(cmd, session);
            throw new IOException("the shell is closing", e);
        }
        try {
            shell.send(token + "\n");
        } catch (IOException e) {
            shell.close();
            throw e;
        }
        // A first command whose output is dropped: whatever the user's rc files printed when the
        // shell started comes before its end, so no real command gets it.
        Outcome hello = shell.run("true", System.nanoTime() + startTimeout.toNanos());
        if (hello.status() == null) {
            shell.close();
            if (hello.interrupted()) {
                throw new InterruptedIOException("interrupted while a shell started");
            }
            String said = hello.stderr().length > 0 ? ": " + text(hello.stderr()).strip() : "";
            throw hello.shellDied() ? new CannotStart("the shell ended before its first command" + said)
                    : new IOException("the shell did not answer within " + startTimeout + said);
        }
        return shell;
    }

    /** The shell ended as it started, on a working connection: it cannot run on this machine. */
    static final class CannotStart extends IOException {
        CannotStart(String message) {
            super(message);
        }
    }

    /** Closes each in turn; one already gone does not keep the next open. */
    private static void closeQuietly(Closeable... all) {
        for (Closeable c : all) {
            try {
                c.close();
            } catch (IOException | RuntimeException ignored) {
                // already gone
            }
        }
    }

    /** Whether it can take a command: its server is still there (no end of its output seen). */
    boolean usable() {
        FramedStream.Frame next = out.frames().peek();
        return !dead && session.isOpen() && (next == null || next.kind() != 'X');
    }

    /**
     * Runs one command line (already quoted for a shell) and waits for it until the deadline.
     * A command that has not ended then is left running (the caller kills it by its pid) and the
     * outcome has a null status with the output so far.
     */
    synchronized Outcome run(String commandLine, long deadlineNanos) {
        long id = ++nextId;
        String[] lines = commandLine.split("\n", -1);
        try {
            send(id + " " + lines.length + "\n" + commandLine + "\n");
        } catch (IOException e) {
            dead = true;
            return Outcome.notEnded(new byte[0], new byte[0], null, true);
        }
        Integer pid = null;
        FramedStream.Frame endOut = null;
        FramedStream.Frame endErr = null;
        try {
            while (endOut == null) {
                FramedStream.Frame f = out.frames().poll(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (f == null) {
                    return Outcome.notEnded(out.pending(), err.pending(), pid, false);
                }
                if (f.kind() == 'X') {
                    dead = true;
                    return Outcome.notEnded(f.output(), err.pending(), pid, true);
                }
                if (f.id() != id) {
                    continue;   // the end of a command given up earlier
                }
                if (f.kind() == 'P') {
                    pid = f.number(0);
                } else if (f.kind() == 'E') {
                    endOut = f;
                }
            }
            while (endErr == null) {
                // The status is known: stderr's frame follows at once, but wait for it a little past the deadline.
                long wait = Math.max(deadlineNanos - System.nanoTime(), TimeUnit.SECONDS.toNanos(5));
                FramedStream.Frame f = err.frames().poll(wait, TimeUnit.NANOSECONDS);
                if (f == null || f.kind() == 'X') {
                    dead = true;
                    return Outcome.notEnded(endOut.output(), f == null ? err.pending() : f.output(), pid, true);
                }
                if (f.id() == id && f.kind() == 'E') {
                    endErr = f;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            dead = true;   // its next frames would be taken for another command's
            return new Outcome(null, out.pending(), err.pending(), pid, false, true, false);
        }
        boolean leftovers = endOut.words().length > 1 && endOut.words()[1].equals("L");
        return new Outcome(endOut.number(0), endOut.output(), endErr.output(), pid, false, false, leftovers);
    }

    /**
     * After a command was given up: waits until its end frames came (the caller killed it), so
     * the shell can take the next one; false if they did not come in time (then it is closed).
     */
    boolean settle(long deadlineNanos) {
        boolean outEnded = false;
        boolean errEnded = false;
        long id;
        synchronized (this) {
            id = nextId;
        }
        try {
            while (!outEnded || !errEnded) {
                BlockingQueue<FramedStream.Frame> q = outEnded ? err.frames() : out.frames();
                FramedStream.Frame f = q.poll(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (f == null || f.kind() == 'X') {
                    close();
                    return false;
                }
                if (f.kind() == 'E' && f.id() == id) {
                    if (!outEnded && f.words().length > 1 && f.words()[1].equals("L")) {
                        close();   // something of it still runs and may write to this shell's output
                        return false;
                    }
                    if (outEnded) {
                        errEnded = true;
                    } else {
                        outEnded = true;
                    }
                }
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            return false;
        }
    }

    private void send(String text) throws IOException {
        stdin.write(text.getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }

    /** Ends the server (its stdin closes) and the session. */
    void close() {
        dead = true;
        closeQuietly(stdin, command, session);
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
