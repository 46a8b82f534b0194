package org.drover.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.drover.Bundle;
import org.drover.Job;
import org.drover.local.LocalScheduler;
import org.drover.run.RunManager;
import org.drover.run.TaskState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the extension does after a test, on real processes. */
class DroverRunsTest {
    @TempDir
    Path tmp;

    @Test
    void closingCancelsRunsStillGoingAndDeletesTheRunsRoot() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        DroverRuns runs = new DroverRuns(LocalScheduler.builder().cpus(1).build(), root, Duration.ofMillis(20), Duration.ofMinutes(1));
        RunManager run = runs.start(Bundle.named("long").add(Job.named("sleeper").command("sleep", "60")));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> run.report().count(TaskState.RUNNING) == 1);
        runs.close();
        assertThat(run.report().count(TaskState.CANCELLED)).isEqualTo(1);
        assertThat(root).doesNotExist();
        assertThatThrownBy(() -> runs.builder(Bundle.named("x").add(Job.named("x").command("true"))))
                .hasMessage("DroverRuns of a finished test: it is made for one test method");
    }

    @Test
    void aFailedTestsRunsRootIsKept() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        DroverRuns runs = new DroverRuns(LocalScheduler.builder().cpus(1).build(), root, Duration.ofMillis(20), Duration.ofMinutes(1));
        runs.run(Bundle.named("quick").add(Job.named("q").command("true")));
        runs.close(true);
        assertThat(root).isNotEmptyDirectory();
    }

    @Test
    void aRunThatOutlivesTheTimeoutIsCancelledAndFailsTheTestWithItsReport() throws Exception {
        DroverRuns runs = new DroverRuns(LocalScheduler.builder().cpus(1).build(), tmp, Duration.ofMillis(20), Duration.ofMillis(500));
        try {
            assertThatThrownBy(() -> runs.run(Bundle.named("long").add(Job.named("sleeper").command("sleep", "60"))))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageStartingWith("run 'long' did not end within PT0.5S (DroverExtension.timeout); it was cancelled:\n"
                            + "long: 0 of 1 done, 1 cancelled\n");
        } finally {
            runs.close(true);
        }
    }
}
