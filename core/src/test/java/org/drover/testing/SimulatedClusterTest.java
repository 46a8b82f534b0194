package org.drover.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.drover.Bundle;
import org.drover.Job;
import org.drover.Sweep;
import org.drover.run.DoneCheck;
import org.drover.run.RetryPolicy;
import org.drover.run.RunManager;
import org.drover.run.RunReport;
import org.drover.run.TaskState;
import org.drover.scheduler.JobState;
import org.drover.scheduler.JobStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulated cluster as a harness uses it: its own retry policy and done check against scripted
 * and outside-caused node failures, preemptions, timeouts and a flaky status query, step by step.
 */
class SimulatedClusterTest {
    @TempDir
    Path tmp;

    private static Bundle study() {
        return Bundle.named("study").add(Sweep.of(Job.named("train").command("train", "{lr}")).param("lr", 1, 2, 3, 4));
    }

    private static RetryPolicy noWait() {
        return RetryPolicy.builder().withBackoff(Duration.ZERO, Duration.ZERO).build();
    }

    private RunReport runToEnd(RunManager run) {
        int steps = 0;
        while (!run.step()) {
            assertThat(++steps).as("steps before the end").isLessThan(1_000);
        }
        return run.report();
    }

    @Test
    void theClassCommentsExampleEndsAsItSays() {
        InMemoryScheduler cluster = new InMemoryScheduler(4, 2)
                .script("train_1", JobState.NODE_FAIL)
                .script("train_2", JobState.PREEMPTED, JobState.TIMEOUT)
                .failStatusEvery(3);
        try (RunManager run = RunManager.of(study()).on(cluster).runsRoot(tmp).retry(noWait()).build()) {
            RunReport end = runToEnd(run);
            assertThat(run.task("train_1").attempts()).extracting(a -> a.state())
                    .containsExactly(JobState.NODE_FAIL, JobState.COMPLETED);
            assertThat(run.task("train_2").state()).isEqualTo(TaskState.FAILED);
            assertThat(run.task("train_2").attempts()).extracting(a -> a.state())
                    .containsExactly(JobState.PREEMPTED, JobState.TIMEOUT);
            assertThat(cluster.submitCount("train_2")).isEqualTo(2);
            assertThat(end.count(TaskState.COMPLETED)).isEqualTo(3);
        }
    }

