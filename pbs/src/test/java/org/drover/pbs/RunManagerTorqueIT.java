package org.drover.pbs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
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
import org.drover.shell.LocalShell;
import org.drover.testing.CountingShell;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A RunManager run end to end through the PBS module, on the real Torque-style commands of the testbed. */
class RunManagerTorqueIT {
    private static final Duration WAIT = Duration.ofMinutes(4);

    @BeforeAll
    static void testbed() {
        TorqueTestbed.require();
    }

    private static RunManager.Builder manager(Bundle b, PbsScheduler pbs, String test) throws IOException {
        return RunManager.of(b).on(pbs).runsRoot(TorqueTestbed.runsRoot(test)).pollInterval(Duration.ofSeconds(1))
                .lostAfter(Duration.ofMinutes(2)).progressEvery(Duration.ofSeconds(10))
                .retry(RetryPolicy.builder().withMaxAttempts(2).withBackoff(Duration.ofSeconds(1), Duration.ofSeconds(1))
                        .retryOn(JobState.FAILED).build());
    }

    @Test
    void anArraySweepBetweenTwoJobsRunsItsFailedMemberAgainAloneAndEndsWell() throws IOException {
        String name = TorqueTestbed.unique("tqr");
        Path marker = TorqueTestbed.runsRoot("manager").resolve(name + ".marker");
        Bundle b = Bundle.named(name)
                .add(Job.named("prep").command("sleep", "1"))
                .add(Sweep.of(Job.named("train").script(
                        "if [ {i} -eq 3 ] && [ ! -e " + marker + " ]; then touch " + marker + "; exit 3; fi; echo {i}"))
                        .param("i", 0, 1, 2, 3, 4, 5).dependsOn("prep").asArray(3))
                .add(Job.named("agg").command("echo", "done").dependsOn("train"));
        CountingShell shell = new CountingShell(LocalShell.create());
        try (PbsScheduler pbs = PbsScheduler.builder().shell(shell).build()) {
            RunManager m = manager(b, pbs, "manager").start();
            RunReport end = m.awaitCompletion(WAIT);

            assertThat(end.isSuccess()).as(end.toString()).isTrue();
            List<TaskRecord> tasks = m.record().tasks();
            TaskRecord train0 = tasks.stream().filter(t -> t.name().equals("train_0")).findFirst().orElseThrow();
            String array = train0.attempts().get(0).jobId().replace("[0]", "");
            for (TaskRecord t : tasks) {
                if (t.name().startsWith("train_")) {
                    int i = Integer.parseInt(t.name().substring(6));
                    assertThat(t.attempts().get(0).jobId()).isEqualTo(array + "[" + i + "]");
                    assertThat(t.attempts()).as(t.toString()).hasSize(i == 3 ? 2 : 1);
                    assertThat(m.runDirectory().resolveStored(t.lastAttempt().attemptDir()).resolve("stdout"))
                            .hasContent(String.valueOf(i));
                } else {
                    assertThat(t.attempts()).as(t.toString()).hasSize(1);
                }
            }
            // prep, the array, train_3 again, agg (agg waited in the manager: PBS cannot wait for array tasks).
            assertThat(shell.count("qsub")).isEqualTo(4);
            // slurmdbd records job ends asynchronously: wait until it has had the time to see them all.
            await().atMost(Duration.ofSeconds(60)).until(() -> PbsTorqueIT.accounting("train-").stream()
                    .filter(r -> r[0].startsWith(array + "_")).map(r -> r[0]).distinct().count() >= 6);
            assertThat(PbsTorqueIT.accounting("train-").stream().filter(r -> r[0].startsWith(array + "_"))
                    .map(r -> r[0]).distinct()).hasSize(6);
        }
    }

    @Test
    void aNewManagerOnTheSameStoreReattachesToTheJobsInTheQueueAndRunsNoneTwice() throws IOException {
        String name = TorqueTestbed.unique("tqa");
        Path root = TorqueTestbed.runsRoot("reattach");
        Path store = root.resolve(name + ".json");
        Bundle b = Bundle.named(name);
        for (int i = 0; i < 3; i++) {
            b.add(Job.named(name + "_" + i).script("sleep 6; echo " + i));
        }
        try (PbsScheduler first = PbsScheduler.builder().build()) {
            RunManager m = manager(b, first, "reattach").store(store).start();
            await().atMost(WAIT).until(() -> m.record().tasks().stream().allMatch(t -> t.lastAttempt() != null
                    && t.lastAttempt().jobId() != null));
            m.close();   // detaches: the jobs go on in the queue
        }
        try (PbsScheduler second = PbsScheduler.builder().build()) {
            RunManager m = manager(b, second, "reattach").store(store).start();
            RunReport end = m.awaitCompletion(WAIT);

            assertThat(end.isSuccess()).as(end.toString()).isTrue();
            for (TaskRecord t : m.record().tasks()) {
                assertThat(t.attempts()).as(t.toString()).hasSize(1);
                assertThat(m.runDirectory().resolveStored(t.lastAttempt().attemptDir()).resolve("stdout"))
                        .hasContent(t.name().substring(t.name().length() - 1));
                String prefix = t.name() + "-";
                await().atMost(Duration.ofSeconds(60)).until(() -> !PbsTorqueIT.accounting(prefix).isEmpty());
                assertThat(PbsTorqueIT.accounting(prefix)).extracting(r -> r[0])
                        .containsExactly(t.lastAttempt().jobId());
            }
        }
    }

