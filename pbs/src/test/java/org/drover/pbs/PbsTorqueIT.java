package org.drover.pbs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
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
import org.drover.shell.CommandResult;
import org.drover.shell.LocalShell;
import org.drover.testing.CountingShell;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The PbsScheduler on real Torque-style commands: Debian's slurm-wlm-torque over the SLURM testbed
 * (their outputs are the fixtures in {@code fixtures/torque}). SLURM's accounting, under the same
 * ids, shows what really ran.
 */
class PbsTorqueIT {
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final LocalShell SHELL = LocalShell.create();

    @BeforeAll
    static void testbed() {
        TorqueTestbed.require();
    }

    private static CommandResult run(String... command) {
        return SHELL.run(List.of(command), Duration.ofSeconds(60));
    }

    /** Every job SLURM's accounting has whose name starts with this prefix, as "id|name|state|start". */
    static List<String[]> accounting(String prefix) {
        CommandResult r = run("sacct", "--noheader", "--parsable2", "--allocations", "--starttime=now-2hours",
                "--format=JobID,JobName%300,State,Start");
        assertThat(r.ok()).as(r.toString()).isTrue();
        List<String[]> rows = new ArrayList<>();
        for (String line : r.stdout().split("\n")) {
            String[] f = line.split("\\|");
            if (f.length >= 4 && f[1].startsWith(prefix)) {
                rows.add(f);
            }
        }
        return rows;
    }

    /** The state SLURM's accounting has for one job id (the wrappers' ids are SLURM's), or "". */
    static String accountingOf(String id) {
        CommandResult r = run("sacct", "--noheader", "--parsable2", "--allocations", "--jobs=" + id, "--format=State");
        return r.ok() ? r.stdout().strip() : "";
    }

    @Test
    void theFlavourIsDetectedAsTorque() {
        try (PbsScheduler pbs = PbsScheduler.builder().build()) {
            assertThat(pbs.flavour()).isEqualTo(PbsFlavour.TORQUE);
        }
    }

    @Test
    void aBundleWithDependenciesAndAnArrayRunsInOrderWithOneQsubPerJobAndOneForTheArray() throws IOException {
        String name = TorqueTestbed.unique("tqb");
        Path root = TorqueTestbed.runsRoot("bundle");
        Path log = root.resolve(name + ".log");
        Bundle b = Bundle.named(name)
                .add(Job.named("prep").script("sleep 1; echo prep >> " + log))
                .add(Sweep.of(Job.named("train").script("echo train {i} >> " + log + "; echo {i}"))
                        .param("i", 0, 1, 2).dependsOn("prep").asArray())
                .add(Job.named("report").command("sort", log.toString()).dependsOn("train"));
        CountingShell shell = new CountingShell(LocalShell.create());
        try (PbsScheduler pbs = PbsScheduler.builder().shell(shell).build()) {
            SubmittedBundle run = Submitter.submit(b, pbs, root);
            Map<String, JobStatus> end = run.awaitCompletion(WAIT);

            assertThat(end.values()).extracting(JobStatus::state).containsOnly(JobState.COMPLETED);
            assertThat(shell.count("qsub")).as("prep, the array, report").isEqualTo(3);
            String arrayId = run.id("train_0").replace("[0]", "");
            assertThat(run.id("train_2")).isEqualTo(arrayId + "[2]");
            Path dir = run.runDirectory().path();
            assertThat(dir.resolve("report/1/stdout")).hasContent("prep\ntrain 0\ntrain 1\ntrain 2");
            assertThat(dir.resolve("train_1/1/stdout")).hasContent("1");
            assertThat(Files.readString(log).lines().findFirst()).contains("prep");   // the array waited for prep
        }
    }

