package org.drover.examples.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.drover.Bundle;
import org.drover.Job;
import org.drover.run.AttemptRecord;
import org.drover.run.RetryPolicy;
import org.drover.run.RunManager;
import org.drover.run.RunReport;
import org.drover.run.TaskRecord;
import org.drover.scheduler.JobState;
import org.drover.shell.CommandResult;
import org.drover.shell.LocalShell;
import org.drover.slurm.SlurmScheduler;

/**
 * Crash-to-resubmit latency on the real SLURM testbed: tasks whose first attempt crashes (exit 1,
 * retried with no backoff) are resubmitted by a RunManager polling every {@code interval}. For
 * each task: from the end of attempt 1 (sacct End, whole seconds) to the submission of attempt 2
 * (recorded by the manager). Target: at most one poll interval plus one submit.
 *
 * <pre>
 * java -cp $CP org.drover.examples.bench.CrashResubmitBenchmark [tasks=6] [pollSeconds=2]
 * </pre>
 */
public final class CrashResubmitBenchmark {
    private CrashResubmitBenchmark() {}

    public static void main(String[] args) throws Exception {
        int tasks = args.length > 0 ? Integer.parseInt(args[0]) : 6;
        Duration interval = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 2);
        Path root = Files.createTempDirectory("drover-crash-bench");
        String name = "crashbench" + Long.toString(System.currentTimeMillis() % 100_000_000L, 36);
        Bundle b = Bundle.named(name);
        for (int i = 0; i < tasks; i++) {
            Path marker = root.resolve("marker" + i);
            b.add(Job.named(name + "_" + i).script("sleep 1; if [ ! -e " + marker + " ]; then touch " + marker
                    + "; exit 1; fi"));
        }
        RetryPolicy retry = RetryPolicy.builder().withMaxAttempts(2).withBackoff(Duration.ZERO, Duration.ZERO)
                .retryOn(JobState.FAILED).build();
        try (SlurmScheduler slurm = SlurmScheduler.create()) {
            RunManager m = RunManager.of(b).on(slurm).runsRoot(root).pollInterval(interval).retry(retry).start();
            RunReport end = m.awaitCompletion(Duration.ofMinutes(10));
            if (!end.isSuccess()) {
                System.out.println(end);
                System.exit(1);
            }
            long submitMs = oneSubmitMillis();
            List<Long> latencies = new ArrayList<>();
            for (TaskRecord t : m.record().tasks()) {
                AttemptRecord first = t.attempts().get(0);
                AttemptRecord second = t.attempts().get(1);
                Instant firstEnd = sacctEnd(first.jobId());
                long ms = Duration.between(firstEnd, second.submitted()).toMillis();
                latencies.add(ms);
                System.out.printf("%-20s attempt 1 (%s) ended %s, attempt 2 (%s) submitted %s: %d ms%n", t.name(),
                        first.jobId(), firstEnd, second.jobId(), second.submitted(), ms);
            }
            Collections.sort(latencies);
            long bound = interval.toMillis() + submitMs + 1_000;   // + 1 s: sacct's End has whole seconds
            long worst = latencies.get(latencies.size() - 1);
            System.out.printf("poll interval %d ms, one sbatch %d ms; latency median %d ms, max %d ms; "
                            + "bound (interval + submit + 1 s of sacct rounding) %d ms -> %s%n",
                    interval.toMillis(), submitMs, latencies.get(latencies.size() / 2), worst, bound,
                    worst <= bound ? "PASS" : "FAIL");
            System.exit(worst <= bound ? 0 : 1);
        }
    }

    private static Instant sacctEnd(String id) throws InterruptedException {
        for (int i = 0; i < 60; i++) {
            CommandResult r = LocalShell.create().run(List.of("sacct", "--noheader", "--parsable2", "--allocations",
                    "--format=End", "--jobs=" + id), Duration.ofSeconds(30));
            String text = r.stdout().trim();
            if (r.ok() && !text.isEmpty() && Character.isDigit(text.charAt(0))) {
                return LocalDateTime.parse(text).atZone(ZoneId.systemDefault()).toInstant();
            }
            Thread.sleep(1_000);
        }
        throw new IllegalStateException("sacct has no end time for job " + id);
    }

    private static long oneSubmitMillis() {
        long start = System.nanoTime();
        CommandResult r = LocalShell.create().run(List.of("sbatch", "--parsable", "--hold", "--wrap=true"),
                Duration.ofSeconds(30));
        long ms = (System.nanoTime() - start) / 1_000_000;
        if (r.ok()) {
            LocalShell.create().run(List.of("scancel", r.stdout().trim().split(";")[0]), Duration.ofSeconds(30));
        }
        return ms;
    }
}