    @Test
    void theSameRunGoesThroughTheTestbedsRealSshd() throws IOException {
        // The login node's sshd of the testbed (slurm/src/test/testbed/sshd-testbed.sh): PBS over SSH, unchanged.
        Path ssh = Path.of("/var/lib/drover-testbed/ssh");
        if (!java.nio.file.Files.isRegularFile(ssh.resolve("testbed.properties"))) {
            org.junit.jupiter.api.Assertions.assertFalse(Boolean.getBoolean("drover.pbs.required"),
                    "the testbed's sshd is required but " + ssh + " has no testbed.properties; run slurm-testbed.sh up");
            org.junit.jupiter.api.Assumptions.assumeTrue(false, "no SSH testbed here");
        }
        java.util.Properties p = new java.util.Properties();
        try (var in = java.nio.file.Files.newBufferedReader(ssh.resolve("testbed.properties"))) {
            p.load(in);
        }
        org.drover.ssh.Machine login = org.drover.ssh.Machine.ssh("127.0.0.1")
                .port(Integer.parseInt(p.getProperty("targetPort"))).user("root")
                .identity(ssh.resolve("client_ed25519")).knownHosts(ssh.resolve("known_hosts")).scheduler("pbs");
        String name = TorqueTestbed.unique("tqs");
        Bundle b = Bundle.named(name).add(Job.named("prep").command("echo", "ready"))
                .add(Sweep.of(Job.named("train").command("echo", "{i}")).param("i", 0, 1, 2).dependsOn("prep").asArray())
                .add(Job.named("agg").command("echo", "done").dependsOn("train"));
        try (org.drover.ssh.SshShell shell = org.drover.ssh.SshShell.open(login);
             PbsScheduler pbs = PbsScheduler.builder().shell(shell).build()) {
            RunManager m = manager(b, pbs, "over-ssh").start();
            RunReport end = m.awaitCompletion(WAIT);

            assertThat(end.isSuccess()).as(end.toString()).isTrue();
            assertThat(pbs.flavour()).isEqualTo(PbsFlavour.TORQUE);
            assertThat(shell.connections()).isEqualTo(1);
            assertThat(m.record().tasks()).allSatisfy(t -> assertThat(t.attempts()).hasSize(1));
        }
    }

    @Test
    void aDependentOfAFailedJobIsCancelledInsteadOfWaitingForever() throws IOException {
        // The wrappers keep an afterok child of a failed job in state Q forever: the manager must cancel it.
        String name = TorqueTestbed.unique("tqf");
        Bundle b = Bundle.named(name)
                .add(Job.named("prep").script("sleep 2; exit 3"))
                .add(Job.named("after").command("echo", "never").dependsOn("prep"));
        try (PbsScheduler pbs = PbsScheduler.builder().build()) {
            RunManager m = manager(b, pbs, "failed-dep").retry(RetryPolicy.never()).start();
            // The dependent goes to the queue at once, waiting on prep's id there.
            await().atMost(WAIT).until(() -> m.record().tasks().get(1).lastAttempt() != null
                    && m.record().tasks().get(1).lastAttempt().jobId() != null);
            String afterId = m.record().tasks().get(1).lastAttempt().jobId();
            RunReport end = m.awaitCompletion(WAIT);

            assertThat(m.record().tasks().get(0).state()).isEqualTo(TaskState.FAILED);
            assertThat(m.record().tasks().get(1).state()).isEqualTo(TaskState.CANCELLED);
            assertThat(end.isSuccess()).isFalse();
            Path afterDir = m.runDirectory().resolveStored(m.record().tasks().get(1).lastAttempt().attemptDir());
            assertThat(RunDirectory.hasStarted(afterDir)).isFalse();
            // Asked by id: sacct's time window leaves out a job that never became eligible.
            await().atMost(Duration.ofSeconds(60)).until(() -> PbsTorqueIT.accountingOf(afterId).startsWith("CANCELLED"));
        }
    }
}