    @Test
    void theSameScriptGivesTheSameRunEveryTime() {
        List<String> runs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            InMemoryScheduler cluster = new InMemoryScheduler(2, 3).script("train_0", JobState.NODE_FAIL, JobState.NODE_FAIL)
                    .failStatusEvery(2);
            try (RunManager run = RunManager.of(study()).on(cluster).runsRoot(tmp.resolve("r" + i)).retry(noWait()).build()) {
                int steps = 0;
                while (!run.step()) {
                    steps++;
                }
                runs.add(steps + " steps, " + cluster.statusCalls() + " polls: " + run.report().summary()
                        + " " + run.task("train_0").attempts().size());
            }
        }
        assertThat(runs).containsOnly(runs.get(0));
        assertThat(runs.get(0)).endsWith("study: 4 of 4 done 3");
    }

    @Test
    void aNodeGoingDownEndsEveryRunningJobAndTheDefaultPolicyRetriesThem() {
        InMemoryScheduler cluster = new InMemoryScheduler(2, 5);
        try (RunManager run = RunManager.of(study()).on(cluster).runsRoot(tmp).retry(noWait()).build()) {
            run.step();   // submits 4
            run.step();   // 2 start
            List<String> down = cluster.endRunningJobs(JobState.NODE_FAIL);
            assertThat(down).containsExactly("1", "2");
            assertThat(cluster.stateOf("1")).isEqualTo(JobState.NODE_FAIL);
            assertThat(cluster.stateOf("3")).isEqualTo(JobState.PENDING);
            RunReport end = runToEnd(run);
            assertThat(end.isSuccess()).isTrue();
            assertThat(run.task("train_0").attempts()).extracting(a -> a.state())
                    .containsExactly(JobState.NODE_FAIL, JobState.COMPLETED);
            assertThat(run.task("train_2").attempts()).hasSize(1);
        }
    }

    @Test
    void aPreemptionFromOutsideIsRetriedAndATimeoutIsRetriedOnlyWhenThePolicySays() {
        InMemoryScheduler cluster = new InMemoryScheduler(4, 5);
        RetryPolicy alsoTimeouts = RetryPolicy.builder().withBackoff(Duration.ZERO, Duration.ZERO)
                .retryOn(JobState.TIMEOUT).withWalltimeGrowth(2.0).build();
        Bundle b = Bundle.named("b").add(Job.named("a").command("a").walltime("00:10:00"))
                .add(Job.named("c").command("c").walltime("00:10:00"));
        try (RunManager run = RunManager.of(b).on(cluster).runsRoot(tmp).retry(alsoTimeouts).build()) {
            run.step();
            run.step();
            assertThat(cluster.endJob("1", JobState.PREEMPTED)).isTrue();
            assertThat(cluster.endJob("2", JobState.TIMEOUT)).isTrue();
            assertThat(cluster.endJob("2", JobState.FAILED)).as("an ended job is left alone").isFalse();
            assertThat(cluster.endJob("99", JobState.FAILED)).as("no such job").isFalse();
            assertThat(runToEnd(run).isSuccess()).isTrue();
            assertThat(run.task("a").attempts()).extracting(x -> x.state()).containsExactly(JobState.PREEMPTED, JobState.COMPLETED);
            assertThat(cluster.submissions()).extracting(s -> s.job().name() + " " + s.job().resources().walltime().orElseThrow().toMinutes() + " min")
                    .containsExactly("a 10 min", "c 10 min", "a 10 min", "c 20 min");
        }
    }

    @Test
    void aStatusOutageAnswersUnknownForItsLengthWhileJobsGoOn() {
        InMemoryScheduler cluster = new InMemoryScheduler(1, 2).failNextStatusCalls(2);
        cluster.submit(new org.drover.scheduler.Submission(Job.named("a").command("a"), "b", tmp.resolve("a/1"), 1, List.of(),
                "drv0000000000000001"));
        Map<String, JobStatus> first = cluster.status(List.of("1"));
        Map<String, JobStatus> second = cluster.status(List.of("1"));
        Map<String, JobStatus> third = cluster.status(List.of("1"));
        assertThat(first.get("1").state()).isEqualTo(JobState.UNKNOWN);
        assertThat(second.get("1").state()).isEqualTo(JobState.UNKNOWN);
        assertThat(third.get("1").state()).as("2 ticks ran meanwhile").isEqualTo(JobState.COMPLETED);
    }

    @Test
    void aManagerRidesOutAFlakyStatusQueryWithoutFailingATask() {
        InMemoryScheduler cluster = new InMemoryScheduler(4, 2).failStatusEvery(2).failNextStatusCalls(5);
        try (RunManager run = RunManager.of(study()).on(cluster).runsRoot(tmp).retry(RetryPolicy.never()).build()) {
            RunReport end = runToEnd(run);
            assertThat(end.count(TaskState.COMPLETED)).isEqualTo(4);
            assertThat(cluster.submitCount("train_0")).isEqualTo(1);
        }
    }

    @Test
    void aDoneCheckSeesTheResultsTheTestWritesWhenJobsEnd() throws IOException {
        Path results = Files.createDirectories(tmp.resolve("results"));
        InMemoryScheduler cluster = new InMemoryScheduler(4, 1).whenEnded((submission, end) -> {
            // The job "forgets" to write its result on its first attempt of train_3.
            boolean forgets = submission.job().name().equals("train_3") && submission.attempt() == 1;
            if (end == JobState.COMPLETED && !forgets) {
                try {
                    Files.writeString(results.resolve(submission.job().name() + ".done"), submission.job().params().toString());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        });
        RetryPolicy retryFailures = RetryPolicy.builder().withBackoff(Duration.ZERO, Duration.ZERO).retryOn(JobState.FAILED).build();
        try (RunManager run = RunManager.of(study()).on(cluster).runsRoot(tmp.resolve("runs")).retry(retryFailures)
                .doneWhen(DoneCheck.fileExists(results + "/{name}.done")).build()) {
            RunReport end = runToEnd(run);
            assertThat(end.isSuccess()).isTrue();
            assertThat(run.task("train_3").attempts()).extracting(a -> a.state())
                    .containsExactly(JobState.FAILED, JobState.COMPLETED);
            assertThat(run.task("train_3").attempts().get(0).reason()).contains("done check");
            assertThat(Files.readString(results.resolve("train_2.done"))).isEqualTo("{lr=3}");
        }
        // A second run finds every result there: nothing is submitted.
        InMemoryScheduler again = new InMemoryScheduler(4, 1);
        try (RunManager run = RunManager.of(study()).on(again).runsRoot(tmp.resolve("runs2"))
                .doneWhen(DoneCheck.fileExists(results + "/{name}.done")).build()) {
            assertThat(runToEnd(run).count(TaskState.SKIPPED)).isEqualTo(4);
            assertThat(again.statusCalls()).isZero();
        }
    }

    @Test
    void badSettingsAreRefusedNamingTheFieldAndTheValue() {
        assertThatThrownBy(() -> new InMemoryScheduler(0, 1)).hasMessage("slots must be at least 1, got 0");
        assertThatThrownBy(() -> new InMemoryScheduler(1, -2)).hasMessage("runTicks must be at least 1, got -2");
        InMemoryScheduler s = new InMemoryScheduler(1, 1);
        assertThatThrownBy(() -> s.script("train_0", JobState.RUNNING)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("script of 'train_0': an end state is needed (COMPLETED,").hasMessageEndingWith(", got RUNNING");
        assertThatThrownBy(() -> s.endJob("1", JobState.PENDING)).hasMessageEndingWith(", got PENDING");
        assertThatThrownBy(() -> s.failNextStatusCalls(-1)).hasMessage("failNextStatusCalls must be 0 or more, got -1");
        assertThatThrownBy(() -> s.failStatusEvery(-3)).hasMessage("failStatusEvery must be 0 or more, got -3");
    }
}
