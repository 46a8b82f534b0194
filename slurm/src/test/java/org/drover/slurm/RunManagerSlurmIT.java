package org.drover.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.drover.Bundle;
import org.drover.Job;
import org.drover.run.AttemptRecord;
import org.drover.run.RetryPolicy;
import org.drover.run.RunManager;
import org.drover.run.RunRecord;
import org.drover.run.RunReport;
import org.drover.run.RunStore;
import org.drover.run.TaskRecord;
import org.drover.run.TaskState;
import org.drover.scheduler.JobState;
import org.drover.shell.CommandResult;
import org.drover.shell.LocalShell;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** RunManager on the real cluster, under real faults. */
class RunManagerSlurmIT {
    private static final Duration WAIT = Duration.ofMinutes(5);
    private static final RetryPolicy CRASHES = RetryPolicy.builder().withMaxAttempts(3)
            .withBackoff(Duration.ofSeconds(1), Duration.ofSeconds(2)).build();
    private static final LocalShell SHELL = LocalShell.create();
    private static String node;

    @BeforeAll
    static void cluster() {
        SlurmTestbed.require();
        node = run("sinfo", "--noheader", "--format=%N").stdout().trim();
    }

    private static CommandResult run(String... command) {
        return SHELL.run(List.of(command), Duration.ofSeconds(60));
    }

    /** A prefix unique to this test run, so sacct can count the jobs of one test by name. */
    private static String unique(String base) {
        return base + Long.toString(System.currentTimeMillis() % 10_000_000, 36);
    }

    private static RunManager.Builder manager(Bundle b, SlurmScheduler slurm, String test) throws IOException {
        return RunManager.of(b).on(slurm).runsRoot(SlurmTestbed.runsRoot(test)).pollInterval(Duration.ofSeconds(1))
                .lostAfter(Duration.ofMinutes(2)).retry(CRASHES).progressEvery(Duration.ofSeconds(10));
    }

    /** Every job SLURM's accounting has under this name, as "id start end". */
    private static List<String[]> accounting(String jobName) {
        CommandResult r = run("sacct", "--noheader", "--parsable2", "--allocations", "--starttime=now-2hours",
                "--name=" + jobName, "--format=JobID,Start,End,State");
        assertThat(r.ok()).as(r.toString()).isTrue();
        List<String[]> rows = new ArrayList<>();
        for (String line : r.stdout().split("\n")) {
            if (!line.isBlank()) {
                rows.add(line.split("\\|"));
            }
        }
        return rows;
    }

