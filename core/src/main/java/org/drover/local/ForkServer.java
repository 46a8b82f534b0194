package org.drover.local;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A long-lived python3 process that starts processes on request (script: {@code fork-server.py}
 * next to this class). The JVM launches it once; each job then costs one {@code posix_spawn}
 * (vfork + exec: no copy of the server, one exec), instead of the JDK's default launch
 * (posix_spawn of {@code jspawnhelper}, which then execs the program: two execs per process).
 * A shell cannot serve here: its fork copies it (as costly as an exec on a loaded VM) and it
 * needs a second fork per job to wait for it.
 *
 * <p>Requests are NUL-delimited fields on the server's stdin, never evaluated as shell code;
 * reports come back as lines on its stdout, read by one daemon thread that calls the
 * {@link Listener}. Each job leads its own process group, so {@link #signal} reaches everything
 * it started that stayed in the group.
 *
 * <pre>{@code
 * ForkServer fs = ForkServer.start(listener);   // listener.started(id, pid), exited(id, status), ...
 * fs.launch("7", dir, dir.resolve("stdout"), dir.resolve("stderr"), dir, "", List.of(), List.of("A=1"), List.of("true"));
 * fs.signal(pid, "TERM");
 * fs.close();                                    // the server exits once its jobs have
 * }</pre>
 */
final class ForkServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ForkServer.class);
    private static final String SCRIPT = loadScript();
    private static final String PYTHON = findPython();

    /** Receives the server's reports, on its reader thread, in the order the server wrote them. */
    public interface Listener {
        /** The job runs as {@code pid}, which is also its process group id. */
        void started(String id, long pid);

        /** The job could not start; {@code what} is dir, stdout, stderr, env or command. Its exit follows. */
        void cannotStart(String id, String what);

        /** The job ended: its exit code, or 128 + the signal that ended it. */
        void exited(String id, int status);

        /** The server's stdout ended: it exited (with {@code exitCode}), whether asked to or not. */
        void serverEnded(ForkServer server, int exitCode);
    }

    private final Process process;
    private final OutputStream requests;
    private volatile boolean closing;

    private ForkServer(Process process) {
        this.process = process;
        this.requests = process.getOutputStream();
    }

    /** Whether python3 (3.9 or later, for pidfds) is on the PATH to run a fork server. */
    public static boolean available() {
        return PYTHON != null;
    }

    private static String findPython() {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, "python3");
            if (Files.isExecutable(p) && !Files.isDirectory(p)) {
                return p.toAbsolutePath().toString();
            }
        }
        return null;
    }

    /** Starts a fork server and its reader thread; IOException if it cannot start or answer. */
    public static ForkServer start(Listener listener) throws IOException {
        if (PYTHON == null) {
            throw new IOException("no python3 on the PATH");
        }
        // -S: no site import (faster start); -c: the script, then its name.
        ProcessBuilder pb = new ProcessBuilder(PYTHON, "-S", "-c", SCRIPT, "drover-fork-server");
        Map<String, String> env = pb.environment();
        // Python would otherwise coerce a C locale (PEP 538) into LC_CTYPE, which jobs would inherit.
        if (env.containsKey("PYTHONCOERCECLOCALE")) {
            env.put("DROVER_FORK_SERVER_KEEP_COERCE", "1");
        }
        env.putIfAbsent("PYTHONCOERCECLOCALE", "0");
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        ForkServer server = new ForkServer(pb.start());
        Thread reader = new Thread(() -> server.read(listener), "drover-fork-server-" + server.pid());
        reader.setDaemon(true);
        reader.start();
        return server;
    }

    /** Whether every field can be sent (a field cannot hold NUL). */
    public static boolean canCarry(List<String> fields) {
        for (String f : fields) {
            if (f.indexOf('\0') >= 0) {
                return false;
            }
        }
        return true;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Whether {@link #close} was called. */
    public boolean closing() {
        return closing;
    }

    /**
     * Asks the server to start a job: stdin from /dev/null, stdout and stderr truncated into the
     * given files, in {@code dir}, with the server's environment less {@code unset} plus
     * {@code env} ("NAME=value"), exec of {@code argv} (looked up in the job's PATH). The server
     * writes the job's {@code started} record (ending with {@code startedTail}) and its
     * {@code exitcode} record into {@code records}.
     */
    public void launch(String id, Path dir, Path stdout, Path stderr, Path records, String startedTail,
            List<String> unset, List<String> env, List<String> argv) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(256);
        field(b, "S");
        field(b, id);
        field(b, dir.toAbsolutePath().toString());
        field(b, stdout.toAbsolutePath().toString());
        field(b, stderr.toAbsolutePath().toString());
        field(b, records.toAbsolutePath().toString());
        field(b, startedTail);
        fields(b, unset);
        fields(b, env);
        fields(b, argv);
        send(b);
    }

    /** Sends a signal (a name such as TERM or KILL) to a process group. */
    public void signal(long pgid, String signal) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(32);
        field(b, "K");
        field(b, signal);
        field(b, Long.toString(pgid));
        send(b);
    }

    /** Ends the requests; the server exits when the jobs it still runs have (it writes their records). */
    @Override
    public void close() {
        closing = true;
        synchronized (requests) {
            try {
                requests.close();
            } catch (IOException e) {
                LOG.debug("fork server " + pid() + ": closing its stdin", e);
            }
        }
    }

    private void send(ByteArrayOutputStream b) throws IOException {
        synchronized (requests) {
            b.writeTo(requests);
            requests.flush();
        }
    }

    private static void fields(ByteArrayOutputStream b, List<String> values) {
        field(b, Integer.toString(values.size()));
        values.forEach(v -> field(b, v));
    }

    private static void field(ByteArrayOutputStream b, String value) {
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a fork server field cannot hold NUL");
        }
        b.writeBytes(value.getBytes(StandardCharsets.UTF_8));
        b.write(0);
    }

    private void read(Listener listener) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                try {
                    dispatch(listener, line);
                } catch (RuntimeException e) {
                    LOG.error("fork server " + pid() + ": report '" + line + "' failed", e);
                }
            }
        } catch (IOException e) {
            LOG.warn("fork server " + pid() + ": reading its reports", e);
        }
        int code;
        try {
            code = process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            code = -1;
        }
        listener.serverEnded(this, code);
    }

    private static void dispatch(Listener listener, String line) {
        String[] f = line.split(" ", 3);
        if (f.length != 3) {
            throw new IllegalStateException("malformed report");
        }
        switch (f[0]) {
            case "P":
                listener.started(f[1], Long.parseLong(f[2]));
                break;
            case "N":
                listener.cannotStart(f[1], f[2]);
                break;
            case "X":
                listener.exited(f[1], Integer.parseInt(f[2]));
                break;
            default:
                throw new IllegalStateException("unknown report");
        }
    }

    private static String loadScript() {
        try (InputStream in = ForkServer.class.getResourceAsStream("fork-server.py")) {
            if (in == null) {
                throw new IllegalStateException("fork-server.py is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
