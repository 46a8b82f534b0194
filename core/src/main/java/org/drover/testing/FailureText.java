package org.drover.testing;

import java.util.List;
import java.util.Map;
import org.drover.run.RunReport;
import org.drover.run.TaskResult;

/** How a failed assertion describes a task: one line, then the tail of its stderr. */
final class FailureText {
    /** Lines of stderr (or stdout) a failure message shows. */
    static final int TAIL_LINES = 10;
    /** Tasks a failure message of a run describes in full; more are counted. */
    static final int MAX_TASKS = 5;

    private FailureText() {}

    /** {@code train_3 {lr=0.01} FAILED after 2 attempts, exit 137 (SIGKILL): reason}, then its stderr tail. */
    static String of(TaskResult t, String indent) {
        StringBuilder sb = new StringBuilder(indent).append(line(t));
        appendTail(sb, t, true, indent + "  ", t.state() == org.drover.run.TaskState.FAILED);
        return sb.toString();
    }

    /** The task's one-line description. */
    static String line(TaskResult t) {
        StringBuilder sb = new StringBuilder(t.name());
        Map<String, String> params;
        try {
            params = t.params();
        } catch (RuntimeException e) {
            params = Map.of();
        }
        if (!params.isEmpty()) {
            sb.append(' ').append(params);
        }
        int attempts = t.attempts().size();
        sb.append(' ').append(t.state()).append(" after ").append(attempts).append(attempts == 1 ? " attempt" : " attempts");
        t.exitCode().ifPresent(code -> sb.append(", exit ").append(code));
        t.signal().ifPresent(signal -> sb.append(" (").append(signal).append(')'));
        if (!t.reason().isEmpty()) {
            sb.append(": ").append(t.reason());
        }
        return sb.toString();
    }

    /**
     * The last lines of the task's stderr (or stdout), each under {@code indent}; for an empty or
     * missing file, that it is empty if {@code sayEmpty}, else nothing (a cancelled task's empty
     * stderr says nothing).
     */
    static void appendTail(StringBuilder sb, TaskResult t, boolean stderr, String indent, boolean sayEmpty) {
        var path = stderr ? t.stderrPath() : t.stdoutPath();
        if (path.isEmpty()) {
            return;
        }
        String tail;
        try {
            tail = stderr ? t.stderrTail(TAIL_LINES) : t.stdoutTail(TAIL_LINES);
        } catch (RuntimeException e) {
            sb.append('\n').append(indent).append("cannot read ").append(path.get()).append(": ").append(e.getMessage());
            return;
        }
        if (tail.isEmpty()) {
            if (sayEmpty) {
                sb.append('\n').append(indent).append(path.get()).append(" is empty");
            }
            return;
        }
        List<String> lines = tail.lines().toList();
        sb.append('\n').append(indent).append(lines.size() == 1 ? "the last line of " : "the last " + lines.size() + " lines of ")
                .append(path.get()).append(':');
        for (String l : lines) {
            sb.append('\n').append(indent).append("| ").append(l);
        }
    }

    /** The tasks of a report that are not in an expected state, described, at most {@link #MAX_TASKS} in full. */
    static String tasks(RunReport report, List<RunReport.Row> rows) {
        StringBuilder sb = new StringBuilder();
        int shown = 0;
        for (RunReport.Row r : rows) {
            if (shown == MAX_TASKS) {
                sb.append("\n  ... ").append(rows.size() - MAX_TASKS).append(" more");
                break;
            }
            shown++;
            sb.append('\n');
            TaskResult t;
            try {
                t = report.task(r.task());
            } catch (IllegalStateException e) {   // a report made from rows: no files to show
                sb.append("  ").append(r.task()).append(' ').append(r.state())
                        .append(r.reason().isEmpty() ? "" : ": " + r.reason());
                continue;
            }
            sb.append(of(t, "  "));
        }
        return sb.toString();
    }
}