    private static void assertSubmittedExactlyAsRecorded(RunRecord record) {
        for (TaskRecord t : record.tasks()) {
            // sacct lags a few seconds behind (and first lists a job under the name "allocation"): wait for it.
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> accounting(t.name()).size() >= t.attempts().size());
            List<String[]> jobs = accounting(t.name());
            assertThat(jobs).as("sacct jobs of %s", t.name()).hasSize(t.attempts().size());
            List<String> recorded = t.attempts().stream().map(AttemptRecord::jobId).collect(java.util.stream.Collectors.toList());
            assertThat(jobs).extracting(j -> j[0]).containsExactlyInAnyOrderElementsOf(recorded);
        }
    }

    @Test
    void aTaskThatCrashesOnceIsResubmittedExactlyOnce() throws IOException {
        Path marker = SlurmTestbed.runsRoot("crash").resolve(unique("marker"));
        String name = unique("crash");
        Bundle b = Bundle.named(name).add(Job.named(name).script(
                "if [ ! -e " + marker + " ]; then touch " + marker + "; kill -9 $$; fi; echo second attempt"));
        try (SlurmScheduler slurm = SlurmScheduler.create()) {
            RunManager m = manager(b, slurm, "crash").retry(RetryPolicy.builder().withMaxAttempts(3)
                    .withBackoff(Duration.ofSeconds(1), Duration.ofSeconds(2)).retryOn(JobState.FAILED).build()).start();
            RunReport end = m.awaitCompletion(WAIT);

            assertThat(end.isSuccess()).as(end.toString()).isTrue();
            TaskRecord t = m.record().tasks().get(0);
            assertThat(t.attempts()).hasSize(2);
            assertThat(t.attempts().get(0).state()).isEqualTo(JobState.FAILED);
            assertThat(t.attempts().get(1).state()).isEqualTo(JobState.COMPLETED);
            assertThat(m.runDirectory().resolveStored(t.attempts().get(1).attemptDir()).resolve("stdout"))
                    .hasContent("second attempt");
            assertSubmittedExactlyAsRecorded(m.record());
        }
    }

    @Test
    void dependentsWaitInSlurmOnTheirDependencyAndARetriedDependencyTakesThemAlongWithoutSpendingAttempts()
            throws IOException {
        Path marker = SlurmTestbed.runsRoot("deps").resolve(unique("marker"));
        String name = unique("deps");
        Bundle b = Bundle.named(name)
                .add(Job.named(name + "_prep").script("sleep 2; if [ ! -e " + marker + " ]; then touch " + marker
                        + "; exit 3; fi"))
                .add(org.drover.Sweep.of(Job.named(name + "_s").command("true")).param("i", 0, 1, 2).dependsOn(name + "_prep"))
                .add(Job.named(name + "_agg").command("true").dependsOn(name + "_s"));
        try (SlurmScheduler slurm = SlurmScheduler.create()) {
            RunManager m = manager(b, slurm, "deps").retry(RetryPolicy.builder().withMaxAttempts(2)
                    .withBackoff(Duration.ofSeconds(1), Duration.ofSeconds(1)).retryOn(JobState.FAILED).build()).start();
            // While prep's first attempt runs, its dependents already wait in SLURM's queue, on its id.
            await().atMost(WAIT).until(() -> m.record().tasks().stream().allMatch(t -> t.lastAttempt() != null
                    && t.lastAttempt().jobId() != null));
            String prep1 = m.record().tasks().get(0).attempts().get(0).jobId();
            String deps = run("squeue", "--noheader", "--format=%E", "--jobs=" + m.record().tasks().get(1).lastAttempt()
                    .jobId()).stdout();
            assertThat(deps).contains(prep1);
            RunReport end = m.awaitCompletion(WAIT);

            assertThat(end.isSuccess()).as(end.toString()).isTrue();
            List<TaskRecord> tasks = m.record().tasks();
            assertThat(tasks.get(0).attempts()).hasSize(2);
            for (TaskRecord t : tasks.subList(1, tasks.size())) {
                assertThat(t.attempts()).as(t.toString()).hasSize(1);   // withdrawn attempts are not spent
                String recorded = t.lastAttempt().jobId();
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> accounting(t.name()).stream().anyMatch(r -> r[0].equals(recorded)));
                for (String[] row : accounting(t.name())) {
                    if (row[0].equals(recorded)) {
                        assertThat(row[3]).isEqualTo("COMPLETED");
                    } else {   // the job submitted on prep's failed attempt: cancelled before it ever started
                        assertThat(row[3]).as("sacct %s", String.join("|", row)).startsWith("CANCELLED");
                        assertThat(row[1]).as("start of %s", row[0]).isIn("None", "Unknown");
                    }
                }
            }
        }
    }

    @Test
    void anArraySweepGoesAsOneSbatchItsMembersAreTrackedOneByOneAndAFailedOneIsRetriedAlone() throws IOException {
        Path marker = SlurmTestbed.runsRoot("array").resolve(unique("marker"));
        String name = unique("arr");
        Bundle b = Bundle.named(name).add(org.drover.Sweep.of(Job.named(name).script(
                "if [ {i} -eq 7 ] && [ ! -e " + marker + " ]; then touch " + marker + "; exit 3; fi; echo {i}"))
                .param("i", java.util.stream.IntStream.range(0, 20).boxed().toList()).asArray(5));
        org.drover.testing.CountingShell shell = new org.drover.testing.CountingShell(LocalShell.create());
        try (SlurmScheduler slurm = SlurmScheduler.builder().shell(shell).build()) {
            RunManager m = manager(b, slurm, "array").retry(RetryPolicy.builder().withMaxAttempts(2)
                    .withBackoff(Duration.ofSeconds(1), Duration.ofSeconds(1)).retryOn(JobState.FAILED).build()).start();
            RunReport end = m.awaitCompletion(WAIT);

            assertThat(end.isSuccess()).as(end.toString()).isTrue();
            assertThat(shell.count("sbatch")).as("one array, and the retried member alone").isEqualTo(2);
            List<TaskRecord> tasks = m.record().tasks();
            String base = tasks.get(0).attempts().get(0).jobId().split("_")[0];
            for (int i = 0; i < 20; i++) {
                TaskRecord t = tasks.get(i);
                assertThat(t.attempts().get(0).jobId()).isEqualTo(base + "_" + i);
                assertThat(t.attempts()).as(t.toString()).hasSize(i == 7 ? 2 : 1);
            }
            assertThat(tasks.get(7).lastAttempt().jobId()).doesNotContain("_");
            String limit = run("scontrol", "show", "job", base).stdout();
            assertThat(limit).contains("ArrayTaskThrottle=5");
        }
    }

    @Test
    void anArraySbatchWhoseAnswerIsLostIsSettledForEveryMemberWithoutASecondArray() throws IOException {
        // sbatch creates the array, then reports a timeout; squeue fails its first 4 calls, so for a
        // while nobody can tell whether the array exists: the manager waits, then finds every member by its token.
        Path shims = SlurmTestbed.runsRoot("unsure-array").resolve(unique("bin"));
        Files.createDirectories(shims);
        String realSbatch = run("bash", "-c", "command -v sbatch").stdout().trim();
        String realSqueue = run("bash", "-c", "command -v squeue").stdout().trim();
        shim(shims, "sbatch", "if (( n <= 1 )); then " + realSbatch + " \"$@\" >/dev/null; "
                + "echo 'sbatch: error: Batch job submission failed: Socket timed out on send/recv operation' >&2; exit 1; fi\n"
                + "exec " + realSbatch + " \"$@\"\n");
        shim(shims, "squeue", "if (( n <= 4 )); then "
                + "echo 'slurm_load_jobs error: Unable to contact slurm controller (connect failure)' >&2; exit 1; fi\n"
                + "exec " + realSqueue + " \"$@\"\n");
        String name = unique("unsurearr");
        Bundle b = Bundle.named(name).add(org.drover.Sweep.of(Job.named(name).command("sleep", "1"))
                .param("i", 0, 1, 2, 3, 4).asArray());
        LocalShell shimmed = LocalShell.withEnvironment(Map.of("PATH", shims + ":" + System.getenv("PATH")));
        try (SlurmScheduler slurm = SlurmScheduler.builder().shell(shimmed)
                .submitRetries(2, Duration.ofMillis(100), Duration.ofMillis(200)).build()) {
            RunManager m = manager(b, slurm, "unsure-array").start();
            RunReport end = m.awaitCompletion(WAIT);

            assertThat(end.isSuccess()).as(end.toString()).isTrue();
            assertThat(end.rows()).allSatisfy(r -> assertThat(r.attempt()).isEqualTo(1));
            assertThat(Integer.parseInt(Files.readString(shims.resolve("sbatch.count")).trim())).isEqualTo(1);
            List<TaskRecord> tasks = m.record().tasks();
            String base = tasks.get(0).lastAttempt().jobId().split("_")[0];
            for (int i = 0; i < 5; i++) {
                assertThat(tasks.get(i).lastAttempt().jobId()).isEqualTo(base + "_" + i);
            }
        }
    }

    @Test
    void anOutsideScancelIsReportedCancelled() throws IOException {
        String name = unique("scancel");
        Bundle b = Bundle.named(name).add(Job.named(name).command("sleep", "300"))
                .add(Job.named(name + "_after").command("true").dependsOn(name));
        try (SlurmScheduler slurm = SlurmScheduler.create()) {
            RunManager m = manager(b, slurm, "scancel").start();
            await().atMost(WAIT).until(() -> m.report().rows().get(0).state() == TaskState.RUNNING);
            assertThat(run("scancel", m.record().tasks().get(0).lastAttempt().jobId()).ok()).isTrue();
            RunReport end = m.awaitCompletion(WAIT);

            assertThat(end.rows().get(0).state()).isEqualTo(TaskState.CANCELLED);
            assertThat(end.rows().get(0).attempt()).isEqualTo(1);
            assertThat(end.rows().get(1).state()).isEqualTo(TaskState.CANCELLED);
        }
    }

    @Test
    void tasksSurviveANodeFailureAndNoneRunsTwiceAtOnce() throws IOException {
        String name = unique("node");
        Bundle b = Bundle.named(name);
        for (int i = 0; i < 2; i++) {
            b.add(Job.named(name + "_" + i).command("sleep", "15"));
        }
        try (SlurmScheduler slurm = SlurmScheduler.create()) {
            RunManager m = manager(b, slurm, "node").start();
            await().atMost(WAIT).until(() -> m.report().count(TaskState.RUNNING) == 2);
            try {
                assertThat(run("scontrol", "update", "nodename=" + node, "state=down", "reason=drover-node-failure-test").ok()).isTrue();
                await().atMost(WAIT).until(() -> m.record().tasks().stream().allMatch(t -> t.attempts().size() >= 2
                        || t.attempts().get(0).state() == JobState.NODE_FAIL));
            } finally {
                run("scontrol", "update", "nodename=" + node, "state=resume");
            }
            RunReport end = m.awaitCompletion(WAIT);

            assertThat(end.isSuccess()).as(end.toString()).isTrue();
            for (TaskRecord t : m.record().tasks()) {
                assertThat(t.attempts().get(0).state()).isEqualTo(JobState.NODE_FAIL);
                assertThat(t.attempts()).hasSizeGreaterThanOrEqualTo(2);
                // attempts never overlap: each one was submitted after the one before ended
                for (int i = 1; i < t.attempts().size(); i++) {
                    assertThat(t.attempts().get(i).submitted()).isAfterOrEqualTo(t.attempts().get(i - 1).ended());
                }
            }
            assertSubmittedExactlyAsRecorded(m.record());
            // and as SLURM itself saw it: no job of a task started before the one before it had ended
            for (TaskRecord t : m.record().tasks()) {
                List<String[]> jobs = new ArrayList<>(accounting(t.name()));
                jobs.removeIf(j -> !j[1].matches("\\d{4}-.*"));            // never started: no Start
                jobs.sort(java.util.Comparator.comparing((String[] j) -> j[1]));
                for (int i = 1; i < jobs.size(); i++) {
                    assertThat(jobs.get(i)[1]).as("%s: start of %s vs end of %s", t.name(), jobs.get(i)[0], jobs.get(i - 1)[0])
                            .isGreaterThanOrEqualTo(jobs.get(i - 1)[2]);
                }
            }
        }
    }

    @Test
    void aSlurmctldRestartMidRunLosesAndDuplicatesNothing() throws IOException {
        String name = unique("ctld");
        Bundle b = Bundle.named(name);
        for (int i = 0; i < 4; i++) {
            b.add(Job.named(name + "_" + i).command("sleep", "6"));
        }
        try (SlurmScheduler slurm = SlurmScheduler.create()) {
            RunManager m = manager(b, slurm, "ctld").start();
            await().atMost(WAIT).until(() -> m.report().count(TaskState.RUNNING) >= 1);
            CommandResult restart = SHELL.run(List.of("bash", testbedScript().toString(), "restart-ctld"), Duration.ofMinutes(2));
            assertThat(restart.ok()).as(restart.toString()).isTrue();
            RunReport end = m.awaitCompletion(WAIT);

            assertThat(end.isSuccess()).as(end.toString()).isTrue();
            assertThat(end.rows()).allSatisfy(r -> assertThat(r.attempt()).isEqualTo(1));
            assertSubmittedExactlyAsRecorded(m.record());
        }
    }

    @Test
    void aSqueueThatFailsHalfTheTimeFailsNoTask() throws IOException {
        Path shims = SlurmTestbed.runsRoot("shim").resolve(unique("bin"));
        Files.createDirectories(shims);
        Path counter = shims.resolve("count");
        Path squeue = shims.resolve("squeue");
        Files.writeString(squeue, "#!/bin/bash\n"
                + "n=$(( $(cat " + counter + " 2>/dev/null || echo 0) + 1 )); echo $n > " + counter + "\n"
                + "if (( n % 2 == 0 )); then echo 'slurm_load_jobs error: Unable to contact slurm controller (connect failure)' >&2; exit 1; fi\n"
                + "exec " + run("bash", "-c", "command -v squeue").stdout().trim() + " \"$@\"\n");
        Files.setPosixFilePermissions(squeue, PosixFilePermissions.fromString("rwxr-xr-x"));
        String name = unique("flaky");
        Bundle b = Bundle.named(name);
        for (int i = 0; i < 3; i++) {
            b.add(Job.named(name + "_" + i).command("sleep", "8"));
        }
        LocalShell shimmed = LocalShell.withEnvironment(Map.of("PATH", shims + ":" + System.getenv("PATH")));
        try (SlurmScheduler slurm = SlurmScheduler.builder().shell(shimmed).build()) {
            // Ends come from the exitcode records; squeue is asked every 0.5, 1, 2, 4, 6 s with a 100 ms
            // poll: in 8 s at least 4 times, half of which fail.
            RunManager m = manager(b, slurm, "shim").pollInterval(Duration.ofMillis(100)).start();
            RunReport end = m.awaitCompletion(WAIT);

            assertThat(end.isSuccess()).as(end.toString()).isTrue();
            assertThat(end.rows()).allSatisfy(r -> assertThat(r.attempt()).isEqualTo(1));
            assertThat(Integer.parseInt(Files.readString(counter).trim())).isGreaterThanOrEqualTo(4);
        }
    }

    @Test
    void anSbatchThatFailsAfterTheJobWasCreatedNeverLeadsToASecondJob() throws IOException {
        // sbatch creates the job, then reports a timeout (twice); squeue fails its first 6 calls, so
        // for a while nobody can tell whether the jobs exist: the manager must wait, not resubmit.
        Path shims = SlurmTestbed.runsRoot("unsure").resolve(unique("bin"));
        Files.createDirectories(shims);
        String realSbatch = run("bash", "-c", "command -v sbatch").stdout().trim();
        String realSqueue = run("bash", "-c", "command -v squeue").stdout().trim();
        shim(shims, "sbatch", "if (( n <= 2 )); then " + realSbatch + " \"$@\" >/dev/null; "
                + "echo 'sbatch: error: Batch job submission failed: Socket timed out on send/recv operation' >&2; exit 1; fi\n"
                + "exec " + realSbatch + " \"$@\"\n");
        shim(shims, "squeue", "if (( n <= 6 )); then "
                + "echo 'slurm_load_jobs error: Unable to contact slurm controller (connect failure)' >&2; exit 1; fi\n"
                + "exec " + realSqueue + " \"$@\"\n");
        String name = unique("unsure");
        Bundle b = Bundle.named(name);
        for (int i = 0; i < 3; i++) {
            b.add(Job.named(name + "_" + i).command("sleep", "2"));
        }
        LocalShell shimmed = LocalShell.withEnvironment(Map.of("PATH", shims + ":" + System.getenv("PATH")));
        try (SlurmScheduler slurm = SlurmScheduler.builder().shell(shimmed)
                .submitRetries(2, Duration.ofMillis(100), Duration.ofMillis(200)).build()) {
            RunManager m = manager(b, slurm, "unsure").start();
            RunReport end = m.awaitCompletion(WAIT);

            assertThat(end.isSuccess()).as(end.toString()).isTrue();
            assertThat(end.rows()).allSatisfy(r -> assertThat(r.attempt()).isEqualTo(1));
            assertThat(Integer.parseInt(Files.readString(shims.resolve("sbatch.count")).trim())).isEqualTo(3);
            assertSubmittedExactlyAsRecorded(m.record());
        }
    }

    /** A command on {@code dir} that counts its calls in {@code <name>.count} ($n) and then runs {@code body}. */
    private static void shim(Path dir, String name, String body) throws IOException {
        Path counter = dir.resolve(name + ".count");
        Path file = dir.resolve(name);
        Files.writeString(file, "#!/bin/bash\n"
                + "n=$(( $(cat " + counter + " 2>/dev/null || echo 0) + 1 )); echo $n > " + counter + "\n" + body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void aManagerKilledWithSigkillIsRestartedAndReattaches() throws Exception {
        String name = unique("kill");
        Path root = SlurmTestbed.runsRoot("kill");
        Path store = root.resolve(name + ".json");
        Process first = manager(store, root, name);
        try {
            await().atMost(WAIT).until(() -> submittedAttempts(store) >= 2);
        } finally {
            first.destroyForcibly();   // SIGKILL
            first.waitFor(30, TimeUnit.SECONDS);
        }
        RunRecord atKill = RunStore.json(store).load().orElseThrow();
        assertThat(atKill.tasks().stream().anyMatch(t -> !t.state().isTerminal())).isTrue();

        Process second = manager(store, root, name);
        assertThat(second.waitFor(8, TimeUnit.MINUTES)).isTrue();
        String output = new String(second.getInputStream().readAllBytes());
        assertThat(second.exitValue()).as(output).isZero();

        RunRecord end = RunStore.json(store).load().orElseThrow();
        assertThat(end.tasks()).hasSize(4).allSatisfy(t -> assertThat(t.state()).isEqualTo(TaskState.COMPLETED));
        assertSubmittedExactlyAsRecorded(end);
    }

    @Test
    void aManagerKilledRightAfterSbatchCreatedTheJobFindsItByTokenAfterTheRestart() throws Exception {
        // The worst moment: sbatch has created the job, the manager dies before it records the id.
        // An sbatch shim runs the real sbatch, then SIGKILLs its caller (the manager's JVM) on the
        // second call; the restarted manager must find both jobs of that batch by token.
        String name = unique("window");
        Path root = SlurmTestbed.runsRoot("window");
        Path store = root.resolve(name + ".json");
        Path shims = Files.createDirectories(root.resolve(name + "-bin"));
        String realSbatch = run("bash", "-c", "command -v sbatch").stdout().trim();
        shim(shims, "sbatch", "out=$(" + realSbatch + " \"$@\"); rc=$?\n"
                + "if (( n == 2 )); then kill -9 $PPID; sleep 10; fi\n"
                + "printf '%s\\n' \"$out\"; exit $rc\n");
        Process first = manager(store, root, name, shims + ":" + System.getenv("PATH"));
        assertThat(first.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(first.exitValue()).isEqualTo(137);   // killed by the shim

        RunRecord atKill = RunStore.json(store).load().orElseThrow();
        List<AttemptRecord> unrecorded = atKill.tasks().stream().map(TaskRecord::lastAttempt)
                .filter(a -> a != null && a.jobId() == null).toList();
        assertThat(unrecorded).as("attempts submitted without a recorded id").isNotEmpty();

        Process second = manager(store, root, name, System.getenv("PATH"));
        assertThat(second.waitFor(8, TimeUnit.MINUTES)).isTrue();
        String output = new String(second.getInputStream().readAllBytes());
        assertThat(second.exitValue()).as(output).isZero();

        RunRecord end = RunStore.json(store).load().orElseThrow();
        assertThat(end.tasks()).hasSize(4).allSatisfy(t -> {
            assertThat(t.state()).isEqualTo(TaskState.COMPLETED);
            assertThat(t.attempts()).hasSize(1);
        });
        assertSubmittedExactlyAsRecorded(end);
    }

    private static long submittedAttempts(Path store) {
        try {
            return RunStore.json(store).load().map(r -> r.tasks().stream().filter(t -> t.lastAttempt() != null
                    && t.lastAttempt().jobId() != null).count()).orElse(0L);
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private static Process manager(Path store, Path runs, String name) throws IOException {
        return manager(store, runs, name, System.getenv("PATH"));
    }

    private static Process manager(Path store, Path runs, String name, String path) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", testClassPath(),
                ManagerProcess.class.getName(), store.toString(), runs.toString(), name, "4", "6")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.PIPE);
        pb.environment().put("PATH", path);
        return pb.start();
    }

    /**
     * This test's classes and everything they need, as a class path for another JVM. Failsafe runs
     * the tests on the module path (drover-slurm is a module), so {@code java.class.path} alone
     * lacks Drover's own classes and their module dependencies.
     */
    private static String testClassPath() {
        List<String> parts = new java.util.ArrayList<>();
        for (String property : List.of("jdk.module.path", "java.class.path")) {
            String value = System.getProperty(property);
            if (value != null && !value.isBlank()) {
                parts.add(value);
            }
        }
        parts.add(Path.of("target/test-classes").toAbsolutePath().toString());
        return String.join(java.io.File.pathSeparator, parts);
    }

    private static Path testbedScript() {
        Path p = Path.of("src/test/testbed/slurm-testbed.sh");
        return Files.exists(p) ? p : Path.of("slurm/src/test/testbed/slurm-testbed.sh");
    }

    static Instant now() {
        return Instant.now();
    }
}
