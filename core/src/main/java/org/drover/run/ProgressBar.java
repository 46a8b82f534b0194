package org.drover.run;

import java.io.Console;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * A live progress bar for a run, attached with one call: the tasks done out of all, the count in
 * every other state (running, queued, to retry, failed, cancelled, waiting), how many tasks end per
 * second or minute, and an estimate of the time left.
 *
 * <pre>{@code
 * RunManager run = RunManager.of(study).on(local)
 *         .listener(ProgressBar.create())       // System.out: in place on a terminal, else lines
 *         .start();
 * // on a terminal, one line redrawn after every poll:
 * // [##########..........]  50% study: 3 of 6 done, 2 running, 1 queued | 1.5 tasks/s, ETA 0:02
 * // elsewhere (a pipe, a CI log, JShell), a line when something changed, at most one a second:
 * // [  2.0s] study: 3 of 6 done, 2 running, 1 queued | 1.5 tasks/s, ETA 0:02
 * }</pre>
 *
 * <p>The rate counts the tasks that ended since the bar first heard of the run (tasks that had
 * ended before, as on a manager re-attached to a store, do not count), over the time since then;
 * the time left is the tasks not ended at that rate. Both appear once a task has ended. The last
 * line, when the run has ended, is always printed, and ends the in-place line with a newline.
 *
 * <p>{@link #create()} redraws in place when the JVM has a terminal ({@link System#console()} is not
 * null, and on Java 22 and later {@code Console.isTerminal()}) and {@code TERM} is not {@code dumb};
 * otherwise, as under Maven with output to a file, in CI and in JShell (whose code runs in a JVM
 * without a terminal), it writes plain lines. A bar hears one run; make one per run. Its methods are
 * called on the manager's polling thread and only write a line.
 */
public final class ProgressBar implements RunListener {
    /** Width of the bar, in characters between the brackets. */
    static final int BAR_WIDTH = 20;
    /** ANSI: erase from the cursor to the end of the line (after a carriage return redraws it). */
    private static final String ERASE_LINE_END = "\u001b[K";

    private final PrintStream out;
    private final boolean inPlace;
    private final Duration every;
    private Instant first;
    private int endedAtFirst;
    private Instant lastLine;
    private String lastCounts = "";
    private boolean done;
    /** Length of the line drawn last in place: a shorter one is padded with blanks over it. */
    private int drawn;

    private ProgressBar(PrintStream out, boolean inPlace, Duration every) {
        this.out = Objects.requireNonNull(out, "out");
        this.inPlace = inPlace;
        this.every = every;
    }

    /**
     * A bar on {@code System.out}: redrawn in place on a terminal, plain lines (at most one a second)
     * otherwise, as the class comment says.
     *
     * @return a new bar
     */
    public static ProgressBar create() {
        return isTerminal() ? inPlace(System.out) : lines(System.out, Duration.ofSeconds(1));
    }

    /**
     * A bar redrawn in place after every poll: a carriage return, the line (with blanks over the
     * rest of a longer line before), and an ANSI erase to the end of the line; a newline once the run
     * has ended.
     *
     * @param out where to draw it, a terminal
     * @return a new bar
     */
    public static ProgressBar inPlace(PrintStream out) {
        return new ProgressBar(out, true, Duration.ZERO);
    }

    /**
     * Plain lines, for output that is not a terminal: a line when the counts changed and at least
     * {@code every} has passed since the last line, and always the first and the last.
     *
     * @param out where to write them
     * @param every the least time between two lines (zero: a line at every change)
     * @return a new bar
     * @throws IllegalArgumentException if {@code every} is null or negative
     */
    public static ProgressBar lines(PrintStream out, Duration every) {
        if (every == null || every.isNegative()) {
            throw new IllegalArgumentException("every must be 0 or more, got " + every);
        }
        return new ProgressBar(out, false, every);
    }

    /** Whether the JVM writes to a terminal that understands a carriage return and ANSI erase. */
    static boolean isTerminal() {
        Console console = System.console();
        if (console == null || "dumb".equals(System.getenv("TERM"))) {
            return false;
        }
        try {
            // Java 22 and later return a console even when output is redirected; isTerminal() tells.
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (NoSuchMethodException e) {
            return true;   // Java 17 to 21: a console means a terminal
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Draws the run as it stands (after every poll, and once at the end).
     *
     * @param report where the run stands
     */
    @Override
    public synchronized void progressed(RunReport report) {
        if (done) {
            return;
        }
        Instant at = report.at();
        int ended = ended(report);
        if (first == null) {
            first = at;
            endedAtFirst = ended;
        }
        String counts = report.summary();
        String text = text(report, ended);
        boolean finished = report.isFinished();
        if (inPlace) {
            // Blanks over the rest of a longer line before, for consoles that strip ANSI codes (Maven -B does).
            String line = bar(report, ended) + " " + text;
            String pad = " ".repeat(Math.max(0, drawn - line.length()));
            drawn = line.length();
            out.print("\r" + line + pad + ERASE_LINE_END + (finished ? "\n" : ""));
            out.flush();
        } else if (finished || lastLine == null
                || !counts.equals(lastCounts) && Duration.between(lastLine, at).compareTo(every) >= 0) {
            out.printf(Locale.ROOT, "[%5.1fs] %s%n", Duration.between(first, at).toMillis() / 1000.0, text);
            out.flush();
            lastLine = at;
            lastCounts = counts;
        }
        done = finished;
    }

    private static int ended(RunReport report) {
        int n = 0;
        for (TaskState s : TaskState.values()) {
            n += s.isTerminal() ? report.count(s) : 0;
        }
        return n;
    }

    private static int total(RunReport report) {
        int n = 0;
        for (int c : report.counts().values()) {
            n += c;
        }
        return n;
    }

    /** {@code [#####...............]  25%}: the part of the tasks that ended. */
    static String bar(RunReport report, int ended) {
        int total = total(report);
        int filled = total == 0 ? BAR_WIDTH : (int) ((long) ended * BAR_WIDTH / total);
        int percent = total == 0 ? 100 : (int) ((long) ended * 100 / total);
        return "[" + "#".repeat(filled) + ".".repeat(BAR_WIDTH - filled) + "] " + String.format(Locale.ROOT, "%3d%%", percent);
    }

    /** The sentence of the counts, then the rate and the time left once a task has ended. */
    private String text(RunReport report, int ended) {
        String sentence = report.summary();
        long millis = Duration.between(first, report.at()).toMillis();
        int endedSince = ended - endedAtFirst;
        if (endedSince <= 0 || millis <= 0) {
            return sentence;
        }
        double perSecond = endedSince * 1000.0 / millis;
        String rate = perSecond >= 0.1 ? String.format(Locale.ROOT, "%.1f tasks/s", perSecond)
                : String.format(Locale.ROOT, "%.1f tasks/min", perSecond * 60);
        int left = total(report) - ended;
        if (left == 0) {
            return sentence + " | " + rate + ", took " + RunReport.format(Duration.ofMillis(millis));
        }
        return sentence + " | " + rate + ", ETA " + RunReport.format(Duration.ofSeconds((long) Math.ceil(left / perSecond)));
    }

    /**
     * How it draws.
     *
     * @return e.g. {@code ProgressBar[in place]} or {@code ProgressBar[lines, at most one per PT1S]}
     */
    @Override
    public String toString() {
        return inPlace ? "ProgressBar[in place]" : "ProgressBar[lines, at most one per " + every + "]";
    }
}
