package org.drover.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.drover.testing.DroverAssertions.assertThat;

import java.time.Duration;
import org.drover.run.RetryPolicy;
import org.drover.run.RunReport;
import org.drover.run.TaskState;
import org.drover.scheduler.JobState;
import org.drover.testing.DroverExtension;
import org.drover.testing.DroverRuns;
import org.drover.testing.InMemoryScheduler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The harness's own retry policy, tested against the simulated cluster instead of a real one: node
 * failures, preemptions and timeouts of the study's jobs are scripted, and the outcome is the same
 * at every run (one tick of the cluster per poll).
 */
class StudyRetryTest {
    /** What the harness uses on the cluster: crashes and timeouts retried, twice the walltime after a timeout. */
    static final RetryPolicy POLICY = RetryPolicy.builder().withMaxAttempts(3)
            .withBackoff(Duration.ZERO, Duration.ZERO)
            .retryOn(JobState.TIMEOUT).withWalltimeGrowth(2.0).build();

    @RegisterExtension
    static DroverExtension drover = DroverExtension.simulated(() -> new InMemoryScheduler(2, 3))
            .withTimeout(Duration.ofSeconds(30)).withPollInterval(Duration.ofMillis(5));

    @Test
    void aNodeFailureAndAPreemptionCostOneAttemptEach(DroverRuns runs, InMemoryScheduler cluster) {
        cluster.script("train_0", JobState.NODE_FAIL).script("train_2", JobState.PREEMPTED);
        RunReport end = runs.run(Demo.study(runs.runsRoot().resolve("data")), run -> run.retry(POLICY));
        assertThat(end).allCompleted();
        assertThat(end.task("train_0")).hasAttempts(2);
        assertThat(end.task("train_2")).hasAttempts(2);
        assertThat(end.task("train_1")).hasAttempts(1);
    }

    @Test
    void aTimeoutIsRetriedWithTwiceTheWalltimeAndThreeFailTheTaskAndItsDependent(DroverRuns runs, InMemoryScheduler cluster) {
        cluster.script("train_3", JobState.TIMEOUT, JobState.TIMEOUT, JobState.TIMEOUT);
        RunReport end = runs.run(Demo.study(runs.runsRoot().resolve("data")), run -> run.retry(POLICY));
        assertThat(end).hasCount(TaskState.FAILED, 1).hasCount(TaskState.CANCELLED, 1);
        assertThat(end.task("train_3")).failed().hasAttempts(3);
        assertThat(end.task("aggregate")).hasState(TaskState.CANCELLED).reasonContains("train_3");
        assertThat(cluster.submissions()).filteredOn(s -> s.job().name().equals("train_3"))
                .extracting(s -> s.job().resources().walltime().orElseThrow().toMinutes())
                .containsExactly(5L, 10L, 20L);
    }
}
