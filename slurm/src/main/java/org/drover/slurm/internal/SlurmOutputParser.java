package org.drover.slurm.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses the pipe-separated outputs Drover asks for:
 * <ul>
 *   <li>squeue {@code --noheader --format=%i|%T|%r|%S|%e}: id, state, reason, start, end;</li>
 *   <li>sacct {@code --noheader --parsable2 --allocations --format=JobID,State,ExitCode,Reason,Start,End}.</li>
 * </ul>
 * Array ranges ({@code 123_[4-9%2]}) are expanded into one row per task. Lines that do not have
 * the expected shape (garbage, truncated output, messages) are skipped, never guessed at.
 */
public final class SlurmOutputParser {
    /** The squeue format string matching {@link #parseSqueue}. */
    public static final String SQUEUE_FORMAT = "%i|%T|%r|%S|%e";
    /** The sacct field list matching {@link #parseSacct}. */
    public static final String SACCT_FORMAT = "JobID,State,ExitCode,Reason,Start,End";

    private SlurmOutputParser() {}

    public static List<SlurmRow> parseSqueue(String output) {
        List<SlurmRow> rows = new ArrayList<>();
        forEachLine(output, line -> {
            String[] f = split(line, 5);
            if (f != null && validId(f[0]) && isStateWord(f[1])) {
                for (String id : expand(f[0])) {
                    rows.add(new SlurmRow(id, f[1], f[2], "", f[3], f[4]));
                }
            }
        });
        return rows;
    }

    public static List<SlurmRow> parseSacct(String output) {
        List<SlurmRow> rows = new ArrayList<>();
        forEachLine(output, line -> {
            String[] f = split(line, 6);
            if (f != null && validId(f[0]) && isStateWord(f[1])) {
                for (String id : expand(f[0])) {
                    rows.add(new SlurmRow(id, f[1], f[3], f[2], f[4], f[5]));
                }
            }
        });
        return rows;
    }

    /** The task ids of a printed id; none for a malformed or absurd range ({@code 1_[5-]}, overflow). */
    private static List<String> expand(String printed) {
        try {
            return SlurmIds.expand(printed);
        } catch (IllegalArgumentException e) {   // NumberFormatException too
            return List.of();
        }
    }

    private static boolean validId(String printed) {
        // Steps (123.batch, 123.0) are not jobs; --allocations hides them, but be safe.
        return SlurmIds.isId(printed) || printed.matches("\\d+_\\[[0-9,\\-]+(%\\d+)?\\]");
    }

    private static boolean isStateWord(String s) {
        if (s.isEmpty()) {
            return false;
        }
        char c = s.charAt(0);
        return c >= 'A' && c <= 'Z';
    }

    /** Exactly {@code n} fields, or null. */
    private static String[] split(String line, int n) {
        String[] f = line.split("\\|", -1);
        if (f.length != n) {
            return null;
        }
        for (int i = 0; i < n; i++) {
            f[i] = f[i].trim();
        }
        return f;
    }

    private static void forEachLine(String output, java.util.function.Consumer<String> action) {
        int start = 0;
        int len = output.length();
        while (start < len) {
            int nl = output.indexOf('\n', start);
            int end = nl < 0 ? len : nl;
            if (end > start) {
                action.accept(output.substring(start, end));
            }
            start = end + 1;
        }
    }
}
