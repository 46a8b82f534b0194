package org.drover.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.drover.Bundle;
import org.drover.Job;
import org.drover.Sweep;
import org.drover.local.LocalScheduler;
import org.drover.scheduler.JobState;
import org.drover.testing.InMemoryScheduler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a JShell user sees when a value prints itself: a short, bounded description, never {@code X@hash}. */
class ReadablePrintingTest {
    @TempDir
    Path dir;

    private static Bundle study() {
        return Bundle.named("study")
                .add(Job.named("report").command("echo", "report").dependsOn("train"))
                .add(Sweep.of(Job.named("train").command("echo", "{lr}")).param("lr", 0.1, 0.01).dependsOn("prep"))
                .add(Job.named("prep").command("echo", "prep"));
    }

    @Test
    void aBundleListsItsJobs() {
        assertThat(study().toString()).isEqualTo("""
                Bundle study: 4 jobs
                  report: 'echo' 'report' (cpus=1) [afterok:train]
                  train_0: 'echo' '0.1' (cpus=1) [afterok:prep]
                  train_1: 'echo' '0.01' (cpus=1) [afterok:prep]
                  prep: 'echo' 'prep' (cpus=1)""");
    }

    @Test
    void aPlanShowsTheOrderAndWhatEachJobWaitsFor() {
        Bundle b = study().add(Job.named("alert").command("true").afterNotOk("report"));
        assertThat(b.plan().toString()).isEqualTo("""
                BundlePlan study: 5 jobs in this order
                  1. prep
                  2. train_0 after prep
                  3. train_1 after prep
                  4. report after train_0, train_1
                  5. alert after report (afternotok)""");
    }

    @Test
    void longListingsStopAfterAScreenful() {
        Bundle big = Bundle.named("big").add(Sweep.of(Job.named("t").command("true")).param("x", java.util.stream.IntStream
                .range(0, 100).boxed().toList()));
        String text = big.toString();
        assertThat(text).startsWith("Bundle big: 100 jobs\n").endsWith("\n  ... 80 more");
        assertThat(text.lines()).hasSize(22);
        assertThat(Bundle.named("one").add(Job.named("a").command("true")).toString()).startsWith("Bundle one: 1 job\n");
    }

    @Test
    void aRunRecordIsASummaryWithOneLinePerTask() {
        RunRecord r = new RunRecord("study", "local", "runs/study_1", Instant.parse("2026-12-05T06:00:00Z"), List.of(
                new TaskRecord("prep", TaskState.COMPLETED, "", null, List.of(attempt(1, "7", JobState.COMPLETED))),
                new TaskRecord("train", TaskState.FAILED, "FAILED: exit code 3",
                        null, List.of(attempt(1, "8", JobState.NODE_FAIL), attempt(2, "9", JobState.FAILED))),
                new TaskRecord("report", TaskState.CANCELLED, "dependency train ended FAILED", null, List.of())));
        assertThat(r.toString()).isEqualTo("""
                RunRecord study on local, saved 2026-12-05T06:00:00Z, in runs/study_1: 1 of 3 done, 1 failed, 1 cancelled
                  prep COMPLETED, 1 attempt, last job 7
                  train FAILED, 2 attempts, last job 9: FAILED: exit code 3
                  report CANCELLED, 0 attempts: dependency train ended FAILED""");
        assertThat(r.tasks().get(1).toString()).isEqualTo("TaskRecord[train FAILED, 2 attempts, last job 9: FAILED: exit code 3]");
    }

