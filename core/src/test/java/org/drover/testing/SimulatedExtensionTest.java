package org.drover.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.drover.testing.DroverAssertions.assertThat;

import java.time.Duration;
import org.drover.Bundle;
import org.drover.Job;
import org.drover.Sweep;
import org.drover.run.RetryPolicy;
import org.drover.run.RunReport;
import org.drover.scheduler.JobState;
import org.drover.scheduler.Scheduler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The extension registered on the simulated cluster: a test scripts it through its parameter. */
class SimulatedExtensionTest {
    @RegisterExtension
    static DroverExtension drover = DroverExtension.simulated(() -> new InMemoryScheduler(4, 2))
            .withTimeout(Duration.ofSeconds(30)).withPollInterval(Duration.ofMillis(5));

    private static Bundle study() {
        return Bundle.named("study").add(Sweep.of(Job.named("train").command("train", "{lr}")).param("lr", 1, 2, 3));
    }

    @Test
    void nodeFailuresAreRetriedAndATimeoutIsNot(DroverRuns runs, InMemoryScheduler cluster, Scheduler same) {
        assertThat(same).isSameAs(cluster).isSameAs(runs.scheduler());
        cluster.script("train_1", JobState.NODE_FAIL).script("train_2", JobState.TIMEOUT);
        RunReport end = runs.run(study(), run -> run.retry(RetryPolicy.builder().withBackoff(Duration.ZERO, Duration.ZERO).build()));
        assertThat(end.task("train_1")).completed().hasAttempts(2);
        assertThat(end.task("train_2")).failed().hasAttempts(1).reasonContains("TIMEOUT");
        assertThat(cluster.submitCount("train_1")).isEqualTo(2);
    }

    @Test
    void eachTestGetsAFreshCluster(InMemoryScheduler cluster) {
        assertThat(cluster.statusCalls()).isZero();
        assertThat(cluster.submitCount("train_1")).isZero();
    }

    @Test
    void itSaysWhatItIs() {
        assertThat(drover).hasToString("DroverExtension[simulated, timeout PT30S, poll PT0.005S]");
    }
}
