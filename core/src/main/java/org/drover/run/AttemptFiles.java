package org.drover.run;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.drover.scheduler.RunDirectory;

/**
 * One attempt's files on this machine's file system: where its directory, stdout and stderr are,
 * when the job itself started and ended, and the tail of its output. Nothing here throws for a
 * missing or unreadable record file: a report must print whatever it can.
 *
 * <p>Every path a run store holds is turned into a path here by {@link #resolve}, and nowhere else.
 */
final class AttemptFiles {
    /** The most a tail reads, from the end of the file: a 1 GB stderr costs no more than a small one. */
    static final int TAIL_BYTES = 64 * 1024;
    /** The most of {@code started} that is read: one line of a few fields. */
    private static final int STARTED_BYTES = 4096;

    private final AttemptRecord attempt;
    private final Path dir;
    private final Path stdout;
    private final Path stderr;

    AttemptFiles(AttemptRecord attempt, Path runsRoot) {
        this.attempt = attempt;
        this.dir = resolve(runsRoot, attempt.attemptDir());
        this.stdout = resolve(runsRoot, attempt.stdout());
        this.stderr = resolve(runsRoot, attempt.stderr());
    }

    /**
     * A path as a run store or record holds it (an attempt directory, a stdout or stderr path, a run
     * directory), as a path on this machine: relative ones are relative to the runs root.
     */
    static Path resolve(Path runsRoot, String stored) {
        return org.drover.scheduler.RunDirectory.resolveStored(runsRoot, stored);
    }

    AttemptRecord attempt() {
        return attempt;
    }

    Path dir() {
        return dir;
    }

    Path stdout() {
        return stdout;
    }

    Path stderr() {
        return stderr;
    }

    /** What the {@code started} file says, or null if there is none or it cannot be read. */
    Start started() {
        Path file = dir.resolve(RunDirectory.STARTED);
        try {
            String text;
            try (InputStream in = Files.newInputStream(file)) {
                text = new String(in.readNBytes(STARTED_BYTES), StandardCharsets.UTF_8);
            }
            return Start.parse(text, Files.getLastModifiedTime(file).toInstant());
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * How long the job itself ran: from its {@code started} record (see {@link Start#at}) to its
     * {@code exitcode} file's modification (or to when Drover saw the attempt end, if it wrote
     * none), or to {@code now} while the attempt has not ended; null if it never recorded a start.
     */
    Duration elapsed(Instant now) {
        Start start = started();
        if (start == null) {
            return null;
        }
        Instant end;
        if (attempt.ended() == null && !attempt.state().isTerminal()) {
            end = now;
        } else {
            end = modified(dir.resolve(RunDirectory.EXIT_CODE));
            if (end == null) {
                end = attempt.ended();
            }
            if (end == null) {
                return null;
            }
        }
        Duration d = Duration.between(start.at(), end);
        return d.isNegative() ? Duration.ZERO : d;   // clocks of two machines
    }

    private static Instant modified(Path file) {
        try {
            return Files.getLastModifiedTime(file).toInstant();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The last {@code n} lines of a file, read from at most its last {@link #TAIL_BYTES} bytes; a
     * line cut by that bound starts with {@code …}. A line shows what a terminal shows of it: the
     * text after its last carriage return (progress bars).
     *
     * @throws IOException if the file cannot be read ({@link java.nio.file.NoSuchFileException} if there is none)
     */
    static List<String> tail(Path file, int n) throws IOException {
        if (n <= 0) {
            return List.of();
        }
        byte[] bytes;
        long from;
        try (SeekableByteChannel ch = Files.newByteChannel(file)) {
            long size = ch.size();
            from = Math.max(0, size - TAIL_BYTES);
            ch.position(from);
            ByteBuffer buf = ByteBuffer.allocate((int) (size - from));
            while (buf.hasRemaining() && ch.read(buf) >= 0) {
                // read what the file holds now (it may be growing)
            }
            bytes = new byte[buf.position()];
            buf.flip().get(bytes);
        }
        String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(ByteBuffer.wrap(bytes)).toString();
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        if (lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);   // the newline that ends the last line
        }
        if (from > 0 && !lines.isEmpty()) {
            lines.set(0, "…" + lines.get(0));
        }
        List<String> last = lines.subList(Math.max(0, lines.size() - n), lines.size());
        List<String> out = new ArrayList<>(last.size());
        for (String line : last) {
            out.add(asShown(line));
        }
        return out;
    }

    private static String asShown(String line) {
        String l = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
        int cr = l.lastIndexOf('\r');
        return cr < 0 ? l : l.substring(cr + 1);
    }

    /**
     * A job's {@code started} record: {@code <epoch seconds> <host> <pid>}, and whatever fields a
     * later version appends, which are ignored.
     *
     * @param at when the job started: the file's modification time, which is when the job recorded
     *     its start, to the millisecond and on the same clock as its {@code exitcode} file's (the
     *     whole second the record holds may be a node's clock, or, for a local job, when it got its
     *     slots, a moment before its process); that second only if the file's time is unknown
     * @param host the host it ran on, or ""
     * @param pid the process id, or -1
     */
    record Start(Instant at, String host, long pid) {
        /** The record in {@code text}, written at {@code modified} (null if unknown); null if its first field is no time. */
        static Start parse(String text, Instant modified) {
            String[] f = text.trim().split("\\s+");
            long seconds;
            try {
                seconds = Long.parseLong(f[0]);
            } catch (NumberFormatException e) {
                return null;
            }
            long pid = -1;
            if (f.length > 2) {
                try {
                    pid = Long.parseLong(f[2]);
                } catch (NumberFormatException e) {
                    pid = -1;
                }
            }
            return new Start(modified != null ? modified : Instant.ofEpochSecond(seconds), f.length > 1 ? f[1] : "", pid);
        }
    }
}
