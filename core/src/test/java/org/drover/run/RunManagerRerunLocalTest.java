package org.drover.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.drover.Bundle;
import org.drover.DroverException;
import org.drover.Job;
import org.drover.local.LocalScheduler;
import org.drover.scheduler.JobState;
import org.drover.scheduler.RunDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Re-runs and changed job definitions with real processes on the LocalScheduler. */
class RunManagerRerunLocalTest {
    @TempDir
    Path tmp;

    private RunManager.Builder manager(Bundle b, LocalScheduler local) {
        return RunManager.of(b).on(local).runsRoot(tmp.resolve("runs")).store(tmp.resolve("runs/study.json"))
                .pollInterval(Duration.ofMillis(50));
    }

    private static TaskRecord task(RunManager m, String name) {
        return m.record().tasks().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }

    /** prep writes a file; train reads it and fails (exit 3) until fixed; report needs train's output. */
    private Bundle study(String trainScript) {
        Path data = tmp.resolve("data");
        return Bundle.named("study")
                .add(Job.named("prep").command("sh", "-c", "echo 0.1 >> " + data.resolve("prep.txt")))
                .add(Job.named("train").command("sh", "-c", trainScript).dependsOn("prep"))
                .add(Job.named("report").command("sh", "-c", "cat " + data.resolve("model.txt")).dependsOn("train"));
    }

    @Test
    void aFixedBundleIsRefusedByDefaultAndWithTheChoiceRunsTheFailedTaskAndItsCancelledDependents() throws Exception {
        Files.createDirectories(tmp.resolve("data"));
        Path model = tmp.resolve("data/model.txt");
        String broken = "exit 3";
        String fixed = "echo trained > " + model;
        try (LocalScheduler local = LocalScheduler.builder().cpus(2).build()) {
            RunReport first = manager(study(broken), local).start().awaitCompletion(Duration.ofSeconds(60));
            assertThat(first.count(TaskState.COMPLETED)).as(first.toString()).isEqualTo(1);
            assertThat(first.count(TaskState.FAILED)).isEqualTo(1);
            assertThat(first.count(TaskState.CANCELLED)).isEqualTo(1);

            assertThatThrownBy(() -> manager(study(fixed), local).start())
                    .isInstanceOf(DroverException.class)
                    .hasMessageContaining("task train: command changed from [sh, -c, exit 3] to [sh, -c, " + fixed + "]")
                    .hasMessageContaining(".rerun(Rerun.changed())");

            RunManager again = manager(study(fixed), local).rerun(Rerun.changed()).start();
            RunReport end = again.awaitCompletion(Duration.ofSeconds(60));

            assertThat(end.isSuccess()).as(end.toString()).isTrue();
            TaskRecord train = task(again, "train");
            assertThat(train.attempts()).extracting(AttemptRecord::number).containsExactly(1, 2);
            assertThat(train.attempts().get(0).state()).isEqualTo(JobState.FAILED);
            assertThat(train.attempts().get(0).exitCode()).isEqualTo(3);
            assertThat(train.attempts().get(1).state()).isEqualTo(JobState.COMPLETED);
            assertThat(RunDirectory.resolveStored(tmp.resolve("runs"), train.attempts().get(1).attemptDir())).isEqualTo(again.runDirectory().attemptDir("train", 2));
            assertThat(RunDirectory.resolveStored(tmp.resolve("runs"), train.attempts().get(0).attemptDir()).resolve(RunDirectory.EXIT_CODE)).hasContent("3");
            TaskRecord report = task(again, "report");
            // Attempt 1 waited in the queue on train's failed attempt and was cancelled with it, never run.
            assertThat(report.attempts()).hasSize(2);
            assertThat(report.attempts().get(0).state()).isEqualTo(JobState.CANCELLED);
            assertThat(report.attempts().get(0).reason()).isEqualTo("dependency train ended FAILED");
            assertThat(RunDirectory.resolveStored(tmp.resolve("runs"), report.attempts().get(0).attemptDir()).resolve(RunDirectory.STARTED)).doesNotExist();
            assertThat(RunDirectory.resolveStored(tmp.resolve("runs"), report.lastAttempt().attemptDir()).resolve(RunDirectory.STDOUT)).hasContent("trained");
            assertThat(task(again, "prep").attempts()).hasSize(1);   // completed: not run again
            assertThat(tmp.resolve("data/prep.txt")).hasContent("0.1");
        }
    }

    @Test
    void aCompletedTaskNamedRunsAgain() throws Exception {
        Files.createDirectories(tmp.resolve("data"));
        String train = "echo trained > " + tmp.resolve("data/model.txt");
        try (LocalScheduler local = LocalScheduler.builder().cpus(2).build()) {
            assertThat(manager(study(train), local).start().awaitCompletion(Duration.ofSeconds(60)).isSuccess()).isTrue();

            RunManager again = manager(study(train), local).rerun(Rerun.named("prep")).start();
            RunReport end = again.awaitCompletion(Duration.ofSeconds(60));

            assertThat(end.isSuccess()).as(end.toString()).isTrue();
            assertThat(tmp.resolve("data/prep.txt")).hasContent("0.1\n0.1");   // it really ran twice
            assertThat(task(again, "prep").attempts()).extracting(AttemptRecord::number).containsExactly(1, 2);
            assertThat(task(again, "train").attempts()).hasSize(1);           // a completed dependent: left alone
        }
    }

    @Test
    void aChangedJobThatRunsIsStoppedBeforeItsNewDefinitionStarts() throws Exception {
        Bundle v1 = Bundle.named("study").add(Job.named("long").command("sleep", "60"));
        Bundle v2 = Bundle.named("study").add(Job.named("long").command("echo", "short"));
        try (LocalScheduler local = LocalScheduler.builder().cpus(2).build()) {
            RunManager first = manager(v1, local).start();
            await().atMost(Duration.ofSeconds(30)).until(() -> task(first, "long").state() == TaskState.RUNNING);
            first.close();   // detaches: the job runs on

            RunManager again = manager(v2, local).rerun(Rerun.changed()).start();
            RunReport end = again.awaitCompletion(Duration.ofSeconds(60));

            assertThat(end.isSuccess()).as(end.toString()).isTrue();
            List<AttemptRecord> attempts = task(again, "long").attempts();
            assertThat(attempts).extracting(AttemptRecord::state).containsExactly(JobState.CANCELLED, JobState.COMPLETED);
            Path oldEnd = RunDirectory.resolveStored(tmp.resolve("runs"), attempts.get(0).attemptDir()).resolve(RunDirectory.EXIT_CODE);
            Path newStart = RunDirectory.resolveStored(tmp.resolve("runs"), attempts.get(1).attemptDir()).resolve(RunDirectory.STARTED);
            assertThat(Files.getLastModifiedTime(oldEnd)).isLessThanOrEqualTo(Files.getLastModifiedTime(newStart));
            assertThat(RunDirectory.resolveStored(tmp.resolve("runs"), attempts.get(1).attemptDir()).resolve(RunDirectory.STDOUT)).hasContent("short");
        }
    }
}
