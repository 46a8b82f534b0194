package org.drover.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.drover.Bundle;
import org.drover.Job;
import org.drover.Sweep;
import org.drover.local.LocalScheduler;
import org.drover.scheduler.JobState;
import org.drover.scheduler.JobStatus;
import org.drover.scheduler.RunDirectory;
import org.drover.scheduler.Scheduler;
import org.drover.scheduler.Submission;
import org.drover.shell.Shell;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scheduler-side dependencies and ends learnt from the run directory's records, on real processes:
 * dependents go to the scheduler while their dependencies run and start the moment they end; a
 * retried dependency's dependents run after the retry without spending attempts; a dependency that
 * fails for good cancels its queued dependents; the scheduler is asked far less often than polled.
 */
class RunManagerDependenciesLocalTest {
    @TempDir
    Path tmp;

    private RunManager.Builder manager(Bundle b, Scheduler s) {
        return RunManager.of(b).on(s).runsRoot(tmp.resolve("runs")).pollInterval(Duration.ofMillis(100))
                .retry(RetryPolicy.builder().withMaxAttempts(3).withBackoff(Duration.ZERO, Duration.ZERO)
                        .retryOn(JobState.FAILED).build());
    }

    @Test
    void dependentsAreSubmittedWhileTheirDependencyRunsAndStartWhenItEnds() throws Exception {
        Path gate = tmp.resolve("gate");
        Bundle b = Bundle.named("w2")
                .add(Job.named("prep").script("while [ ! -e " + gate + " ]; do sleep 0.05; done"))
                .add(Sweep.of(Job.named("sweep").command("true")).param("i", 0, 1, 2, 3).dependsOn("prep"))
                .add(Job.named("aggregate").command("true").dependsOn("sweep"));
        try (CountingLocalScheduler s = new CountingLocalScheduler(LocalScheduler.builder().cpus(4).build());
             RunManager run = manager(b, s).start()) {
            // Every task is in the scheduler's queue while prep still runs, each waiting on its dependencies' ids.
            await().atMost(Duration.ofSeconds(20)).until(() -> s.deps.size() == 6);
            assertThat(run.report().rows().get(0).state()).isIn(TaskState.PENDING, TaskState.RUNNING);
            String prepId = run.record().tasks().get(0).lastAttempt().jobId();
            assertThat(s.deps.get("sweep_0/1")).extracting(Submission.IdDependency::jobId).containsExactly(prepId);
            assertThat(s.deps.get("aggregate/1")).hasSize(4);
            Files.createFile(gate);
            RunReport end = run.awaitCompletion(Duration.ofSeconds(30));
            assertThat(end.isSuccess()).as(end.toString()).isTrue();
            assertThat(run.record().tasks()).allSatisfy(t -> assertThat(t.attempts()).hasSize(1));
        }
    }

    @Test
    void aRetriedDependencysDependentsRunAfterTheRetryWithoutSpendingAttempts() throws Exception {
        Path marker = tmp.resolve("marker");
        Path order = tmp.resolve("order");
        Bundle b = Bundle.named("retry")
                .add(Job.named("flaky").script("sleep 0.3; echo flaky >> " + order + "; if [ ! -e " + marker
                        + " ]; then touch " + marker + "; exit 3; fi"))
                .add(Job.named("after").script("echo after >> " + order).dependsOn("flaky"))
                .add(Job.named("last").script("echo last >> " + order).dependsOn("after"));
        try (CountingLocalScheduler s = new CountingLocalScheduler(LocalScheduler.builder().cpus(3).build());
             RunManager run = manager(b, s).start()) {
            RunReport end = run.awaitCompletion(Duration.ofSeconds(30));
            assertThat(end.isSuccess()).as(end.toString()).isTrue();
            List<TaskRecord> tasks = run.record().tasks();
            assertThat(tasks.get(0).attempts()).hasSize(2);
            assertThat(tasks.get(1).attempts()).as("withdrawn, not spent").hasSize(1);
            assertThat(tasks.get(2).attempts()).hasSize(1);
            assertThat(Files.readAllLines(order)).containsExactly("flaky", "flaky", "after", "last");
            // Submitted first on attempt 1, withdrawn, then on attempt 2.
            assertThat(s.deps.get("after/1")).extracting(Submission.IdDependency::jobId)
                    .containsExactly(tasks.get(0).lastAttempt().jobId());
        }
    }

    @Test
    void aDependencyThatFailsForGoodCancelsItsQueuedDependents() throws Exception {
        Bundle b = Bundle.named("fail")
                .add(Job.named("bad").script("sleep 0.3; exit 2"))
                .add(Job.named("child").command("true").dependsOn("bad"))
                .add(Job.named("grandchild").command("true").dependsOn("child"));
        try (CountingLocalScheduler s = new CountingLocalScheduler(LocalScheduler.builder().cpus(3).build());
             RunManager run = manager(b, s).retry(RetryPolicy.never()).start()) {
            RunReport end = run.awaitCompletion(Duration.ofSeconds(30));
            List<TaskRecord> tasks = run.record().tasks();
            assertThat(tasks.get(0).state()).isEqualTo(TaskState.FAILED);
            assertThat(tasks.get(1).state()).isEqualTo(TaskState.CANCELLED);
            assertThat(tasks.get(1).reason()).isEqualTo("dependency bad ended FAILED");
            assertThat(tasks.get(2).state()).isEqualTo(TaskState.CANCELLED);
            assertThat(s.deps).containsKeys("child/1", "grandchild/1");   // they had been submitted
            // Nothing is left in the local scheduler's queue.
            String childId = tasks.get(1).lastAttempt().jobId();
            String grandchildId = tasks.get(2).lastAttempt().jobId();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(s.local.status(List.of(childId,
                    grandchildId)).values()).allSatisfy(st -> assertThat(st.state().isTerminal()).isTrue()));
            assertThat(end.count(TaskState.CANCELLED)).isEqualTo(2);
        }
    }

    @Test
    void endsAreLearntFromTheRecordsAndTheSchedulerIsAskedFarLessOftenThanPolled() throws Exception {
        Sweep sweep = Sweep.of(Job.named("s").command("sleep", "1")).param("i", 0, 1, 2, 3, 4, 5);
        try (CountingLocalScheduler s = new CountingLocalScheduler(LocalScheduler.builder().cpus(6).build());
             RunManager run = manager(Bundle.named("records").add(sweep), s).start()) {
            long t0 = System.nanoTime();
            RunReport end = run.awaitCompletion(Duration.ofSeconds(30));
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(end.isSuccess()).as(end.toString()).isTrue();
            // ~10+ polls of 100 ms; the scheduler itself is asked first after 500 ms, then after 1 s more.
            assertThat(s.statusCalls.get()).as("status calls in %s", took).isLessThanOrEqualTo(3);
        }
    }
}