    @Test
    void aRunningJobIsFollowedAndCancelledWithOneQdel() throws IOException {
        Bundle b = Bundle.named(TorqueTestbed.unique("tqc")).add(Job.named("sleeper").command("sleep", "120"));
        CountingShell shell = new CountingShell(LocalShell.create());
        try (PbsScheduler pbs = PbsScheduler.builder().shell(shell).build()) {
            SubmittedBundle run = Submitter.submit(b, pbs, TorqueTestbed.runsRoot("cancel"));
            String id = run.id("sleeper");
            await().atMost(WAIT).until(() -> pbs.status(List.of(id)).get(id).state() == JobState.RUNNING);
            run.cancel();
            Map<String, JobStatus> end = run.awaitCompletion(WAIT);

            JobStatus s = end.get("sleeper");
            assertThat(s.state()).as(s.toString()).isEqualTo(JobState.CANCELLED);
            assertThat(shell.count("qdel")).isEqualTo(1);
            assertThat(RunDirectory.readExitCode(run.runDirectory().path().resolve("sleeper/1"))).hasValue(143);
            await().atMost(Duration.ofSeconds(60)).until(() -> accountingOf(id).startsWith("CANCELLED"));
        }
    }

    @Test
    void hostileArgumentsAndEnvironmentValuesReachTheJobUnchangedAndRunNothing() throws IOException {
        Path root = TorqueTestbed.runsRoot("hostile");
        Path pwned = root.resolve(TorqueTestbed.unique("pwned"));
        List<String> words = List.of("$(touch " + pwned + ")", "`touch " + pwned + "`", "'; touch " + pwned + "; '",
                "a\"b", "#PBS -q nosuch", "100%");
        List<String> argv = new ArrayList<>(List.of("printf", "%s\\n"));
        argv.addAll(words);
        Job job = Job.named("hostile").command(argv);
        Bundle b = Bundle.named(TorqueTestbed.unique("tqh")).add(job)
                .add(Job.named("env").script("printf '%s' \"$HOSTILE\"").env("HOSTILE", "$(touch " + pwned + ") \"x\" 'y' \\z"));
        try (PbsScheduler pbs = PbsScheduler.builder().build()) {
            SubmittedBundle run = Submitter.submit(b, pbs, root);
            assertThat(run.awaitCompletion(WAIT).values()).extracting(JobStatus::state).containsOnly(JobState.COMPLETED);
            assertThat(Files.readAllLines(run.runDirectory().path().resolve("hostile/1/stdout"))).isEqualTo(words);
            assertThat(run.runDirectory().path().resolve("env/1/stdout"))
                    .hasContent("$(touch " + pwned + ") \"x\" 'y' \\z");
            assertThat(pwned).doesNotExist();
        }
    }

    @Test
    void aQsubWhoseAnswerIsLostIsFoundByItsTokenAndNeverMadeTwice() throws IOException {
        Path shims = TorqueTestbed.runsRoot("lost").resolve(TorqueTestbed.unique("bin"));
        Files.createDirectories(shims);
        String realQsub = run("bash", "-c", "command -v qsub").stdout().trim();
        Path counter = shims.resolve("qsub.count");
        Path qsub = shims.resolve("qsub");
        Files.writeString(qsub, "#!/bin/bash\n"
                + "n=$(( $(cat " + counter + " 2>/dev/null || echo 0) + 1 )); echo $n > " + counter + "\n"
                + "if (( n == 1 )); then " + realQsub + " \"$@\" >/dev/null; "
                + "echo 'qsub: Socket timed out on send/recv operation' >&2; exit 1; fi\n"
                + "exec " + realQsub + " \"$@\"\n");
        Files.setPosixFilePermissions(qsub, PosixFilePermissions.fromString("rwxr-xr-x"));
        String name = TorqueTestbed.unique("tql");
        LocalShell shimmed = LocalShell.withEnvironment(Map.of("PATH", shims + ":" + System.getenv("PATH")));
        try (PbsScheduler pbs = PbsScheduler.builder().shell(shimmed)
                .submitRetries(3, Duration.ofMillis(100), Duration.ofMillis(200)).build()) {
            Path dir = TorqueTestbed.runsRoot("lost").resolve(name + "/job/1");
            Files.createDirectories(dir);
            String token = Submitter.newToken();
            String id = pbs.submit(new Submission(Job.named(name).command("true"), name, dir, 1, List.of(), token));

            assertThat(Files.readString(counter).trim()).isEqualTo("1");   // found by its token, not submitted again
            await().atMost(Duration.ofSeconds(60)).until(() -> !accounting(name).isEmpty());
            assertThat(accounting(name)).extracting(r -> r[0]).containsExactly(id);
        }
    }
}
