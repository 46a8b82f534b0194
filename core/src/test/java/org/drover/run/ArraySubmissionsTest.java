package org.drover.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.drover.Bundle;
import org.drover.BundlePlan;
import org.drover.Job;
import org.drover.Sweep;
import org.drover.scheduler.Submission;
import org.junit.jupiter.api.Test;

/** Which members of an array sweep go to the scheduler together. */
class ArraySubmissionsTest {
    private static String prefix(String token) {
        return token.substring(0, token.lastIndexOf('-'));
    }

    @Test
    void membersGoTogetherOnlyWithTheSameAttemptDependenciesAndSettings() {
        Bundle b = Bundle.named("b").add(Sweep.of(Job.named("t").command("true")).param("i", 0, 1, 2).asArray(2))
                .add(Job.named("plain").command("true"));
        BundlePlan plan = b.plan();
        TaskTable table = new TaskTable();
        List<Job> jobs = plan.order();
        Task t0 = new Task(table, jobs.get(0), 0);
        Task t1 = new Task(table, jobs.get(1), 1);
        Task t2 = new Task(table, jobs.get(2), 2);
        ArraySubmissions arrays = new ArraySubmissions(plan);
        List<Submission.IdDependency> none = List.of();

        String a0 = arrays.token(t0, t0.job, 1, none);
        String a1 = arrays.token(t1, t1.job, 1, none);
        assertThat(a0).endsWith("-0");
        assertThat(a1).isEqualTo(prefix(a0) + "-1");
        // Grown by the retry policy (or set apart): another array, never the first one's settings.
        String bigger = arrays.token(t2, t2.job.memory("2G"), 1, none);
        assertThat(prefix(bigger)).isNotEqualTo(prefix(a0));
        assertThat(prefix(arrays.token(t2, t2.job, 2, none))).as("another attempt").isNotEqualTo(prefix(a0));
        assertThat(prefix(arrays.token(t2, t2.job, 1, List.of(new Submission.IdDependency("9",
                org.drover.DependencyType.AFTER_OK))))).as("other dependencies").isNotEqualTo(prefix(a0));
        assertThat(arrays.token(new Task(table, jobs.get(3), 3), jobs.get(3), 1, none)).as("not an array member")
                .doesNotContain("-");
        assertThat(arrays.maxRunning("t")).isEqualTo(2);
    }

    @Test
    void onASchedulerWithoutArraysOfItsOwnTheManagerKeepsTheRunningLimit() {
        org.drover.testing.InMemoryScheduler s = new org.drover.testing.InMemoryScheduler(10, 2);
        assertThat(s.supportsArrays()).isFalse();
        Bundle b = Bundle.named("lim").add(Sweep.of(Job.named("t").command("true")).param("i", 0, 1, 2, 3, 4, 5)
                .asArray(2));
        RunManager run = RunManager.of(b).on(s).runsRoot(java.nio.file.Path.of(System.getProperty("java.io.tmpdir")))
                .pollInterval(java.time.Duration.ofMillis(1)).build();
        while (!run.step()) {
            // driven by hand: each step is one tick of the simulated cluster
        }
        assertThat(run.report().isSuccess()).isTrue();
        assertThat(s.maxLive()).as("members in the queue at once").isEqualTo(2);
        run.close();
    }
}
