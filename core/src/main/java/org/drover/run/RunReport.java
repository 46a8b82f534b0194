package org.drover.run;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.drover.Job;
import org.drover.internal.Listing;
import org.drover.scheduler.JobState;

/**
 * A snapshot of a run: counts by task state and one row per task. {@link #toString()} is a plain
 * table that reads well in JShell and logs, followed by the end of the stderr of failed tasks.
 *
 * <pre>{@code
 * RunReport r = run.report();
 * r.count(TaskState.COMPLETED);   // 3
 * System.out.println(r);
 * // study: 3 of 5 done, 1 failed, 1 cancelled
 * // task     params  attempt  job id  state      exit           elapsed  reason
 * // prep                   1  1       COMPLETED  0                 0:03
 * // train_0  lr=0.1        1  2       FAILED     137 (SIGKILL)     1:12  FAILED: exit code 137
 * // ...
 * //
 * // train_0, attempt 1: the last 10 lines of /home/me/runs/study_20261205-101500-123/train_0/1/stderr
 * //   | Killed
 * }</pre>
 *
 * <p>The table shows every task up to {@value Listing#MAX_LINES}; a larger run shows that many,
 * those that need attention first (failed, cancelled, retrying, running, queued, waiting, then
 * done), and says how many more there are. Reasons are never cut: the reason is the last column,
 * and a reason of several lines goes on under it. The exit code of a process ended by a signal
 * names the signal ({@code 137 (SIGKILL)}, {@code 143 (SIGTERM)}). The elapsed time is the job's
 * own, from its {@code started} record to its {@code exitcode} file (to now while it runs); it is
 * blank for a task whose job has not started. The last {@value #TAIL_LINES} lines of stderr are
 * shown for the first {@value #MAX_TAILS} failed tasks of the table, read from the end of the file
 * whatever its size. Making the text reads files only for the rows it shows.
 */
public final class RunReport {
    /** How many lines of a failed task's stderr the table is followed by. */
    static final int TAIL_LINES = 10;
    /** For how many failed tasks at most. */
    static final int MAX_TAILS = 3;
    /** A stderr line longer than this is shown cut, with how much more it has. */
    private static final int MAX_TAIL_LINE = 300;
    /** The order in which tasks are shown when not all fit: the ones to act on first. */
    private static final TaskState[] ATTENTION = {TaskState.FAILED, TaskState.CANCELLED, TaskState.RETRY_WAIT,
        TaskState.RUNNING, TaskState.PENDING, TaskState.WAITING, TaskState.COMPLETED, TaskState.SKIPPED};

    private final String bundle;
    private final Instant at;
    private final int size;
    private final Map<TaskState, Integer> counts;
    /** The tasks the rows are made of, until they are; null once they are, or if made from rows. */
    private List<TaskRecord> records;
    /** Each task's sweep parameters, by task name; null if made from rows. */
    private final Function<String, Map<String, String>> params;
    /** What relative paths in the records are relative to; null if made from rows. */
    private final Path runsRoot;
    /** The run's settings and its task records, for {@link #task(String)}; null if made from rows. */
    private final RunSettings settings;
    private final List<TaskRecord> taskRecords;
    private List<Row> rows;

    /**
     * One task's line. The elapsed time of a row made from a run's records is read from the
     * attempt's {@code started} and {@code exitcode} files the first time it is asked for.
     */
    public static final class Row {
        private final String task;
        private final Map<String, String> params;
        private final int attempt;
        private final String jobId;
        private final TaskState state;
        private final JobState jobState;
        private final Integer exitCode;
        private final String reason;
        /** The latest attempt, or null: what {@link #elapsed()} and the stderr tail are read from. */
        private final AttemptRecord last;
        private final Path runsRoot;
        private final Instant at;
        private Duration elapsed;
        private boolean elapsedKnown;

        /**
         * A row without sweep parameters.
         *
         * @param task task name
         * @param attempt attempts made
         * @param jobId the latest attempt's scheduler id, or ""
         * @param state the task's state
         * @param jobState the latest attempt's scheduler state, or null
         * @param exitCode the latest exit code, or null
         * @param reason why it ended or waits
         * @param elapsed how long the latest attempt's job ran (so far), or null if it has not started
         */
        public Row(String task, int attempt, String jobId, TaskState state, JobState jobState, Integer exitCode,
                   String reason, Duration elapsed) {
            this(task, Map.of(), attempt, jobId, state, jobState, exitCode, reason, elapsed);
        }

