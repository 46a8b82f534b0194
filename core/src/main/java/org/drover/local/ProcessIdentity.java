package org.drover.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What tells a process from a later one that reuses its pid: its start time in clock ticks since
 * boot, field 22 of {@code /proc/<pid>/stat} (the field the fork server writes into
 * {@code started}). Linux only; elsewhere nothing can be told apart and nothing is alive.
 *
 * <pre>{@code
 * String ticks = ProcessIdentity.startTicks(pid);        // "1234567", or null when gone
 * boolean same = ProcessIdentity.isAlive(pid, ticks);    // false once it ended, even if the pid is reused
 * }</pre>
 */
final class ProcessIdentity {
    private ProcessIdentity() {}

    /** The process's start time in clock ticks, or null if there is no such process (or no /proc). */
    static String startTicks(long pid) {
        if (pid <= 0) {
            return null;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.UTF_8);
            // The command name (field 2) is in parentheses and may hold spaces: count after the last ')'.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return f.length > 19 ? f[19] : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Whether the process with this pid is the one that started at {@code ticks} and still runs (a zombie counts). */
    static boolean isAlive(long pid, String ticks) {
        return ticks != null && ticks.equals(startTicks(pid));
    }
}
