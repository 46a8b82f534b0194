package org.drover.testing;

import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import org.assertj.core.api.AbstractAssert;
import org.drover.run.RunReport;
import org.drover.run.TaskState;

/**
 * Assertions on a {@link RunReport}; get them from {@link DroverAssertions#assertThat(RunReport)}.
 * A failure names every task that broke the expectation (the first five in full: state, exit code,
 * reason and the last lines of stderr).
 *
 * <pre>{@code
 * assertThat(report).isFinished().allCompleted();
 * assertThat(report).hasCount(TaskState.FAILED, 1).task("train_3").failed().stderrContains("MemoryError");
 * }</pre>
 */
public final class RunReportAssert extends AbstractAssert<RunReportAssert, RunReport> {
    RunReportAssert(RunReport actual) {
        super(actual, RunReportAssert.class);
    }

    /**
     * Every task completed (ran, exited 0 and passed the done check; a skipped task does not count).
     *
     * @return this
     * @throws AssertionError if a task did not, naming each and showing its reason and stderr
     */
    public RunReportAssert allCompleted() {
        return all(s -> s == TaskState.COMPLETED, "to have completed");
    }

    /**
     * Every task ended well: completed, or skipped because its result was there.
     *
     * @return this
     * @throws AssertionError if a task did not, naming each and showing its reason and stderr
     */
    public RunReportAssert allSucceeded() {
        return all(TaskState::isSuccess, "to have completed or been skipped");
    }

    /**
     * Every task has ended (well or not).
     *
     * @return this
     * @throws AssertionError if a task has not, naming each
     */
    public RunReportAssert isFinished() {
        return all(TaskState::isTerminal, "to have ended");
    }

    /**
     * Exactly {@code n} tasks are in this state.
     *
     * @param state the task state
     * @param n how many tasks
     * @return this
     * @throws AssertionError if not, with the counts of every state
     */
    public RunReportAssert hasCount(TaskState state, int n) {
        isNotNull();
        Objects.requireNonNull(state, "state");
        if (actual.count(state) != n) {
            throw failure("%s", "expected " + n + " " + state + " tasks in run '" + actual.bundle() + "', but there are "
                    + actual.count(state) + " (" + actual.summary() + ")" + FailureText.tasks(actual,
                    actual.rows().stream().filter(r -> r.state() == state).toList()));
        }
        return this;
    }

    /**
     * Assertions on one task of the run, as the report has it.
     *
     * @param name the task's name ({@code train_3})
     * @return the task's assertions
     * @throws AssertionError if the run has no such task
     */
    public TaskResultAssert task(String name) {
        isNotNull();
        try {
            return new TaskResultAssert(actual.task(name));
        } catch (IllegalArgumentException e) {
            throw failure("%s", e.getMessage());
        }
    }

    private RunReportAssert all(Predicate<TaskState> ok, String expectation) {
        isNotNull();
        List<RunReport.Row> wrong = actual.rows().stream().filter(r -> !ok.test(r.state())).toList();
        if (!wrong.isEmpty()) {
            throw failure("%s", "expected every task of run '" + actual.bundle() + "' " + expectation + ", but "
                    + wrong.size() + " of " + actual.rows().size() + " did not (" + actual.summary() + "):"
                    + FailureText.tasks(actual, wrong));
        }
        return this;
    }
}
