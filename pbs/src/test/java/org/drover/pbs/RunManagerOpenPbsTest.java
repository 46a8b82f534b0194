package org.drover.pbs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.drover.Bundle;
import org.drover.Job;
import org.drover.Sweep;
import org.drover.run.RetryPolicy;
import org.drover.run.RunManager;
import org.drover.run.RunReport;
import org.drover.run.TaskRecord;
import org.drover.run.TaskState;
import org.drover.scheduler.JobState;
import org.drover.scheduler.RunDirectory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PBS Pro flavour under a RunManager, end to end: no OpenPBS server runs here, so
 * {@link FakeOpenPbs} answers in the forms of the real OpenPBS captures and runs the submitted
 * scripts for real. What the fake cannot show (that a real server takes these directives) is
 * what the captures show: every directive form rendered was accepted by OpenPBS 23.06.06 there.
 */
class RunManagerOpenPbsTest {
    private static final Duration WAIT = Duration.ofMinutes(2);
    private final FakeOpenPbs server = new FakeOpenPbs();

    @TempDir
    Path root;

    @AfterEach
    void stop() {
        server.stopAll();
    }

    private RunManager.Builder manager(Bundle b, PbsScheduler pbs) {
        return RunManager.of(b).on(pbs).runsRoot(root).pollInterval(Duration.ofMillis(200))
                .lostAfter(Duration.ofMinutes(1))
                .retry(RetryPolicy.builder().withMaxAttempts(2).withBackoff(Duration.ofMillis(100), Duration.ofMillis(100))
                        .retryOn(JobState.FAILED).build());
    }

    @Test
    void anArraySweepBetweenTwoJobsRunsUnderItsLimitAndItsFailedMemberRunsAgainAlone() throws Exception {
        Path marker = root.resolve("marker");
        Bundle b = Bundle.named("pro")
                .add(Job.named("prep").command("sleep", "0.5"))
                .add(Sweep.of(Job.named("train").script(
                        "sleep 0.5; if [ {i} -eq 2 ] && [ ! -e " + marker + " ]; then touch " + marker + "; exit 3; fi; echo {i}"))
                        .param("i", 0, 1, 2, 3).dependsOn("prep").asArray(2))
                .add(Job.named("agg").command("echo", "done").dependsOn("train"));
        try (PbsScheduler pbs = PbsScheduler.builder().shell(server).build()) {   // flavour detected: PRO
            RunManager m = manager(b, pbs).start();
            RunReport end = m.awaitCompletion(WAIT);

            assertThat(end.isSuccess()).as(end.toString()).isTrue();
            assertThat(pbs.flavour()).isEqualTo(PbsFlavour.PRO);
            List<TaskRecord> tasks = m.record().tasks();
            for (TaskRecord t : tasks) {
                if (t.name().startsWith("train_")) {
                    int i = Integer.parseInt(t.name().substring(6));
                    assertThat(t.attempts().get(0).jobId()).matches("\\d+\\[" + i + "\\]\\.pbshost");
                    assertThat(t.attempts()).as(t.toString()).hasSize(i == 2 ? 2 : 1);
                    assertThat(m.runDirectory().resolveStored(t.lastAttempt().attemptDir()).resolve("stdout"))
                            .hasContent(String.valueOf(i));
                }
            }
            assertThat(server.commands().stream().filter(c -> c.get(0).equals("qsub"))).hasSize(4);
            assertThat(server.maxRunningSeen()).isEqualTo(2);
            assertThat(Files.readString(m.runDirectory().path().resolve("train.array-1.sh"))).contains("#PBS -J 0-3%2\n");
        }
    }

    @Test
    void aCancelledRunDeletesItsJobsWithOneQdelAndReportsThemCancelled() throws Exception {
        Bundle b = Bundle.named("cancel").add(Job.named("a").command("sleep", "60")).add(Job.named("b").command("sleep", "60"));
        try (PbsScheduler pbs = PbsScheduler.builder().shell(server).build()) {
            RunManager m = manager(b, pbs).start();
            await().atMost(WAIT).until(() -> m.record().tasks().stream().allMatch(t -> t.state() == TaskState.RUNNING));
            m.cancel();
            RunReport end = m.awaitCompletion(WAIT);

            assertThat(m.record().tasks()).extracting(TaskRecord::state).containsOnly(TaskState.CANCELLED);
            assertThat(server.commands().stream().filter(c -> c.get(0).equals("qdel"))).hasSize(1);
            assertThat(end.isSuccess()).isFalse();
        }
    }

    @Test
    void aDependentOfAFailedJobEndsCancelledWithoutRunning() throws Exception {
        Bundle b = Bundle.named("failed").add(Job.named("prep").script("sleep 0.5; exit 3"))
                .add(Job.named("after").command("echo", "never").dependsOn("prep"));
        try (PbsScheduler pbs = PbsScheduler.builder().shell(server).build()) {
            RunManager m = manager(b, pbs).retry(RetryPolicy.never()).start();
            m.awaitCompletion(WAIT);

            assertThat(m.record().tasks()).extracting(TaskRecord::state)
                    .containsExactly(TaskState.FAILED, TaskState.CANCELLED);
            TaskRecord after = m.record().tasks().get(1);
            assertThat(RunDirectory.hasStarted(m.runDirectory().resolveStored(after.lastAttempt().attemptDir()))).isFalse();
            // It waited in PBS on prep's id (held by the server, not by the manager).
            assertThat(Files.readString(m.runDirectory().resolveStored(after.lastAttempt().attemptDir()).resolve("script.sh")))
                    .contains("#PBS -W depend=afterok:" + m.record().tasks().get(0).lastAttempt().jobId());
        }
    }
}