        /**
         * A row.
         *
         * @param task task name
         * @param params the task's sweep parameter values, in declaration order (empty outside a sweep)
         * @param attempt attempts made
         * @param jobId the latest attempt's scheduler id, or ""
         * @param state the task's state
         * @param jobState the latest attempt's scheduler state, or null
         * @param exitCode the latest exit code, or null
         * @param reason why it ended or waits
         * @param elapsed how long the latest attempt's job ran (so far), or null if it has not started
         */
        public Row(String task, Map<String, String> params, int attempt, String jobId, TaskState state,
                   JobState jobState, Integer exitCode, String reason, Duration elapsed) {
            this(task, params == null || params.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(params)),
                    attempt, jobId, state, jobState, exitCode, reason, null, null, null);
            this.elapsed = elapsed;
            this.elapsedKnown = true;
        }

        private Row(String task, Map<String, String> params, int attempt, String jobId, TaskState state,
                    JobState jobState, Integer exitCode, String reason, AttemptRecord last, Path runsRoot, Instant at) {
            this.task = Objects.requireNonNull(task, "task");
            this.params = params;   // unmodifiable (a job's own, or a copy)
            this.attempt = attempt;
            this.jobId = jobId == null ? "" : jobId;
            this.state = Objects.requireNonNull(state, "state");
            this.jobState = jobState;
            this.exitCode = exitCode;
            this.reason = reason == null ? "" : reason;
            this.last = last;
            this.runsRoot = runsRoot;
            this.at = at;
        }

        /** The row of a task as its record shows it at {@code at}; files are read later, if asked for. */
        static Row of(TaskRecord t, Map<String, String> params, Path runsRoot, Instant at) {
            AttemptRecord a = t.lastAttempt();
            if (a == null) {
                return new Row(t.name(), params, 0, "", t.state(), null, null, t.reason(), null, null, at);
            }
            return new Row(t.name(), params, t.attempts().size(), a.jobId(), t.state(), a.state(), a.exitCode(),
                    t.reason(), a, runsRoot, at);
        }

        /**
         * The task's name.
         *
         * @return the task's name
         */
        public String task() {
            return task;
        }

        /**
         * The task's sweep parameter values, in declaration order.
         *
         * @return the values by parameter name; empty for a job outside a sweep
         */
        public Map<String, String> params() {
            return params;
        }

        /**
         * How many attempts were made.
         *
         * @return attempts made, 0 if none
         */
        public int attempt() {
            return attempt;
        }

        /**
         * The latest attempt's scheduler id.
         *
         * @return the id, or "" if none
         */
        public String jobId() {
            return jobId;
        }

        /**
         * The task's state.
         *
         * @return the task's state
         */
        public TaskState state() {
            return state;
        }

        /**
         * The latest attempt's scheduler state.
         *
         * @return the state, or null if no attempt was made
         */
        public JobState jobState() {
            return jobState;
        }

        /**
         * The latest attempt's exit code ({@code 128 + n} for a process ended by signal {@code n}).
         *
         * @return the exit code, or null if not known
         */
        public Integer exitCode() {
            return exitCode;
        }

        /**
         * Why the task ended or waits, whole.
         *
         * @return the reason, "" if there is nothing to say
         */
        public String reason() {
            return reason;
        }

        /**
         * How long the latest attempt's job ran: from its {@code started} record to its
         * {@code exitcode} file (or, if it wrote none, to when Drover saw it end), or to the report's
         * time while it runs. Read from the attempt directory the first time it is asked for.
         *
         * @return the time, or null if the job never started (or recorded no start)
         */
        public synchronized Duration elapsed() {
            if (!elapsedKnown) {
                elapsed = last == null ? null : new AttemptFiles(last, runsRoot).elapsed(at);
                elapsedKnown = true;
            }
            return elapsed;
        }

        /** Whether the row was made from a record whose latest attempt has a scheduler id (it may have run). */
        boolean ran() {
            return last != null && last.jobId() != null;
        }

        /** The latest attempt's files, or null unless {@link #ran()}. */
        AttemptFiles files() {
            return ran() ? new AttemptFiles(last, runsRoot) : null;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Row r && task.equals(r.task) && params.equals(r.params) && attempt == r.attempt
                    && jobId.equals(r.jobId) && state == r.state && jobState == r.jobState
                    && Objects.equals(exitCode, r.exitCode) && reason.equals(r.reason)
                    && Objects.equals(elapsed(), r.elapsed());
        }

