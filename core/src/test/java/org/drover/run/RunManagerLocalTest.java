package org.drover.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.drover.Bundle;
import org.drover.Job;
import org.drover.local.LocalScheduler;
import org.drover.scheduler.JobState;
import org.drover.scheduler.RunDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The RunManager's scenarios that make sense on the embedded LocalScheduler, with real processes. */
class RunManagerLocalTest {
    @TempDir
    Path tmp;

    private RunManager.Builder manager(Bundle b, LocalScheduler local) {
        return RunManager.of(b).on(local).runsRoot(tmp.resolve("runs")).pollInterval(Duration.ofMillis(50))
                .retry(RetryPolicy.builder().withMaxAttempts(3).withBackoff(Duration.ZERO, Duration.ZERO)
                        .retryOn(JobState.FAILED).build());
    }

    @Test
    void aTaskThatCrashesOnceIsRetriedOnceAndCompletes() throws Exception {
        Path marker = tmp.resolve("marker");
        Bundle b = Bundle.named("crash")
                .add(Job.named("flaky").script("if [ ! -e " + marker + " ]; then touch " + marker + "; kill -9 $$; fi; echo ok"))
                .add(Job.named("after").command("true").dependsOn("flaky"));
        try (LocalScheduler local = LocalScheduler.builder().cpus(2).build()) {
            RunManager m = manager(b, local).start();
            RunReport end = m.awaitCompletion(Duration.ofSeconds(60));

            assertThat(end.isSuccess()).as(end.toString()).isTrue();
            TaskRecord flaky = m.record().tasks().get(0);
            assertThat(flaky.attempts()).hasSize(2);
            assertThat(flaky.attempts().get(0).exitCode()).isEqualTo(137);
            assertThat(m.runDirectory().resolveStored(flaky.attempts().get(1).attemptDir()).resolve("stdout")).hasContent("ok");
            assertThat(m.record().tasks().get(1).attempts()).hasSize(1);
        }
    }

    @Test
    void aJobCancelledFromOutsideIsReportedCancelled() {
        Bundle b = Bundle.named("outside").add(Job.named("long").command("sleep", "60"));
        try (LocalScheduler local = LocalScheduler.builder().cpus(1).build()) {
            RunManager m = manager(b, local).start();
            await().atMost(Duration.ofSeconds(30)).until(() -> m.report().rows().get(0).state() == TaskState.RUNNING);
            local.cancel(List.of(m.record().tasks().get(0).lastAttempt().jobId()));
            RunReport end = m.awaitCompletion(Duration.ofSeconds(30));
            assertThat(end.rows().get(0).state()).isEqualTo(TaskState.CANCELLED);
            assertThat(end.rows().get(0).attempt()).isEqualTo(1);
        }
    }

    @Test
    void aNewManagerPicksUpJobsThatEndedWhileNoManagerWatched() throws Exception {
        RunStore store = RunStore.json(tmp.resolve("store.json"));
        Bundle b = Bundle.named("restart").add(Job.named("a").command("true")).add(Job.named("b").command("true").dependsOn("a"));
        try (LocalScheduler local = LocalScheduler.builder().cpus(1).build()) {
            RunManager first = manager(b, local).store(store).build();
            first.step();                                  // submits a, then the manager goes away
            Path aDir = first.runDirectory().resolveStored(first.record().tasks().get(0).lastAttempt().attemptDir());
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(aDir.resolve(RunDirectory.EXIT_CODE)));

            // A new manager and a new local scheduler that knows nothing of job a: the exit-code file settles it.
            try (LocalScheduler fresh = LocalScheduler.builder().cpus(1).build()) {
                RunManager second = manager(b, fresh).store(store).build();
                RunReport end = second.awaitCompletion(Duration.ofSeconds(30));
                assertThat(end.isSuccess()).as(end.toString()).isTrue();
                assertThat(second.record().tasks()).allSatisfy(t -> assertThat(t.attempts()).hasSize(1));
            }
        }
    }
}
