package org.drover.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.drover.Bundle;
import org.drover.Job;
import org.drover.Sweep;
import org.drover.run.RetryPolicy;
import org.drover.run.RunManager;
import org.drover.run.RunReport;
import org.drover.run.SubmittedBundle;
import org.drover.run.Submitter;
import org.drover.run.TaskRecord;
import org.drover.scheduler.JobState;
import org.drover.scheduler.JobStatus;
import org.drover.shell.CommandResult;
import org.drover.shell.LocalShell;
import org.drover.ssh.Machine;
import org.drover.ssh.SshShell;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SLURM through the testbed's real sshd (and its jump host): the SlurmScheduler and the
 * RunManager unchanged over an SshShell. The login node is this machine, so sacct and the run
 * directory can be checked directly; the manager's store is kept apart from the runs root, as on
 * a laptop.
 */
class SlurmOverSshIT {
    private static final Duration WAIT = Duration.ofMinutes(4);

    @TempDir
    Path laptop;

    @BeforeAll
    static void servers() {
        SlurmTestbed.require();
        SshTestbed.require();
    }

    private static String unique(String base) {
        return base + Long.toString(System.currentTimeMillis() % 10_000_000, 36);
    }

    /** How many jobs SLURM's accounting has under this exact name. */
    private static int jobsNamed(String name) {
        CommandResult r = LocalShell.create().run(List.of("sacct", "--noheader", "--parsable2", "--allocations",
                "--starttime=now-2hours", "--name=" + name, "--format=JobID"), Duration.ofSeconds(60));
        return (int) r.stdout().lines().filter(l -> !l.isBlank()).count();
    }

    private RunManager.Builder manager(Bundle b, SlurmScheduler slurm, Path runsRoot) {
        return RunManager.of(b).on(slurm).runsRoot(runsRoot).store(laptop.resolve(b.name() + ".json"))
                .pollInterval(Duration.ofSeconds(1)).lostAfter(Duration.ofMinutes(2))
                .retry(RetryPolicy.builder().withMaxAttempts(2).withBackoff(Duration.ofSeconds(1), Duration.ofSeconds(1))
                        .retryOn(JobState.FAILED).build());
    }

    @Test
    void aBundleWithDependenciesRunsThroughTheJumpHostAndItsOutputsComeBack() throws IOException {
        Path runs = SlurmTestbed.runsRoot("ssh-bundle");
        String name = unique("sshb");
        Bundle b = Bundle.named(name)
                .add(Job.named(name + "_prep").command("sh", "-c", "sleep 1; echo prepared"))
                .add(Sweep.of(Job.named(name + "_t").command("echo", "task {i}")).param("i", 0, 1).dependsOn(name + "_prep"))
                .add(Job.named(name + "_sleeper").command("sleep", "120"));
        try (SlurmScheduler slurm = SlurmScheduler.builder().shell(SshShell.open(SshTestbed.viaJump())).build()) {
            SubmittedBundle run = Submitter.submit(b, slurm, runs);
            String sleeper = run.id(name + "_sleeper");
            await().atMost(WAIT).until(() -> slurm.status(List.of(sleeper)).get(sleeper).state() == JobState.RUNNING);
            slurm.cancel(List.of(sleeper));
            Map<String, JobStatus> end = run.awaitCompletion(WAIT);

            assertThat(end.get(name + "_prep").state()).isEqualTo(JobState.COMPLETED);
            assertThat(end.get(name + "_t_1").state()).isEqualTo(JobState.COMPLETED);
            assertThat(end.get(name + "_sleeper").state()).isEqualTo(JobState.CANCELLED);
            // Outputs fetched back to "the laptop" through the connection.
            SshShell shell = (SshShell) slurm.shell();
            shell.stageOut(run.runDirectory().path().resolve(name + "_t_1"), laptop.resolve("t1"));
            assertThat(laptop.resolve("t1/1/stdout")).hasContent("task 1");
            assertThat(shell.readFile(run.runDirectory().path().resolve(name + "_prep/1/stdout")))
                    .hasValueSatisfying(bytes -> assertThat(new String(bytes)).isEqualTo("prepared\n"));
            assertThat(shell.connections()).isEqualTo(1);
        }
    }

