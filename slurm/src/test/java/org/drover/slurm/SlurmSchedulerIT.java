package org.drover.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.drover.Bundle;
import org.drover.Job;
import org.drover.Sweep;
import org.drover.run.SubmittedBundle;
import org.drover.run.Submitter;
import org.drover.scheduler.JobState;
import org.drover.scheduler.JobStatus;
import org.drover.scheduler.RunDirectory;
import org.drover.scheduler.Submission;
import org.drover.shell.LocalShell;
import org.drover.testing.CountingShell;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** SlurmScheduler against the real single-node cluster. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SlurmSchedulerIT {
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static CountingShell shell;
    private static SlurmScheduler slurm;
    private static SubmittedBundle timeoutRun;

    @BeforeAll
    static void cluster() throws IOException {
        SlurmTestbed.require();
        shell = new CountingShell(LocalShell.create());
        slurm = SlurmScheduler.builder().shell(shell).build();
        // SLURM enforces walltime in whole minutes, checked about every 30 s: start the slowest test first.
        timeoutRun = Submitter.submit(Bundle.named("timeout")
                .add(Job.named("slow").command("sleep", "600").walltime("1")), slurm, SlurmTestbed.runsRoot("timeout"));
    }

    @AfterAll
    static void close() {
        if (slurm != null) {
            slurm.close();
        }
    }

    private static Map<String, JobStatus> awaitEnd(SubmittedBundle run) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500))
                .until(() -> run.statuses().values().stream().allMatch(s -> s.state().isTerminal()));
        return run.statuses();
    }

    @Test
    @Order(1)
    void runsOneJobAndWritesItsOutputFile() throws IOException {
        SubmittedBundle run = Submitter.submit(Bundle.named("one")
                .add(Job.named("hello").command("sh", "-c", "echo hello from $SLURM_JOB_ID; echo oops >&2")
                        .cpus(1).memory("100M").walltime("00:05:00")), slurm, SlurmTestbed.runsRoot("one"));
        JobStatus end = awaitEnd(run).get("hello");

        assertThat(end.state()).isEqualTo(JobState.COMPLETED);
        assertThat(end.exitCode()).isZero();
        Path dir = run.runDirectory().attemptDir("hello", 1);
        assertThat(Files.readString(dir.resolve("stdout")).trim()).isEqualTo("hello from " + run.id("hello"));
        assertThat(dir.resolve("stderr")).hasContent("oops");
        assertThat(RunDirectory.readExitCode(dir)).hasValue(0);
        assertThat(Files.readString(dir.resolve("started"))).matches("\\d+ \\S+ \\d+\\s*");
        assertThat(Files.readString(dir.resolve("script.sh"))).contains("#SBATCH --mem=100M", "#SBATCH --time=00:05:00",
                "#SBATCH --no-requeue", "#SBATCH --comment=drv");
    }

    @Test
    @Order(2)
    void runsAChainAddedInReverseOrderInDependencyOrder() throws IOException {
        Bundle b = Bundle.named("chain");
        for (int i = 5; i >= 1; i--) {
            Job j = Job.named("step" + i).command("sleep", "1");
            b.add(i > 1 ? j.dependsOn("step" + (i - 1)) : j);
        }
        SubmittedBundle run = Submitter.submit(b, slurm, SlurmTestbed.runsRoot("chain"));
        Map<String, JobStatus> end = awaitEnd(run);

        assertThat(end.values()).allSatisfy(s -> assertThat(s.state()).isEqualTo(JobState.COMPLETED));
        assertThat(run.ids().keySet()).containsExactly("step1", "step2", "step3", "step4", "step5");
        for (int i = 2; i <= 5; i++) {
            JobStatus before = end.get("step" + (i - 1));
            JobStatus after = end.get("step" + i);
            assertThat(after.started()).as("step%d starts after step%d ended", i, i - 1).isAfterOrEqualTo(before.ended());
        }
    }

    @Test
    @Order(3)
    void aFailingJobEndsItsDependentsAndPropagatesItsExitCode() throws IOException {
        Bundle b = Bundle.named("failing")
                .add(Job.named("child").command("true").dependsOn("bad"))
                .add(Job.named("grandchild").command("true").dependsOn("child"))
                .add(Job.named("cleanup").command("true").afterNotOk("bad"))
                .add(Job.named("bad").command("sh", "-c", "exit 7"));
        SubmittedBundle run = Submitter.submit(b, slurm, SlurmTestbed.runsRoot("failing"));
        Map<String, JobStatus> end = awaitEnd(run);

        assertThat(end.get("bad").state()).isEqualTo(JobState.FAILED);
        assertThat(end.get("bad").exitCode()).isEqualTo(7);
        assertThat(RunDirectory.readExitCode(run.runDirectory().attemptDir("bad", 1))).hasValue(7);
        assertThat(end.get("child").state()).isEqualTo(JobState.CANCELLED);
        assertThat(end.get("grandchild").state()).isEqualTo(JobState.CANCELLED);
        assertThat(end.get("cleanup").state()).isEqualTo(JobState.COMPLETED);
    }

    @Test
    @Order(4)
    void submitsASweepAsOneArrayOfTwentyTasks() throws IOException {
        Bundle b = Bundle.named("array").add(Sweep.of(Job.named("task")
                        .command("sh", "-c", "echo \"x={x} y={y} task=$SLURM_ARRAY_TASK_ID\""))
                .param("x", 0, 1, 2, 3, 4).param("y", "a", "b", "c", "d").asArray(10));
        shell.reset();
        SubmittedBundle run = Submitter.submit(b, slurm, SlurmTestbed.runsRoot("array"));
        assertThat(shell.count("sbatch")).isEqualTo(1);
        Map<String, JobStatus> end = awaitEnd(run);

        assertThat(end).hasSize(20);
        assertThat(end.values()).allSatisfy(s -> assertThat(s.state()).isEqualTo(JobState.COMPLETED));
        String arrayId = run.id("task_0").split("_")[0];
        List<String> xs = List.of("0", "1", "2", "3", "4");
        List<String> ys = List.of("a", "b", "c", "d");
        for (int i = 0; i < 20; i++) {
            assertThat(run.id("task_" + i)).isEqualTo(arrayId + "_" + i);
            Path out = run.runDirectory().attemptDir("task_" + i, 1).resolve("stdout");
            assertThat(Files.readString(out).trim()).isEqualTo("x=" + xs.get(i / 4) + " y=" + ys.get(i % 4) + " task=" + i);
            assertThat(RunDirectory.readExitCode(out.getParent())).hasValue(0);
        }
    }

    @Test
    @Order(5)
    void cancelsARunningJob() throws IOException {
        SubmittedBundle run = Submitter.submit(Bundle.named("cancel")
                .add(Job.named("long").command("sleep", "600")), slurm, SlurmTestbed.runsRoot("cancel"));
        await().atMost(WAIT).until(() -> run.statuses().get("long").state() == JobState.RUNNING);
        // RUNNING comes from the controller before the script may have started; the wrapper promises
        // an exitcode file from the moment it wrote `started` (its traps are set before that).
        Path dir = run.runDirectory().attemptDir("long", 1);
        await().atMost(WAIT).until(() -> Files.exists(dir.resolve(RunDirectory.STARTED)));
        shell.reset();
        run.cancel();
        assertThat(shell.count("scancel")).isEqualTo(1);
        JobStatus end = awaitEnd(run).get("long");
        assertThat(end.state()).isEqualTo(JobState.CANCELLED);
        // The wrapper's EXIT trap records the end of a cancelled job too (TERM, then KILL after KillWait=5 s).
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(dir.resolve(RunDirectory.EXIT_CODE)).exists());
        assertThat(RunDirectory.readExitCode(dir)).isPresent();
    }

    @Test
    @Order(6)
    void hostileArgumentsReachTheProgramUnchangedOnTheCluster() throws IOException {
        Path root = SlurmTestbed.runsRoot("hostile");
        Path pwned = root.resolve("pwned");
        List<String> hostile = List.of("'; touch " + pwned + " #", "$(touch " + pwned + ")", "`touch " + pwned + "`",
                "a\nb", "\"q\"", "it's", "back\\slash", "$HOME", "*", "", "-n");
        List<String> argv = new ArrayList<>(List.of("printf", "%s\\0"));
        argv.addAll(hostile);
        String hostileValue = "$(touch " + pwned + ") `touch " + pwned + "` '; touch " + pwned + " #\n\"q\" it's"
                + " back\\slash $HOME * %j %% -n \t\u00e9\u4e2d \n#SBATCH --partition=evil\n";
        SubmittedBundle run = Submitter.submit(Bundle.named("hostile")
                .add(Job.named("args").command(argv).env("HOSTILE", "$(touch " + pwned + ")"))
                .add(Job.named("env").command("sh", "-c", "printf %s \"$HOSTILE\" > env-value")
                        .env("HOSTILE", hostileValue)), slurm, root);
        Map<String, JobStatus> end = awaitEnd(run);
        assertThat(end.get("args").state()).isEqualTo(JobState.COMPLETED);
        assertThat(end.get("env").state()).isEqualTo(JobState.COMPLETED);
        String out = Files.readString(run.runDirectory().attemptDir("args", 1).resolve("stdout"), StandardCharsets.UTF_8);
        assertThat(Arrays.asList(out.split("\0", -1)).subList(0, hostile.size())).containsExactlyElementsOf(hostile);
        assertThat(Files.readAllBytes(run.runDirectory().attemptDir("env", 1).resolve("env-value")))
                .as("the env value, byte for byte").isEqualTo(hostileValue.getBytes(StandardCharsets.UTF_8));
        assertThat(pwned).doesNotExist();
    }

    @Test
    @Order(7)
    void pollsManyJobsWithOneSqueueAndAtMostOneSacct() throws IOException {
        Bundle b = Bundle.named("poll");
        for (int i = 0; i < 10; i++) {
            b.add(Job.named("p" + i).command(i % 2 == 0 ? "true" : "false"));
        }
        SubmittedBundle run = Submitter.submit(b, slurm, SlurmTestbed.runsRoot("poll"));
        awaitEnd(run);
        List<String> ids = new ArrayList<>(run.ids().values());
        ids.add("999999");   // unknown to SLURM
        shell.reset();
        Map<String, JobStatus> statuses = slurm.status(ids);

        assertThat(shell.count("squeue")).isEqualTo(1);
        assertThat(shell.count("sacct")).isLessThanOrEqualTo(1);
        assertThat(statuses.get("999999").state()).isEqualTo(JobState.NOT_FOUND);   // both answered, neither knows it
        for (int i = 0; i < 10; i++) {
            JobStatus s = statuses.get(run.id("p" + i));
            assertThat(s.state()).isEqualTo(i % 2 == 0 ? JobState.COMPLETED : JobState.FAILED);
            assertThat(s.exitCode()).isEqualTo(i % 2 == 0 ? 0 : 1);
        }
    }

    @Test
    @Order(8)
    void aPercentInTheRunsRootIsWrittenLiterallyAndArrayMembersKeepTheirOwnOutputFile() throws IOException {
        // sbatch would make %j the job id, %x the job name and %a the task index, were they not escaped.
        Path root = SlurmTestbed.runsRoot("p50%jx%a%%");
        Bundle b = Bundle.named("percent")
                .add(Job.named("plain").command("sh", "-c", "echo out; echo err >&2"))
                .add(Sweep.of(Job.named("task").command("sh", "-c", "echo task {x}").stdout("own.out"))
                        .param("x", 0, 1).asArray());
        SubmittedBundle run = Submitter.submit(b, slurm, root);
        Map<String, JobStatus> end = awaitEnd(run);

        assertThat(end.values()).allSatisfy(s -> assertThat(s.state()).isEqualTo(JobState.COMPLETED));
        assertThat(run.runDirectory().path().toString()).contains("p50%jx%a%%");
        Path plain = run.runDirectory().attemptDir("plain", 1);
        assertThat(plain.resolve(RunDirectory.STDOUT)).hasContent("out");
        assertThat(plain.resolve(RunDirectory.STDERR)).hasContent("err");
        for (int i = 0; i < 2; i++) {
            Path task = run.runDirectory().attemptDir("task_" + i, 1);
            assertThat(task.resolve("own.out")).hasContent("task " + i);
            assertThat(task.resolve(RunDirectory.STDOUT)).doesNotExist();
        }
    }

    @Test
    @Order(9)
    void findsAHeldJobAndAPendingArrayByTokenWithOneSqueue() throws IOException {
        RunDirectory dir = RunDirectory.create(SlurmTestbed.runsRoot("tokens"), "tokens");
        String single = Submitter.newToken();
        Path heldDir = dir.attemptDir("held", 1);
        Files.createDirectories(heldDir);
        String heldId = slurm.submit(new Submission(Job.named("held").command("true").directive("--hold"), "tokens",
                heldDir, 1, List.of(), single));
        List<Job> sweep = Sweep.of(Job.named("arr").command("true").directive("--hold")).param("i", 0, 1, 2).jobs();
        List<Submission> tasks = new ArrayList<>();
        for (Job j : sweep) {
            Path d = dir.attemptDir(j.name(), 1);
            Files.createDirectories(d);
            tasks.add(new Submission(j, "tokens", d, 1, List.of(), Submitter.newToken()));
        }
        String arrayToken = tasks.get(0).token();   // an array carries its first task's token
        String arrayId = slurm.submitArray(tasks, 0).arrayId();
        try {
            shell.reset();
            Map<String, String> found = slurm.findByTokens(List.of(single, arrayToken, "drv00000000absent01"));
            // A held array is one squeue line, "<id>_[0-2]"; the absent token sends the lookup on to sacct, once.
            assertThat(found).containsOnly(Map.entry(single, heldId), Map.entry(arrayToken, arrayId));
            assertThat(shell.count("squeue")).isEqualTo(1);
            assertThat(shell.count("sacct")).isEqualTo(1);
            assertThat(slurm.findByToken(arrayToken)).hasValue(arrayId);
        } finally {
            slurm.cancel(List.of(heldId, arrayId));
        }
    }

    @Test
    @Order(100)
    void aJobPastItsWalltimeEndsTimeout() {
        JobStatus end = awaitEnd(timeoutRun).get("slow");
        assertThat(end.state()).isEqualTo(JobState.TIMEOUT);
        assertThat(Duration.between(end.started(), end.ended())).isBetween(Duration.ofSeconds(55), Duration.ofMinutes(3));
    }
}
