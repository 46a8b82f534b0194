package org.drover.slurm.internal;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import org.drover.scheduler.JobState;
import org.drover.scheduler.JobStatus;

/**
 * SLURM's whole job state table, mapped onto Drover's {@link JobState}. A word not in the table
 * is {@link JobState#UNKNOWN}, never a guess.
 */
public final class SlurmStates {
    private SlurmStates() {}

    /** The normalized state of a SLURM state word (the first word: "CANCELLED by 0" is CANCELLED) and reason. */
    public static JobState toJobState(String stateWord, String reason) {
        String word = stateWord.trim();
        int space = word.indexOf(' ');
        if (space > 0) {
            word = word.substring(0, space);
        }
        word = word.toUpperCase(Locale.ROOT);
        if (word.endsWith("+")) {   // sacct marks e.g. "CANCELLED+" when truncated
            word = word.substring(0, word.length() - 1);
        }
        switch (word) {
            case "PENDING":
            case "REQUEUED":
            case "REQUEUE_FED":
                return isHold(reason) ? JobState.HELD : JobState.PENDING;
            case "REQUEUE_HOLD":
            case "RESV_DEL_HOLD":
                return JobState.HELD;
            case "CONFIGURING":
            case "RUNNING":
            case "COMPLETING":
            case "RESIZING":
            case "SIGNALING":
            case "STAGE_OUT":
            case "UPDATE_DB":
                return JobState.RUNNING;
            case "SUSPENDED":
            case "STOPPED":
                return JobState.SUSPENDED;
            case "COMPLETED":
                return JobState.COMPLETED;
            case "FAILED":
                return JobState.FAILED;
            case "SPECIAL_EXIT":   // requeued and held by the site's epilog for a special exit value
                return JobState.HELD;
            case "CANCELLED":
            case "REVOKED":
                return JobState.CANCELLED;
            case "TIMEOUT":
            case "DEADLINE":
                return JobState.TIMEOUT;
            case "OUT_OF_MEMORY":
            case "OUT_OF_ME":   // sacct truncates to the column width in some versions
                return JobState.OUT_OF_MEMORY;
            case "NODE_FAIL":
                return JobState.NODE_FAIL;
            case "PREEMPTED":
                return JobState.PREEMPTED;
            case "BOOT_FAIL":
                return JobState.BOOT_FAIL;
            default:
                return JobState.UNKNOWN;
        }
    }

    private static boolean isHold(String reason) {
        return reason != null && reason.startsWith("JobHeld");
    }

    /** The status a row describes, times read in {@code zone} (the cluster's). */
    public static JobStatus toStatus(SlurmRow row, ZoneId zone) {
        JobState state = toJobState(row.state(), row.reason());
        Integer exit = null;
        String reason = "None".equals(row.reason()) ? "" : row.reason();
        String ec = row.exitCode();
        int colon = ec.indexOf(':');
        if (colon > 0) {
            try {
                exit = Integer.parseInt(ec.substring(0, colon));
                int signal = Integer.parseInt(ec.substring(colon + 1));
                if (signal > 0) {
                    reason = (reason.isEmpty() ? "" : reason + ", ") + "signal " + signal;
                    if (exit == 0) {
                        exit = 128 + signal;   // as a shell reports a death by signal; never a false 0
                    }
                }
            } catch (NumberFormatException e) {
                exit = null;
            }
        }
        if (!state.isTerminal()) {
            exit = null;
        }
        String word = row.state();
        if (word.startsWith("CANCELLED by ")) {
            reason = (reason.isEmpty() ? "" : reason + ", ") + "cancelled by uid " + word.substring(13).trim();
        } else if (word.startsWith("DEADLINE")) {
            reason = (reason.isEmpty() ? "" : reason + ", ") + "deadline reached";
        }
        // A pending job's start is the scheduler's estimate, not a start.
        Instant started = state == JobState.PENDING || state == JobState.HELD ? null : time(row.start(), zone);
        Instant ended = state.isTerminal() ? time(row.end(), zone) : null;
        return new JobStatus(row.id(), state, exit, reason, started, ended, word);
    }

    static Instant time(String text, ZoneId zone) {
        if (text == null || text.isEmpty() || !Character.isDigit(text.charAt(0))) {
            return null;   // Unknown, None, N/A, NONE
        }
        LocalDateTime fast = fastParse(text);
        if (fast != null) {
            return fast.atZone(zone).toInstant();
        }
        try {
            return LocalDateTime.parse(text).atZone(zone).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** SLURM's fixed {@code yyyy-MM-ddTHH:mm:ss}, without the cost of a formatter; null for any other shape. */
    private static LocalDateTime fastParse(String t) {
        if (t.length() != 19 || t.charAt(4) != '-' || t.charAt(7) != '-' || t.charAt(10) != 'T'
                || t.charAt(13) != ':' || t.charAt(16) != ':') {
            return null;
        }
        int year = digits(t, 0, 4);
        int month = digits(t, 5, 7);
        int day = digits(t, 8, 10);
        int hour = digits(t, 11, 13);
        int minute = digits(t, 14, 16);
        int second = digits(t, 17, 19);
        if ((year | month | day | hour | minute | second) < 0) {
            return null;
        }
        try {
            return LocalDateTime.of(year, month, day, hour, minute, second);
        } catch (java.time.DateTimeException e) {
            return null;
        }
    }

    private static int digits(String t, int from, int to) {
        int v = 0;
        for (int i = from; i < to; i++) {
            char c = t.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
