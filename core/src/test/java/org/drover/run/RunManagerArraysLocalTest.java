package org.drover.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.drover.Bundle;
import org.drover.Job;
import org.drover.Sweep;
import org.drover.local.LocalScheduler;
import org.drover.scheduler.JobState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sweeps marked as arrays under the RunManager, on real processes. */
class RunManagerArraysLocalTest {
    @TempDir
    Path tmp;

    @Test
    void anArraySweepGoesAsOneArraySubmissionAndAFailedMemberIsRetriedAlone() throws Exception {
        Path marker = tmp.resolve("marker");
        Path log = tmp.resolve("running");
        // Each member logs how many members run beside it (asArray(2): never more than 2).
        Sweep sweep = Sweep.of(Job.named("t").script("echo start >> " + log + "; sleep 0.3; "
                + "if [ {i} -eq 3 ] && [ ! -e " + marker + " ]; then touch " + marker + "; exit 3; fi"))
                .param("i", 0, 1, 2, 3, 4, 5).asArray(2);
        Bundle b = Bundle.named("arr").add(Job.named("prep").command("true")).add(sweep.dependsOn("prep"))
                .add(Job.named("sum").command("true").dependsOn("t"));
        try (CountingLocalScheduler s = new CountingLocalScheduler(LocalScheduler.builder().cpus(4).build());
             RunManager run = RunManager.of(b).on(s).runsRoot(tmp.resolve("runs")).pollInterval(Duration.ofMillis(100))
                     .retry(RetryPolicy.builder().withMaxAttempts(2).withBackoff(Duration.ZERO, Duration.ZERO)
                             .retryOn(JobState.FAILED).build()).start()) {
            RunReport end = run.awaitCompletion(Duration.ofSeconds(60));

            assertThat(end.isSuccess()).as(end.toString()).isTrue();
            assertThat(s.arrays).as("one array submission, with its limit").containsExactly(
                    List.of("t_0", "t_1", "t_2", "t_3", "t_4", "t_5", "%2"));
            // sum went on the array's attempts at once, was withdrawn when t_3 was retried (its attempt 1,
            // never run, not spent), and went again on t_3's attempt 2.
            assertThat(s.singles).containsExactly("prep/1", "sum/1", "t_3/2", "sum/1");
            assertThat(s.deps.get("sum/1")).extracting(org.drover.scheduler.Submission.IdDependency::jobId)
                    .contains(run.record().tasks().get(4).lastAttempt().jobId());
            List<TaskRecord> tasks = run.record().tasks();
            assertThat(tasks).filteredOn(t -> t.name().startsWith("t_"))
                    .allSatisfy(t -> assertThat(t.attempts()).hasSize(t.name().equals("t_3") ? 2 : 1));
            // The members share one array token: drvX-0 ... drvX-5.
            String token0 = tasks.get(1).attempts().get(0).token();
            assertThat(token0).endsWith("-0");
            String arrayToken = token0.substring(0, token0.length() - 2);
            assertThat(tasks.subList(1, 7)).allSatisfy(t -> assertThat(t.attempts().get(0).token())
                    .startsWith(arrayToken + "-"));
            assertThat(Files.readAllLines(log)).hasSize(7);
        }
    }
}