    @Test
    void submissionsAndShellsAreOneShortLine() {
        org.drover.scheduler.Submission s = new org.drover.scheduler.Submission(Job.named("train_0").command("echo", "x"),
                "study", dir.resolve("train_0/2"), 2,
                List.of(new org.drover.scheduler.Submission.IdDependency("17", org.drover.DependencyType.AFTER_OK)), "drv1a2b");
        assertThat(s.toString()).isEqualTo("Submission[study/train_0 attempt 2, token drv1a2b, after afterok:17]");

        assertThat(org.drover.shell.LocalShell.create().toString()).isEqualTo("LocalShell[localhost]");
        org.drover.shell.LocalShell shimmed = org.drover.shell.LocalShell.withEnvironment(
                java.util.Map.of("PATH", "/opt/shims:/usr/bin", "TOKEN", "secret"));
        assertThat(shimmed.toString()).isEqualTo("LocalShell[localhost, sets PATH, TOKEN]").doesNotContain("secret");

        org.drover.testing.CountingShell counting = new org.drover.testing.CountingShell(org.drover.shell.LocalShell.create());
        assertThat(counting.toString()).isEqualTo("CountingShell[localhost: no command yet]");
        counting.run(List.of("true"), Duration.ofSeconds(10));
        counting.run(List.of("true"), Duration.ofSeconds(10));
        counting.run(List.of("echo", "hi"), Duration.ofSeconds(10));
        assertThat(counting.toString()).isEqualTo("CountingShell[localhost: echo 1, true 2]");
    }

    @Test
    void longRunRecordsAndSubmittedBundlesStopAfterAScreenful() {
        List<TaskRecord> tasks = java.util.stream.IntStream.range(0, 25)
                .mapToObj(i -> new TaskRecord("t" + i, TaskState.COMPLETED, "", null,
                        List.of(attempt(1, String.valueOf(100 + i), JobState.COMPLETED))))
                .toList();
        String record = new RunRecord("big", "local", "runs/big_1", Instant.parse("2026-12-05T06:00:00Z"), tasks).toString();
        assertThat(record.lines()).hasSize(22);
        assertThat(record).startsWith("RunRecord big on local, saved 2026-12-05T06:00:00Z, in runs/big_1: 25 of 25 done\n"
                        + "  t0 COMPLETED, 1 attempt, last job 100\n")
                .contains("\n  t19 COMPLETED, 1 attempt, last job 119\n")
                .doesNotContain("t20 ")
                .endsWith("  ... 5 more");

        Bundle big = Bundle.named("big").add(Sweep.of(Job.named("t").command("true")).param("x", java.util.stream.IntStream
                .range(0, 25).boxed().toList()));
        SubmittedBundle submitted = Submitter.submit(big, new InMemoryScheduler(2, 1), dir);
        String text = submitted.toString();
        assertThat(text.lines()).hasSize(22);
        assertThat(text).startsWith("SubmittedBundle big on ").contains(": 25 jobs\n")
                .contains("\n  " + big.jobs().get(0).name() + " = " + submitted.id(big.jobs().get(0).name()) + "\n")
                .endsWith("  ... 5 more");
    }

    private static AttemptRecord attempt(int number, String jobId, JobState state) {
        Instant t = Instant.parse("2026-12-05T05:00:00Z");
        return new AttemptRecord(number, "drv" + number, jobId, state, null, "", t, t, "runs/study_1/x/" + number,
                List.of(), null, null);
    }