        @Override
        public int hashCode() {
            return Objects.hash(task, params, attempt, jobId, state, jobState, exitCode, reason);
        }

        /**
         * The row's values.
         *
         * @return e.g. {@code Row[train_0 {lr=0.1} FAILED, attempt 1, job 17, exit 137 (SIGKILL), elapsed PT1M12S: FAILED: exit code 137]}
         */
        @Override
        public String toString() {
            return "Row[" + task + (params.isEmpty() ? "" : " " + params) + " " + state + ", attempt " + attempt
                    + (jobId.isEmpty() ? "" : ", job " + jobId) + (jobState == null ? "" : " " + jobState)
                    + (exitCode == null ? "" : ", exit " + ExitCodes.describe(exitCode))
                    + (elapsed() == null ? "" : ", elapsed " + elapsed()) + (reason.isEmpty() ? "" : ": " + reason) + "]";
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
        this.params = null;
        this.runsRoot = null;
        this.settings = null;
        this.taskRecords = null;
        EnumMap<TaskState, Integer> c = new EnumMap<>(TaskState.class);
        for (Row r : rows) {
            c.merge(r.state(), 1, Integer::sum);
        }
        this.counts = Collections.unmodifiableMap(c);
    }

    /**
     * The report of a manager's task records at {@code at}. The counts are made now; the rows when
     * first asked for, so that a report of 100,000 tasks that is only counted costs one pass over them.
     */
    static RunReport of(RunSettings settings, Instant at, TaskRecord[] tasks) {
        int[] byState = new int[TaskState.values().length];
        for (TaskRecord t : tasks) {
            byState[t.state().ordinal()]++;
        }
        return new RunReport(settings, at, tasks, byState);
    }

    /**
     * The report of these task records, whose count by state ({@code byState}, by ordinal) the
     * caller kept as they changed. Takes {@code tasks} over: the caller must not change the array
     * afterwards.
     */
    static RunReport of(RunSettings settings, Instant at, TaskRecord[] tasks, int[] byState) {
        return new RunReport(settings, at, tasks, byState.clone());
    }

