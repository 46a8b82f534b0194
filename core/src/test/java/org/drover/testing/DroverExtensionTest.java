package org.drover.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.drover.testing.DroverAssertions.assertThat;

import java.nio.file.Files;
import java.time.Duration;
import org.drover.Bundle;
import org.drover.Job;
import org.drover.Sweep;
import org.drover.local.LocalScheduler;
import org.drover.run.RetryPolicy;
import org.drover.run.RunManager;
import org.drover.run.RunReport;
import org.drover.run.TaskState;
import org.drover.scheduler.Scheduler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The extension as a harness uses it by default: real processes on a LocalScheduler. */
@ExtendWith(DroverExtension.class)
class DroverExtensionTest {
    private static Bundle study() {
        return Bundle.named("study")
                .add(Job.named("prep").script("echo prepared"))
                .add(Sweep.of(Job.named("train").script("echo score {lr}")).param("lr", 0.1, 0.01).dependsOn("prep"));
    }

    @Test
    void aTestGetsRunsOnALocalSchedulerInAFreshRunsRoot(DroverRuns drover, Scheduler scheduler) throws Exception {
        assertThat(scheduler).isInstanceOf(LocalScheduler.class).isSameAs(drover.scheduler());
        assertThat(drover.runsRoot()).isAbsolute().isDirectory().isEmptyDirectory();
        RunReport end = drover.run(study());
        assertThat(end).isFinished().allCompleted().hasCount(TaskState.COMPLETED, 3);
        assertThat(end.task("train_1")).completed().hasExitCode(0).hasAttempts(1).stdoutContains("score 0.01");
        assertThat(end).task("prep").stdoutContains("prepared");
        assertThat(drover.runsRoot().resolve(end.task("prep").attemptDir().orElseThrow().getParent().getParent()
                .getFileName())).isDirectory();
        assertThat(drover.toString()).isEqualTo("DroverRuns[local in " + drover.runsRoot() + ", 1 run started]");
    }

    @Test
    void aRunTakesSettingsOfTheTestsOwnAndPollsQuickly(DroverRuns drover) {
        // Each attempt runs in its own directory: the marker that makes the second attempt pass is in the runs root.
        Job flaky = Job.named("flaky").script("test -e \"$MARKER\" && echo second || { touch \"$MARKER\"; exit 3; }")
                .env("MARKER", drover.runsRoot().resolve("marker").toString());
        RunReport end = drover.run(Bundle.named("b").add(flaky), run -> run.retry(RetryPolicy.builder()
                .withBackoff(Duration.ZERO, Duration.ZERO).retryOn(org.drover.scheduler.JobState.FAILED).build()));
        assertThat(end.task("flaky")).completed().hasAttempts(2).stdoutContains("second");
        assertThat(Files.exists(drover.runsRoot().resolve("marker"))).isTrue();
    }

    @Test
    void theBuilderIsSetUpForTheTestAndStepsByHand(DroverRuns drover) {
        try (RunManager run = drover.builder(study()).build()) {
            assertThat(run.toString()).startsWith("RunManager[study on local, ");
            assertThat(run.runDirectory().path()).startsWith(drover.runsRoot());
        }
    }

    @Test
    void oneJobOrOneSweepRunsAsABundleOfItsOwn(DroverRuns drover) {
        assertThat(drover.run(Job.named("one").command("true"))).allCompleted();
        RunReport sweep = drover.run(Sweep.of(Job.named("s").command("echo", "{x}")).param("x", 1, 2));
        assertThat(sweep.bundle()).isEqualTo("s");
        assertThat(sweep).allCompleted();
    }
}