    @Test
    void managerSchedulerAndSubmittedBundleSayWhatTheyAre() throws Exception {
        InMemoryScheduler sim = new InMemoryScheduler(2, 1);
        assertThat(sim.toString()).isEqualTo("InMemoryScheduler[2 slots, 1 tick per job; 0 running, 0 queued, 0 submitted]");
        try (RunManager run = RunManager.of(study()).on(sim).runsRoot(dir).store(dir.resolve("study.json")).build()) {
            assertThat(run.toString()).isEqualTo("RunManager[study on " + sim.name() + ", RunStore.json("
                    + dir.resolve("study.json") + "): not started (no step yet)]");
            run.step();
            assertThat(run.toString()).endsWith(": 0 of 4 done, 1 queued, 3 waiting]");
            assertThat(sim.toString()).endsWith("; 0 running, 1 queued, 1 submitted]");
        }
        try (LocalScheduler local = LocalScheduler.builder().cpus(2).memory("1G").build()) {
            assertThat(local.toString()).matches("LocalScheduler\\[2 cpus, 1\\.0G memory, no gpu; 0 running, 0 queued; "
                    + "(fork server|ProcessBuilder)]");
            SubmittedBundle submitted = Submitter.submit(Bundle.named("two").add(Job.named("a").command("sleep", "5"))
                    .add(Job.named("b").command("true")), local, dir);
            assertThat(submitted.toString()).startsWith("SubmittedBundle two on local, in " + dir)
                    .endsWith(": 2 jobs\n  a = " + submitted.id("a") + "\n  b = " + submitted.id("b"));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> local.toString().contains("; 1 running, 0 queued;"));
        }
    }

    @Test
    void recordsOfAttemptsStatusesAndEventsAreOneReadableLine() {
        Instant t = Instant.parse("2026-12-05T10:00:00Z");
        AttemptRecord a = new AttemptRecord(2, "drv2", "17", JobState.FAILED, 137, "FAILED: exit code 137", t,
                t.plusSeconds(72), "study_1/train_3/2", List.of(new StateChange(t, JobState.PENDING, ""),
                new StateChange(t.plusSeconds(1), JobState.RUNNING, ""), new StateChange(t.plusSeconds(72), JobState.FAILED,
                "FAILED: exit code 137")), null, null);
        assertThat(a.toString()).isEqualTo("AttemptRecord[2: job 17 FAILED, exit 137 (SIGKILL), submitted 2026-12-05T10:00:00Z, "
                + "ended 2026-12-05T10:01:12Z, in study_1/train_3/2; PENDING -> RUNNING -> FAILED: FAILED: exit code 137]");
        assertThat(new AttemptRecord(1, "drv1", null, JobState.PENDING, null, "", t, null, "s/a/1", List.of(), null, null))
                .hasToString("AttemptRecord[1: no job id yet PENDING, submitted 2026-12-05T10:00:00Z, in s/a/1]");
        assertThat(new StateChange(t, JobState.NODE_FAIL, "node c3 down")).hasToString("StateChange[2026-12-05T10:00:00Z NODE_FAIL: node c3 down]");
        assertThat(new StateChange(t, JobState.RUNNING, "")).hasToString("StateChange[2026-12-05T10:00:00Z RUNNING]");
        assertThat(new TaskEvent("train_3", 1, "17", TaskState.RETRY_WAIT, JobState.NODE_FAIL, "NODE_FAIL"))
                .hasToString("TaskEvent[train_3 RETRY_WAIT, attempt 1, job 17 NODE_FAIL: NODE_FAIL]");
        assertThat(new TaskEvent("prep", 0, null, TaskState.WAITING, null, "")).hasToString("TaskEvent[prep WAITING, attempt 0]");
        assertThat(new org.drover.scheduler.JobStatus("17", JobState.FAILED, 3, "NonZeroExitCode", t, t.plusSeconds(72), "F"))
                .hasToString("JobStatus[17 FAILED, exit 3, started 2026-12-05T10:00:00Z, ended 2026-12-05T10:01:12Z, native F: NonZeroExitCode]");
        assertThat(org.drover.scheduler.JobStatus.of("7", JobState.RUNNING)).hasToString("JobStatus[7 RUNNING]");
        assertThat(DoneCheck.fileExists("results/{name}.csv")).hasToString("DoneCheck.fileExists(results/{name}.csv)");
    }

    @Test
    void aScriptJobShowsItsScriptsFirstLine() {
        assertThat(Job.named("train").script("sleep 1\n./train --lr=0.1\necho done").toString())
                .isEqualTo("Job[train: <script: sleep 1 (+2 lines)> (cpus=1)]");
        assertThat(Job.named("t").script("x".repeat(70)).toString()).isEqualTo("Job[t: <script: " + "x".repeat(60) + "…> (cpus=1)]");
    }
}
