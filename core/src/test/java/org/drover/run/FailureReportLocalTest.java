package org.drover.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.drover.Bundle;
import org.drover.Job;
import org.drover.Sweep;
import org.drover.local.LocalScheduler;
import org.drover.scheduler.JobState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user reads after a run that failed, on real processes: the printed report (whole reasons,
 * sweep parameters, signal names, the job's own elapsed time, the stderr of failed tasks).
 */
class FailureReportLocalTest {
    @TempDir
    Path tmp;

    /** training_0 writes 15 lines to stderr and exits 3, training_1 kills itself (SIGKILL), training_2 takes 50 ms. */
    static Bundle failing() {
        return Bundle.named("acts")
                .add(Sweep.of(Job.named("training").script("case {mode} in\n"
                                + "  err) echo starting; for i in $(seq 1 15); do echo \"line $i\" >&2; done; exit 3;;\n"
                                + "  kill) kill -9 $$;;\n"
                                + "  quick) sleep 0.05; echo done;;\n"
                                + "esac"))
                        .param("mode", "err", "kill", "quick"))
                .add(Job.named("after").command("true").dependsOn("training"));
    }

    static RunManager.Builder manager(Bundle b, LocalScheduler local, Path tmp) {
        // A poll interval of 2 s: the elapsed time must be the job's own, not submission to the poll that saw the end.
        return RunManager.of(b).on(local).runsRoot(tmp.resolve("runs")).store(tmp.resolve("acts.json"))
                .retry(RetryPolicy.never()).pollInterval(Duration.ofSeconds(2));
    }

    @Test
    void theReportOfAFailedSweepSaysWhatToActOn() {
        try (LocalScheduler local = LocalScheduler.builder().cpus(3).build();
             RunManager run = manager(failing(), local, tmp).start()) {
            RunReport end = run.awaitCompletion(Duration.ofSeconds(60));
            String text = end.toString();
            List<String> lines = text.lines().toList();

            assertThat(lines.get(0)).as(text).isEqualTo("acts: 1 of 4 done, 2 failed, 1 cancelled");
            assertThat(lines.get(1)).as(text).matches("task +params +attempt +job id +state +exit +elapsed +reason");
            assertThat(line(lines, "training_0 ")).as(text)
                    .matches("training_0 +mode=err +1 +[\\d.]+ +FAILED +3 +0:00 +FAILED: exit code 3");
            assertThat(line(lines, "training_1 ")).as(text)
                    .matches("training_1 +mode=kill +1 +[\\d.]+ +FAILED +137 \\(SIGKILL\\) +0:00 +FAILED: exit code 137");
            assertThat(line(lines, "training_2 ")).as(text)
                    .matches("training_2 +mode=quick +1 +[\\d.]+ +COMPLETED +0 +0:00");
            assertThat(line(lines, "after ")).as(text)
                    // It waited in the queue on the training jobs' ids, and was cancelled when one failed.
                    .matches("after +1 +[\\d.]+ +CANCELLED +dependency training_[01] ended FAILED");

            Path runDir = run.runDirectory().path();
            assertThat(text).as(text).contains("\n\ntraining_0, attempt 1: the last 10 lines of "
                    + runDir.resolve("training_0/1/stderr") + "\n  | line 6\n");
            assertThat(text).as(text).contains("\n  | line 14\n  | line 15\n")
                    .doesNotContain("| line 5\n")
                    .contains("\ntraining_1, attempt 1: " + runDir.resolve("training_1/1/stderr") + " is empty");

            assertThat(end.rows()).extracting(RunReport.Row::params).containsExactly(Map.of("mode", "err"),
                    Map.of("mode", "kill"), Map.of("mode", "quick"), Map.of());
            assertThat(end.rows().get(2).elapsed()).isLessThan(Duration.ofSeconds(1));
            assertThat(end.rows().get(3).elapsed()).isNull();   // never ran
        }
    }

    @Test
    void aTaskIsReadBackFromTheManagerAndFromTheSavedStore() {
        try (LocalScheduler local = LocalScheduler.builder().cpus(3).build();
             RunManager run = manager(failing(), local, tmp).start()) {
            run.awaitCompletion(Duration.ofSeconds(60));
            Path runDir = run.runDirectory().path();
            RunRecord saved = RunStore.json(tmp.resolve("acts.json")).load().orElseThrow();

            for (TaskResult err : List.of(run.task("training_0"), TaskResult.read(saved, tmp.resolve("runs"), "training_0"))) {
                assertThat(err.name()).isEqualTo("training_0");
                assertThat(err.bundle()).isEqualTo("acts");
                assertThat(err.state()).isEqualTo(TaskState.FAILED);
                assertThat(err.reason()).isEqualTo("FAILED: exit code 3");
                assertThat(err.params()).containsExactly(Map.entry("mode", "err"));
                assertThat(err.job().name()).isEqualTo("training_0");
                assertThat(err.attempts()).hasSize(1);
                assertThat(err.attemptDir()).contains(runDir.resolve("training_0/1"));
                assertThat(err.stdoutPath()).contains(runDir.resolve("training_0/1/stdout"));
                assertThat(err.stderrPath()).contains(runDir.resolve("training_0/1/stderr"));
                assertThat(err.stdout()).isEqualTo("starting\n");
                assertThat(err.stderrTail(2)).isEqualTo("line 14\nline 15\n");
                assertThat(err.stderr()).startsWith("line 1\nline 2\n").endsWith("line 15\n");
                assertThat(err.stdoutTail(5)).isEqualTo("starting\n");
                assertThat(err.exitCode()).hasValue(3);
                assertThat(err.signal()).isEmpty();
                assertThat(err.elapsed()).hasValueSatisfying(d -> assertThat(d).isLessThan(Duration.ofSeconds(1)));
                assertThat(err.host()).isPresent();
                assertThat(err.toString()).startsWith("TaskResult[training_0 {mode=err} FAILED, 1 attempt, last job ")
                        .endsWith(" in " + runDir.resolve("training_0/1") + ", exit 3, elapsed 0:00: FAILED: exit code 3]");
            }

            TaskResult killed = run.task("training_1");
            assertThat(killed.exitCode()).hasValue(137);
            assertThat(killed.signal()).contains("SIGKILL");
            assertThat(killed.stderr()).isEmpty();
            assertThat(killed.stderrTail(10)).isEmpty();

            TaskResult quick = run.task("training_2");
            assertThat(quick.state()).isEqualTo(TaskState.COMPLETED);
            assertThat(quick.stdout()).isEqualTo("done\n");
            assertThat(quick.elapsed()).hasValueSatisfying(d -> assertThat(d).isLessThan(Duration.ofSeconds(1)));

            TaskResult after = run.task("after");
            assertThat(after.state()).isEqualTo(TaskState.CANCELLED);
            assertThat(after.attempts()).hasSize(1);   // cancelled in the queue, never started
            assertThat(after.attempts().get(0).state()).isEqualTo(JobState.CANCELLED);
            assertThat(after.stdout()).isEmpty();
            assertThat(after.exitCode()).isEmpty();
            assertThat(after.elapsed()).isEmpty();
            assertThat(after.params()).isEmpty();

            assertThatThrownBy(() -> run.task("training_9")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("bundle 'acts' has no task 'training_9' (it has 4 tasks");
            assertThatThrownBy(() -> TaskResult.read(saved, tmp.resolve("runs"), "nope"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("bundle 'acts' has no task 'nope'");
        }
    }

    private static String line(List<String> lines, String prefix) {
        return lines.stream().filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no line starts with '" + prefix + "' in\n" + String.join("\n", lines)));
    }
}