    @Test
    void aRunManagerRunOverSshSurvivesAnSshdRestartWithNothingLostOrDuplicated() throws IOException {
        runAcrossAnSshdRestart(SshTestbed.target().keepAlive(Duration.ofSeconds(2)).residentShells(0), "ssh-restart", "sshr");
    }

    /** The same with the commands in resident shells (the default): those running when sshd goes are lost with it. */
    @Test
    void aRunManagerRunInResidentShellsSurvivesAnSshdRestartWithNothingLostOrDuplicated() throws IOException {
        runAcrossAnSshdRestart(SshTestbed.target().keepAlive(Duration.ofSeconds(2)).residentShells(2),
                "ssh-restart-resident", "sshq");
    }

    private void runAcrossAnSshdRestart(Machine login, String dir, String base) throws IOException {
        Path runs = SlurmTestbed.runsRoot(dir);
        String name = unique(base);
        Bundle b = Bundle.named(name);
        for (int i = 0; i < 4; i++) {
            b.add(Job.named(name + "_" + i).command("sh", "-c", "sleep 4; echo " + i));
        }
        b.add(Job.named(name + "_after").command("echo", "after").dependsOn(name + "_0"));
        try (SshShell shell = SshShell.open(login);
             SlurmScheduler slurm = SlurmScheduler.builder().shell(shell).build()) {
            RunManager m = manager(b, slurm, runs).start();
            await().atMost(WAIT).until(() -> m.record().tasks().stream().filter(t -> t.lastAttempt() != null
                    && t.lastAttempt().jobId() != null).count() >= 4);
            SshTestbed.restartTarget();   // every connection to the login node breaks
            RunReport end = m.awaitCompletion(WAIT);

            assertThat(end.isSuccess()).as(end.toString()).isTrue();
            assertThat(shell.connections()).isGreaterThanOrEqualTo(2);
            for (TaskRecord t : m.record().tasks()) {
                assertThat(t.attempts()).as(t.toString()).hasSize(1);
                await().atMost(Duration.ofSeconds(60)).until(() -> jobsNamed(t.name()) >= 1);
                assertThat(jobsNamed(t.name())).as("sacct jobs of %s", t.name()).isEqualTo(1);
            }
            assertThat(Files.readString(m.runDirectory().resolveStored(m.record().tasks().get(0).lastAttempt()
                    .attemptDir()).resolve("stdout"))).isEqualTo("0\n");
        }
    }

    @Test
    void aManagerRestartedOnTheLaptopReattachesToTheRemoteRun() throws IOException {
        Path runs = SlurmTestbed.runsRoot("ssh-reattach");
        String name = unique("ssha");
        Bundle b = Bundle.named(name);
        for (int i = 0; i < 3; i++) {
            b.add(Job.named(name + "_" + i).command("sh", "-c", "sleep 5; echo " + i));
        }
        try (SlurmScheduler slurm = SlurmScheduler.builder().shell(SshShell.open(SshTestbed.viaJump())).build()) {
            RunManager first = manager(b, slurm, runs).start();
            await().atMost(WAIT).until(() -> first.record().tasks().stream().allMatch(t -> t.lastAttempt() != null
                    && t.lastAttempt().jobId() != null));
            first.close();   // the laptop's manager goes away; the jobs run on
        }
        try (SlurmScheduler slurm = SlurmScheduler.builder().shell(SshShell.open(SshTestbed.viaJump())).build()) {
            RunManager second = manager(b, slurm, runs).start();
            RunReport end = second.awaitCompletion(WAIT);

            assertThat(end.isSuccess()).as(end.toString()).isTrue();
            for (TaskRecord t : second.record().tasks()) {
                assertThat(t.attempts()).as(t.toString()).hasSize(1);
                await().atMost(Duration.ofSeconds(60)).until(() -> jobsNamed(t.name()) >= 1);
                assertThat(jobsNamed(t.name())).isEqualTo(1);
            }
        }
    }
}
