package org.drover.examples;

import java.time.Duration;
import java.util.Map;
import org.drover.scheduler.JobStatus;

/** A plain text table: job, state, exit code, duration. */
final class StatusTable {
    private StatusTable() {}

    static String render(Map<String, JobStatus> statuses) {
        int width = Math.max(4, statuses.keySet().stream().mapToInt(String::length).max().orElse(4));
        StringBuilder sb = new StringBuilder();
        String format = "%-" + width + "s  %-10s  %4s  %8s%n";
        sb.append(String.format(format, "job", "state", "exit", "duration"));
        statuses.forEach((name, s) -> sb.append(String.format(format, name, s.state(),
                s.exitCode() == null ? "-" : s.exitCode().toString(), duration(s))));
        return sb.toString();
    }

    private static String duration(JobStatus s) {
        if (s.started() == null || s.ended() == null) {
            return "-";
        }
        return String.format("%.1fs", Duration.between(s.started(), s.ended()).toMillis() / 1000.0);
    }
}
