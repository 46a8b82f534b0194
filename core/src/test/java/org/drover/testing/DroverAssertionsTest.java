package org.drover.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.drover.testing.DroverAssertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.drover.Bundle;
import org.drover.Job;
import org.drover.Sweep;
import org.drover.local.LocalScheduler;
import org.drover.run.RetryPolicy;
import org.drover.run.RunManager;
import org.drover.run.RunReport;
import org.drover.run.TaskState;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Failure messages on a real run whose task fails: they show its reason and the end of its stderr. */
class DroverAssertionsTest {
    @TempDir
    static Path dir;
    static RunReport end;

    @BeforeAll
    static void runAStudyWhoseOneTaskFails() {
        Bundle study = Bundle.named("study").add(Sweep.of(Job.named("train").script(
                "echo score {lr}; if [ {lr} = 0.01 ]; then for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo \"line $i\" >&2; done;"
                        + " echo 'ValueError: learning rate too small' >&2; exit 3; fi")).param("lr", 0.1, 0.01))
                .add(Job.named("report").command("true").dependsOn("train"));
        try (LocalScheduler local = LocalScheduler.builder().cpus(2).build();
             RunManager run = RunManager.of(study).on(local).runsRoot(dir).retry(RetryPolicy.never())
                     .pollInterval(Duration.ofMillis(20)).start()) {
            end = run.awaitCompletion(Duration.ofMinutes(2));
        }
    }

    @Test
    void allCompletedFailsShowingEachFailingTasksReasonAndStderrTail() {
        Path stderr = end.task("train_1").stderrPath().orElseThrow();
        assertThatThrownBy(() -> assertThat(end).allCompleted()).isInstanceOf(AssertionError.class)
                .hasMessage("expected every task of run 'study' to have completed, but 2 of 3 did not "
                        + "(study: 1 of 3 done, 1 failed, 1 cancelled):\n"
                        + "  train_1 {lr=0.01} FAILED after 1 attempt, exit 3: FAILED: exit code 3\n"
                        + "    the last 10 lines of " + stderr + ":\n"
                        + "    | line 4\n    | line 5\n    | line 6\n    | line 7\n    | line 8\n    | line 9\n"
                        + "    | line 10\n    | line 11\n    | line 12\n    | ValueError: learning rate too small\n"
                        + "  report CANCELLED after 1 attempt: " + end.task("report").reason());
    }

    @Test
    void aTaskAssertionFailsWithTheTasksStateReasonAndStderr() {
        assertThat(end.task("train_0")).completed().hasExitCode(0).hasAttempts(1).stdoutContains("score", "0.1");
        assertThatThrownBy(() -> assertThat(end.task("train_1")).completed())
                .hasMessageStartingWith("expected task train_1 of run 'study' to be COMPLETED, but it is FAILED\n"
                        + "  train_1 {lr=0.01} FAILED after 1 attempt, exit 3: FAILED: exit code 3\n    the last 10 lines of ")
                .hasMessageEndingWith("    | ValueError: learning rate too small");
        assertThatThrownBy(() -> assertThat(end.task("train_1")).hasExitCode(0))
                .hasMessageStartingWith("expected task train_1 of run 'study' to have exited 0, but its exit code is 3\n");
        assertThatThrownBy(() -> assertThat(end.task("train_1")).hasAttempts(2))
                .hasMessageStartingWith("expected task train_1 of run 'study' to have made 2 attempts, but it made 1 (FAILED)\n");
        assertThat(end.task("train_1")).failed().reasonContains("exit code 3").stderrContains("learning rate");
    }

    @Test
    void anOutputAssertionShowsTheEndOfThatOutputAndOfStderr() {
        assertThatThrownBy(() -> assertThat(end.task("train_1")).stdoutContains("score 0.01", "accuracy"))
                .hasMessageContaining("expected the stdout of task train_1 of run 'study' to contain \"accuracy\", but it does not\n")
                .hasMessageContaining("the last line of " + end.task("train_1").stdoutPath().orElseThrow() + ":\n    | score 0.01\n")
                .hasMessageEndingWith("    | ValueError: learning rate too small");
    }

    @Test
    void countsAndNavigation() {
        assertThat(end).isFinished().hasCount(TaskState.FAILED, 1).task("train_1").failed();
        assertThatThrownBy(() -> assertThat(end).hasCount(TaskState.FAILED, 0))
                .hasMessageStartingWith("expected 0 FAILED tasks in run 'study', but there are 1 (study: 1 of 3 done, 1 failed, 1 cancelled)\n"
                        + "  train_1 {lr=0.01} FAILED");
        assertThatThrownBy(() -> assertThat(end).task("train_9"))
                .hasMessageStartingWith("bundle 'study' has no task 'train_9' (it has 3 tasks;");
        assertThatThrownBy(() -> assertThat(end).as("the study").allSucceeded()).hasMessageStartingWith("[the study] expected every");
    }

    @Test
    void aReportMadeFromRowsIsDescribedByItsRows() {
        RunReport rows = new RunReport("r", Instant.now(), List.of(
                new RunReport.Row("a", 1, "7", TaskState.FAILED, null, 2, "FAILED: exit code 2", null)));
        assertThatThrownBy(() -> assertThat(rows).allCompleted()).hasMessageEndingWith(":\n  a FAILED: FAILED: exit code 2");
        assertThatThrownBy(() -> rows.task("a")).isInstanceOf(IllegalStateException.class)
                .hasMessage("report of 'r' was made from rows, not by a RunManager: it holds no task records; ask the manager: run.task(\"a\")");
    }
}