    private RunReport(RunSettings settings, Instant at, TaskRecord[] tasks, int[] byState) {
        this.bundle = settings.bundle().name();
        this.at = at;
        this.records = Arrays.asList(tasks);
        this.size = tasks.length;
        this.params = name -> settings.bundle().job(name).map(Job::params).orElse(Map.of());
        this.runsRoot = settings.runsRoot();
        this.settings = settings;
        this.taskRecords = this.records;
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
     * One row per task, in submission order. Building them reads no file.
     *
     * @return one row per task, in submission order
     */
    public synchronized List<Row> rows() {
        if (rows == null) {
            Row[] all = new Row[records.size()];
            for (int i = 0; i < all.length; i++) {
                TaskRecord t = records.get(i);
                all[i] = Row.of(t, params.apply(t.name()), runsRoot, at);
            }
            rows = List.of(all);
            records = null;
        }
        return rows;
    }

    /**
     * One task's results as of this report: its state, reason and attempts when the report was
     * made, its files (output, exit code) read when asked for. What {@link RunManager#task(String)}
     * gives, frozen at the report's time: a final report's task stays as it ended.
     *
     * <pre>{@code
     * RunReport end = run.awaitCompletion();
     * end.task("train_3").stdout();     // what the task printed
     * }</pre>
     *
     * @param name the task's name: a job's name, or a sweep member's ({@code train_3})
     * @return the task's results
     * @throws IllegalArgumentException if the run has no task of that name
     * @throws IllegalStateException if this report was made from rows ({@link #RunReport(String, Instant, List)}), not by a manager
     */
    public TaskResult task(String name) {
        Objects.requireNonNull(name, "name");
        if (settings == null) {
            throw new IllegalStateException("report of '" + bundle + "' was made from rows, not by a RunManager: "
                    + "it holds no task records; ask the manager: run.task(\"" + name + "\")");
        }
        for (TaskRecord t : taskRecords) {
            if (t.name().equals(name)) {
                return TaskResult.of(bundle, t, settings.bundle().job(name).orElseThrow(), runsRoot);
            }
        }
        throw new IllegalArgumentException(TaskResult.noSuchTask(bundle, name, size));
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

    /**
     * The summary, the table (at most {@value Listing#MAX_LINES} rows) and the end of the stderr of
     * failed tasks, as the class comment shows.
     *
     * @return the report as text, several lines
     */
    @Override
    public String toString() {
        List<Row> all = rows();
        List<Row> shown = shown(all);
        StringBuilder sb = new StringBuilder(summary());
        ReportTable.append(sb, shown);
        if (shown.size() < all.size()) {
            sb.append('\n').append(hidden(all, shown));
        }
        appendTails(sb, all, shown);
        return sb.toString();
    }

    /** Every row if they fit on a screen, else the ones to act on first, in submission order. */
    private static List<Row> shown(List<Row> all) {
        if (all.size() <= Listing.MAX_LINES) {
            return all;
        }
        int[] byState = new int[TaskState.values().length];
        for (Row r : all) {
            byState[r.state().ordinal()]++;
        }
        // Take whole states in order of attention while they fit, then the first rows of the next one.
        int[] quota = new int[byState.length];
        int left = Listing.MAX_LINES;
        for (TaskState s : ATTENTION) {
            int take = Math.min(left, byState[s.ordinal()]);
            quota[s.ordinal()] = take;
            left -= take;
        }
        List<Row> shown = new ArrayList<>(Listing.MAX_LINES);
        for (Row r : all) {
            if (quota[r.state().ordinal()] > 0) {
                quota[r.state().ordinal()]--;
                shown.add(r);
            }
        }
        return shown;
    }

    /** {@code ... 99,980 more (99,975 completed, 5 waiting)}. */
    private static String hidden(List<Row> all, List<Row> shown) {
        int[] byState = new int[TaskState.values().length];
        for (Row r : all) {
            byState[r.state().ordinal()]++;
        }
        for (Row r : shown) {
            byState[r.state().ordinal()]--;
        }
        List<String> parts = new ArrayList<>();
        for (TaskState s : ATTENTION) {
            if (byState[s.ordinal()] > 0) {
                parts.add(String.format(Locale.ROOT, "%,d %s", byState[s.ordinal()], s.name().toLowerCase(Locale.ROOT)));
            }
        }
        return String.format(Locale.ROOT, "... %,d more (%s)", all.size() - shown.size(), String.join(", ", parts));
    }

    /** The last lines of stderr of the first failed tasks shown, then how many more failed. */
    private static void appendTails(StringBuilder sb, List<Row> all, List<Row> shown) {
        int tails = 0;
        for (Row r : shown) {
            AttemptFiles files = r.state() == TaskState.FAILED ? r.files() : null;
            if (files == null || tails == MAX_TAILS) {
                continue;
            }
            tails++;
            sb.append("\n\n").append(r.task()).append(", attempt ").append(r.attempt()).append(": ");
            appendTail(sb, files.stderr());
        }
        long failed = all.stream().filter(r -> r.state() == TaskState.FAILED && r.ran()).count();
        if (failed > tails) {
            sb.append(String.format(Locale.ROOT, "\n\nstderr of %,d more failed %s: run.task(name).stderrTail(%d)",
                    failed - tails, failed - tails == 1 ? "task" : "tasks", TAIL_LINES));
        }
    }

    private static void appendTail(StringBuilder sb, Path stderr) {
        List<String> lines;
        try {
            lines = AttemptFiles.tail(stderr, TAIL_LINES);
        } catch (NoSuchFileException e) {
            sb.append("no file ").append(stderr);
            return;
        } catch (IOException e) {
            sb.append("cannot read ").append(stderr).append(": ").append(e);
            return;
        }
        if (lines.isEmpty()) {
            sb.append(stderr).append(" is empty");
            return;
        }
        sb.append(lines.size() == 1 ? "the last line of " : "the last " + lines.size() + " lines of ").append(stderr);
        for (String line : lines) {
            sb.append("\n  | ");
            if (line.length() > MAX_TAIL_LINE) {
                sb.append(line, 0, MAX_TAIL_LINE).append("… (").append(line.length() - MAX_TAIL_LINE)
                        .append(" more characters)");
            } else {
                sb.append(line);
            }
        }
    }

    /** {@code m:ss}, or {@code h:mm:ss} from an hour on; "" if unknown. */
    static String format(Duration d) {
        if (d == null) {
            return "";
        }
        long s = d.getSeconds();
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s % 3600) / 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
