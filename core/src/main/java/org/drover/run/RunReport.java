package org.drover.run;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.drover.scheduler.JobState;

/**
 * A snapshot of a run: counts by task state and one row per task. {@link #toString()} is a
 * plain table that reads well in JShell and logs.
 *
 * <pre>{@code
 * RunReport r = run.report();
 * r.count(TaskState.COMPLETED);   // 5
 * System.out.println(r);
 * // study: 5 of 6 done, 1 running
 * // task       attempt  job id  state      reason         elapsed
 * // prepare    1        4711    COMPLETED                  0:03
 * // ...
 * }</pre>
 */
public final class RunReport {
    private final String bundle;
    private final Instant at;
    private final int size;
    private final Map<TaskState, Integer> counts;
    /** The tasks the rows are made of, until they are; null once they are, or if made from rows. */
    private List<TaskRecord> records;
    private List<Row> rows;

    /**
     * One task's line.
     *
     * @param task task name
     * @param attempt attempts made
     * @param jobId the latest attempt's scheduler id, or ""
     * @param state the task's state
     * @param jobState the latest attempt's scheduler state, or null
     * @param exitCode the latest exit code, or null
     * @param reason why it ended or waits
     * @param elapsed time since the latest attempt was submitted, to its end or now
     */
    public record Row(String task, int attempt, String jobId, TaskState state, JobState jobState, Integer exitCode,
                      String reason, Duration elapsed) {
        /** The row of a task as its record shows it at {@code now}. */
        static Row of(TaskRecord t, Instant now) {
            AttemptRecord a = t.lastAttempt();
            if (a == null) {
                return new Row(t.name(), 0, "", t.state(), null, null, t.reason(), null);
            }
            return new Row(t.name(), t.attempts().size(), a.jobId() == null ? "" : a.jobId(), t.state(), a.state(),
                    a.exitCode(), t.reason(), Duration.between(a.submitted(), a.ended() != null ? a.ended() : now));
        }
    }

    /**
     * A report of these rows.
     *
     * @param bundle the bundle's name
     * @param at when the snapshot was taken
     * @param rows one row per task, in submission order
     */
    public RunReport(String bundle, Instant at, List<Row> rows) {
        Objects.requireNonNull(rows, "rows");
        this.bundle = bundle;
        this.at = at;
        this.rows = List.copyOf(rows);
        this.size = rows.size();
        EnumMap<TaskState, Integer> c = new EnumMap<>(TaskState.class);
        for (Row r : rows) {
            c.merge(r.state(), 1, Integer::sum);
        }
        this.counts = Collections.unmodifiableMap(c);
    }

    /**
     * The report of these task records at {@code at}. The counts are made now; the rows when first
     * asked for, so that a report of 100,000 tasks that is only counted costs one pass over them.
     */
    static RunReport of(String bundle, Instant at, TaskRecord[] tasks) {
        int[] byState = new int[TaskState.values().length];
        for (TaskRecord t : tasks) {
            byState[t.state().ordinal()]++;
        }
        return new RunReport(bundle, at, tasks, byState);
    }

    /**
     * The report of these task records, whose count by state ({@code byState}, by ordinal) the
     * caller kept as they changed. Takes {@code tasks} over: the caller must not change the array
     * afterwards.
     */
    static RunReport of(String bundle, Instant at, TaskRecord[] tasks, int[] byState) {
        return new RunReport(bundle, at, tasks, byState.clone());
    }

    private RunReport(String bundle, Instant at, TaskRecord[] tasks, int[] byState) {
        this.bundle = bundle;
        this.at = at;
        this.records = Arrays.asList(tasks);
        this.size = tasks.length;
        EnumMap<TaskState, Integer> c = new EnumMap<>(TaskState.class);
        for (TaskState s : TaskState.values()) {
            if (byState[s.ordinal()] > 0) {
                c.put(s, byState[s.ordinal()]);
            }
        }
        this.counts = Collections.unmodifiableMap(c);
    }

    /**
     * The bundle's name.
     *
     * @return the name
     */
    public String bundle() {
        return bundle;
    }

    /**
     * When the snapshot was taken.
     *
     * @return the time
     */
    public Instant at() {
        return at;
    }

    /**
     * One row per task, in submission order.
     *
     * @return one row per task, in submission order
     */
    public synchronized List<Row> rows() {
        if (rows == null) {
            Row[] all = new Row[records.size()];
            for (int i = 0; i < all.length; i++) {
                all[i] = Row.of(records.get(i), at);
            }
            rows = List.of(all);
            records = null;
        }
        return rows;
    }

    /**
     * Tasks per state (states with no task are absent).
     *
     * @return tasks per state (states with no task are absent)
     */
    public Map<TaskState, Integer> counts() {
        return counts;
    }

    /**
     * How many tasks are in a state.
     *
     * @param state a task state
     * @return the count, 0 if none
     */
    public int count(TaskState state) {
        return counts.getOrDefault(state, 0);
    }

    /**
     * Whether every task has ended.
     *
     * @return whether every task has ended
     */
    public boolean isFinished() {
        return counts.keySet().stream().allMatch(TaskState::isTerminal);
    }

    /**
     * Whether every task ended well (completed or skipped).
     *
     * @return whether every task ended well (completed or skipped)
     */
    public boolean isSuccess() {
        return counts.keySet().stream().allMatch(TaskState::isSuccess);
    }

    /**
     * One sentence: where the run stands.
     *
     * @return e.g. {@code study: 5 of 6 done, 1 running} or {@code study: 4 of 6 done, 1 failed, 1 cancelled}
     */
    public String summary() {
        int[] byState = new int[TaskState.values().length];
        counts.forEach((state, n) -> byState[state.ordinal()] = n);
        return ProgressSentence.of(bundle, byState);
    }

    @Override
    public String toString() {
        List<Row> rows = rows();
        int nameWidth = Math.max(4, rows.stream().mapToInt(r -> r.task().length()).max().orElse(4));
        int idWidth = Math.max(6, rows.stream().mapToInt(r -> r.jobId().length()).max().orElse(6));
        String format = "%-" + nameWidth + "s  %7s  %-" + idWidth + "s  %-10s  %4s  %-30s  %8s%n";
        StringBuilder sb = new StringBuilder(summary()).append('\n');
        sb.append(String.format(format, "task", "attempt", "job id", "state", "exit", "reason", "elapsed"));
        for (Row r : rows) {
            String reason = r.reason().length() > 30 ? r.reason().substring(0, 29) + "…" : r.reason();
            sb.append(String.format(format, r.task(), r.attempt(), r.jobId(), r.state(),
                    r.exitCode() == null ? "" : r.exitCode(), reason, format(r.elapsed())));
        }
        return sb.toString();
    }

    private static String format(Duration d) {
        if (d == null) {
            return "";
        }
        long s = d.getSeconds();
        return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, (s % 3600) / 60, s % 60)
                : String.format("%d:%02d", s / 60, s % 60);
    }
}
