package org.drover.testing;

import org.drover.run.RunReport;
import org.drover.run.TaskResult;

/**
 * AssertJ-style assertions on runs and tasks, whose failure messages say what a person would look
 * at next: each failing task's state, exit code and reason, and the last lines of its stderr.
 * Import it beside AssertJ's own {@code assertThat}; the overloads do not clash.
 *
 * <pre>{@code
 * import static org.assertj.core.api.Assertions.assertThat;
 * import static org.drover.testing.DroverAssertions.assertThat;
 *
 * RunReport end = run.awaitCompletion();
 * assertThat(end).allCompleted();                                  // passes
 * assertThat(end.task("train_3")).completed().stdoutContains("score");
 *
 * assertThat(failedRun).allCompleted();                            // fails:
 * // expected every task of run 'study' to have completed, but 1 of 6 did not:
 * //   train_3 {lr=0.01, seed=2} FAILED after 1 attempt, exit 3: FAILED: exit code 3
 * //     the last 2 lines of /tmp/drover-test-42/study_20261205-101500-123/train_3/1/stderr:
 * //     | Traceback (most recent call last):
 * //     | ValueError: learning rate too small
 * }</pre>
 */
public final class DroverAssertions {
    private DroverAssertions() {}

    /**
     * Assertions on a run's report.
     *
     * @param report the report, e.g. {@code run.awaitCompletion()}
     * @return the assertions
     */
    public static RunReportAssert assertThat(RunReport report) {
        return new RunReportAssert(report);
    }

    /**
     * Assertions on one task's results.
     *
     * @param task the task, e.g. {@code report.task("train_3")} or {@code run.task("train_3")}
     * @return the assertions
     */
    public static TaskResultAssert assertThat(TaskResult task) {
        return new TaskResultAssert(task);
    }
}
