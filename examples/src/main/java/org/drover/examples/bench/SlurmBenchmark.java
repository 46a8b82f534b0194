package org.drover.examples.bench;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.drover.Bundle;
import org.drover.Job;
import org.drover.Sweep;
import org.drover.internal.AtomicFiles;
import org.drover.internal.Json;
import org.drover.run.SubmittedBundle;
import org.drover.run.Submitter;
import org.drover.scheduler.JobStatus;
import org.drover.scheduler.RunDirectory;
import org.drover.scheduler.Submission;
import org.drover.shell.CommandResult;
import org.drover.shell.LocalShell;
import org.drover.shell.Shell;
import org.drover.slurm.SlurmScheduler;

/**
 * Drover on a real SLURM cluster, against plain {@code sbatch}. Needs {@code sbatch}, {@code squeue},
 * {@code sacct} and {@code scancel} on the PATH and a controller that answers. Every job it submits
 * is cancelled (by id, one {@code scancel} per round) right after its round, outside the timed
 * region, and again on the way out if anything went wrong.
 *
 * <ol>
 *   <li><b>Submit {@value #JOBS} independent jobs</b> ({@code Job.named("b"+i).command("true")}):
 *       a bash loop of {@code sbatch --parsable} over {@value #JOBS} scripts pre-rendered with
 *       {@link SlurmScheduler#render}, against {@link Submitter#submit} of a bundle of the same jobs
 *       through {@code SlurmScheduler.builder().build()} (which creates the run directory, writes and
 *       fsyncs every job.json and script). Alternating bash, drover, bash, drover... in the same run,
 *       after one small warm-up round of each; {@code sync} before every timed region, and a pause of
 *       {@value #SETTLE_MS} ms after every cancel so each side starts on a settled controller. Target: median
 *       drover / median bash at most {@value #RATIO_TARGET}. One more Drover round through a timing
 *       shell (not in the medians) shows where Drover's time goes, and a cluster-free breakdown
 *       measures each per-job step on its own.</li>
 *   <li><b>A {@value #ARRAY_TASKS}-task sweep as an array</b> (held, so no task runs): exactly one
 *       {@code sbatch}, counted by PATH shims that log every sbatch, squeue, sacct, scancel, scontrol
 *       and id process and exec the real binary.</li>
 *   <li><b>Polling {@value #ARRAY_TASKS} tracked jobs</b>: {@value #POLLS} polls of the array's task
 *       ids before the array is cancelled, 2 after; then one poll of {@value #ARRAY_TASKS} distinct
 *       ids of section 1 (cancelled jobs). Target: exactly 1 squeue and at most 1 sacct per poll.</li>
 * </ol>
 *
 * <pre>
 * mvn -q -o install -DskipTests
 * mvn -q -o dependency:build-classpath -pl examples -Dmdep.outputFile=/tmp/cpb.txt
 * java -cp examples/target/classes:$(cat /tmp/cpb.txt) org.drover.examples.bench.SlurmBenchmark [rounds] [--hold] [--keep]
 * </pre>
 * {@code rounds}: bash/drover pairs (default {@value #DEFAULT_ROUNDS}, at least 2); {@code --hold}: submit
 * the section-1 jobs held too; {@code --keep}: keep the temporary directory. Exits 1 when a target is missed.
 */
public final class SlurmBenchmark {
    static final int JOBS = 200;
    static final int DEFAULT_ROUNDS = 3;
    static final int WARMUP_JOBS = 10;
    static final int ARRAY_TASKS = 1000;
    static final int POLLS = 5;
    static final double RATIO_TARGET = 1.10;
    /** Pause after every cancel, before the next timed region, so the controller has settled (and the load stays low). */
    static final long SETTLE_MS = 2_000;
    /** SlurmScheduler's default limit, and its burst (Guava's RateLimiter stores up to 1 s of permits). */
    static final double DEFAULT_RATE = 250;
    static final List<String> SHIMMED = List.of("sbatch", "squeue", "sacct", "scancel", "scontrol", "id");
    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    /** Ids submitted and not yet cancelled: cancelled on the way out whatever happens. */
    private static final Set<String> OUTSTANDING = Collections.synchronizedSet(new LinkedHashSet<>());
    private static final List<String[]> SUMMARY = new ArrayList<>();
    private static boolean allPass = true;
    private static boolean hold;

    private SlurmBenchmark() {}

    public static void main(String[] args) throws Exception {
        int rounds = DEFAULT_ROUNDS;
        boolean keep = false;
        for (String a : args) {
            if (a.equals("--hold")) {
                hold = true;
            } else if (a.equals("--keep")) {
                keep = true;
            } else {
                rounds = Integer.parseInt(a);
            }
        }
        if (rounds < 2) {
            throw new IllegalArgumentException("at least 2 rounds, got " + rounds);
        }
        Map<String, String> real = new LinkedHashMap<>();
        for (String name : SHIMMED) {
            CommandResult r = LocalShell.create().run(List.of("sh", "-c", "command -v " + name), TIMEOUT);
            if (!r.ok() || r.stdout().isBlank()) {
                throw new IllegalStateException(name + " is not on the PATH");
            }
            real.put(name, r.stdout().trim());
        }
        CommandResult ping = LocalShell.create().run(List.of("scontrol", "ping"), TIMEOUT);
        System.out.printf("SlurmBenchmark: %d jobs x %d rounds each side (+ warm-up of %d), array of %d, %d polls; "
                        + "%d cpus; java %s%n", JOBS, rounds, WARMUP_JOBS, ARRAY_TASKS, POLLS,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        System.out.println("binaries: " + real);
        System.out.println("controller: " + ping.stdout().strip() + (ping.ok() ? "" : " " + ping.message()));
        System.out.println("queue before: " + queueSize() + " jobs in squeue (all users)");

        Path tmp = Files.createTempDirectory("drover-slurm-bench-");
        System.out.println("scratch: " + tmp + (keep ? " (kept)" : " (deleted at the end)"));
        Runtime.getRuntime().addShutdownHook(new Thread(SlurmBenchmark::cancelOutstanding, "cancel-outstanding"));
        List<String> individualIds = new ArrayList<>();
        try {
            localBreakdown(tmp.resolve("breakdown"));
            submitComparison(tmp, rounds, individualIds);
            arrayAndPolls(tmp, real, individualIds);
        } finally {
            cancelOutstanding();
            if (!keep) {
                deleteTree(tmp);
            }
        }

        System.out.println();
        System.out.println("==== summary ====");
        System.out.printf("%-52s %-26s %-14s %s%n", "figure", "value", "target", "result");
        for (String[] row : SUMMARY) {
            System.out.printf("%-52s %-26s %-14s %s%n", (Object[]) row);
        }
        System.out.println(allPass ? "ALL TARGETS MET" : "SOME TARGETS MISSED");
        System.exit(allPass ? 0 : 1);
    }

    // ---- 0: per-job steps without the cluster ----

    /** Each step Drover takes per job, {@value #JOBS} times, timed alone (second of two passes). */
    private static void localBreakdown(Path dir) throws IOException {
        System.out.println();
        System.out.println("==== 0. per-job steps, no cluster (" + JOBS + " jobs, 2nd pass of 2, ms per job) ====");
        LocalShell shell = LocalShell.create();
        SlurmScheduler slurm = SlurmScheduler.builder().build();
        Map<String, Double> perJob = new LinkedHashMap<>();
        for (int pass = 1; pass <= 2; pass++) {
            Path run = dir.resolve("pass" + pass);
            List<Job> jobs = jobs(JOBS, "b");
            List<Submission> subs = new ArrayList<>();
            for (Job j : jobs) {
                subs.add(new Submission(j, "sbench", run.resolve(j.name()).resolve("1").toAbsolutePath(), 1,
                        List.of(), Submitter.newToken()));
            }
            perJob.clear();
            perJob.put("createDirectories(attempt dir)", time(() -> subs.forEach(s -> shell.createDirectories(s.attemptDir()))));
            List<byte[]> records = new ArrayList<>();
            perJob.put("Json.writeBytes(job)", time(() -> jobs.forEach(j -> records.add(Json.writeBytes(j)))));
            perJob.put("writeFile(job.json): tmp+fsync+rename+dir fsync", time(() -> {
                for (int i = 0; i < JOBS; i++) {
                    shell.writeFile(subs.get(i).attemptDir().resolve(RunDirectory.JOB_RECORD), records.get(i));
                }
            }));
            List<byte[]> scripts = new ArrayList<>();
            perJob.put("render(submission)", time(() -> subs.forEach(s ->
                    scripts.add(slurm.render(s).getBytes(StandardCharsets.UTF_8)))));
            perJob.put("writeFile(script.sh): tmp+fsync+rename+dir fsync", time(() -> {
                for (int i = 0; i < JOBS; i++) {
                    shell.writeFile(subs.get(i).scriptPath(), scripts.get(i));
                }
            }));
            perJob.put("  same script, AtomicFiles.writeSynced only (1 fsync)", time(() -> {
                for (int i = 0; i < JOBS; i++) {
                    int k = i;
                    io(() -> AtomicFiles.writeSynced(subs.get(k).attemptDir().resolve("synced.sh"), scripts.get(k)));
                }
            }));
            perJob.put("  same script, Files.write (no fsync)", time(() -> {
                for (int i = 0; i < JOBS; i++) {
                    int k = i;
                    io(() -> Files.write(subs.get(k).attemptDir().resolve("plain.sh"), scripts.get(k)));
                }
            }));
            perJob.put("LocalShell.run([\"true\"]) (process spawn)", time(() -> {
                for (int i = 0; i < JOBS; i++) {
                    shell.run(List.of("true"), TIMEOUT);
                }
            }));
            Path par = dir.resolve("parallel" + pass);
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
            perJob.put("  mkdir + job.json + script.sh as above, on 4 threads", time(() -> {
                List<java.util.concurrent.Future<?>> done = new ArrayList<>();
                for (int i = 0; i < JOBS; i++) {
                    int k = i;
                    done.add(pool.submit(() -> {
                        Path d = par.resolve("b" + k).resolve("1");
                        shell.createDirectories(d);
                        shell.writeFile(d.resolve(RunDirectory.JOB_RECORD), records.get(k));
                        shell.writeFile(d.resolve(RunDirectory.SCRIPT), scripts.get(k));
                    }));
                }
                for (java.util.concurrent.Future<?> f : done) {
                    try {
                        f.get();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            }));
            pool.shutdown();
            long t0 = System.nanoTime();
            CommandResult r = shell.run(List.of("bash", "-c", "for i in $(seq " + JOBS + "); do /bin/true; done"), TIMEOUT);
            perJob.put("  bash loop spawning /bin/true (for comparison)", (System.nanoTime() - t0) / 1e6 / JOBS);
            if (!r.ok()) {
                System.out.println("bash loop failed: " + r.message());
            }
        }
        perJob.forEach((k, v) -> System.out.printf("  %-58s %7.3f ms%n", k, v));
        double drover = perJob.get("createDirectories(attempt dir)") + perJob.get("Json.writeBytes(job)")
                + perJob.get("writeFile(job.json): tmp+fsync+rename+dir fsync") + perJob.get("render(submission)")
                + perJob.get("writeFile(script.sh): tmp+fsync+rename+dir fsync");
        System.out.printf("  %-58s %7.3f ms%n", "=> Drover's own per-job work before sbatch", drover);
    }

    // ---- 1: 200 jobs, bash loop vs Drover ----

    private static void submitComparison(Path tmp, int rounds, List<String> individualIds) throws Exception {
        System.out.println();
        System.out.println("==== 1. submit " + JOBS + " independent jobs: bash loop of sbatch --parsable vs Submitter.submit"
                + (hold ? " (held)" : "") + " ====");
        SlurmScheduler slurm = SlurmScheduler.builder().build();   // the defaults, 250 submissions/s
        // For the instrumented round at the end; made now so that its rate limiter has filled up like slurm's.
        TimingShell timing = new TimingShell(LocalShell.create());
        SlurmScheduler timed = SlurmScheduler.builder().shell(timing).build();
        Path droverRoot = tmp.resolve("drover-runs");
        Path bashRoot = tmp.resolve("bash");

        double wb = bashRound(slurm, bashRoot, "warmup", WARMUP_JOBS, individualIds);
        double wd = droverRound(slurm, droverRoot, WARMUP_JOBS, individualIds);
        System.out.printf("warm-up (%d jobs each, not counted): bash %.0f ms, drover %.0f ms%n", WARMUP_JOBS, wb, wd);

        List<Double> bash = new ArrayList<>();
        List<Double> drover = new ArrayList<>();
        for (int r = 1; r <= rounds; r++) {
            double b = bashRound(slurm, bashRoot, "r" + r, JOBS, individualIds);
            bash.add(b);
            System.out.printf("round %d  bash   %8.0f ms  (%5.1f jobs/s, %5.2f ms per sbatch)%n", r, b, JOBS * 1000 / b, b / JOBS);
            double d = droverRound(slurm, droverRoot, JOBS, individualIds);
            drover.add(d);
            System.out.printf("round %d  drover %8.0f ms  (%5.1f jobs/s, %5.2f ms per job)%n", r, d, JOBS * 1000 / d, d / JOBS);
        }
        double mb = median(bash);
        double md = median(drover);
        double ratio = md / mb;
        System.out.printf("median   bash   %8.0f ms  (%5.1f jobs/s)   drover %8.0f ms  (%5.1f jobs/s)   drover/bash %.3f%n",
                mb, JOBS * 1000 / mb, md, JOBS * 1000 / md, ratio);
        double sbatchMs = mb / JOBS;
        double sbatchRate = 1000 / sbatchMs;
        double droverRate = JOBS * 1000 / md;
        // With a full bucket (the scheduler idle >= 1 s before), the first DEFAULT_RATE submissions pass at once
        // and the rest at DEFAULT_RATE per second: JOBS take at least this long, whatever else Drover does.
        double floorMs = Math.max(0, JOBS - DEFAULT_RATE - 1) / DEFAULT_RATE * 1000;
        boolean limiterBinds = droverRate >= 0.9 * DEFAULT_RATE;
        System.out.printf("one sbatch call (median bash round / %d): %.2f ms, i.e. sbatch's own rate %.0f/s%n",
                JOBS, sbatchMs, sbatchRate);
        System.out.printf("rate limiter: %.0f/s (burst %.0f). Drover reached %.0f/s -> %s. Floor the limiter alone "
                        + "sets for %d jobs: %.0f ms (full burst) = %.2f x the bash median%n", DEFAULT_RATE,
                DEFAULT_RATE, droverRate, limiterBinds ? "the LIMITER is what bounds Drover"
                        : "the limiter is NOT what bounds Drover (its own per-job work is)",
                JOBS, floorMs, floorMs / mb);

        // One more Drover round through a timing shell (same LocalShell underneath), not in the medians.
        double ti = droverRound(timed, droverRoot, JOBS, individualIds);
        System.out.printf("instrumented drover round (not in the medians): %.0f ms; where it went:%n", ti);
        double accounted = 0;
        for (Map.Entry<String, List<Long>> e : timing.calls.entrySet()) {
            List<Long> ns = e.getValue();
            double sum = ns.stream().mapToLong(Long::longValue).sum() / 1e6;
            accounted += sum;
            System.out.printf("  %-34s %4d calls %8.1f ms total %7.2f ms median%n", e.getKey(), ns.size(), sum,
                    median(ns.stream().map(n -> n / 1e6).collect(Collectors.toList())));
        }
        System.out.printf("  %-34s %19.1f ms (plan, render, JSON, tokens, rate limiter waits)%n", "rest", ti - accounted);
        StringBuilder per = new StringBuilder();
        timing.calls.forEach((k, v) -> {
            if (v.size() == JOBS) {
                per.append(k.replace("writeFile ", "").replace("run ", "").replace("createDirectories", "mkdir"))
                        .append(String.format(" %.2f, ", v.stream().mapToLong(Long::longValue).sum() / 1e6 / JOBS));
            }
        });
        per.append(String.format("rest %.2f", (ti - accounted) / JOBS));
        row("instrumented drover round, ms per job", per.toString(), "-", "info");

        row("submit " + JOBS + " jobs: median bash loop", String.format("%.0f ms (%s)", mb, list(bash)), "-", "info");
        row("submit " + JOBS + " jobs: median Drover", String.format("%.0f ms (%s)", md, list(drover)), "-", "info");
        row("submit " + JOBS + " jobs: drover/bash", String.format("%.3f", ratio), "<= " + RATIO_TARGET,
                verdict(ratio <= RATIO_TARGET));
        row("one sbatch call (median bash loop per job)", String.format("%.2f ms (%.0f/s)", sbatchMs, sbatchRate),
                "-", "info");
        row("rate limiter (250/s) limits Drover?", String.format("%s (drover %.0f/s, sbatch %.0f/s)",
                limiterBinds ? "yes" : "no", droverRate, sbatchRate), "-", "info");
        row("limiter floor for " + JOBS + " jobs / bash median", String.format("%.0f ms / %.0f ms = %.2f", floorMs, mb,
                floorMs / mb), "-", "info");
    }

    /** Renders the scripts (untimed), then times the bash loop over them; cancels what it submitted. */
    private static double bashRound(SlurmScheduler slurm, Path root, String tag, int n, List<String> all)
            throws Exception {
        Path scripts = root.resolve(tag).resolve("scripts");
        Path run = root.resolve(tag).resolve("run").toAbsolutePath();
        Files.createDirectories(scripts);
        for (Job job : jobs(n, "b")) {
            Path attempt = run.resolve(job.name()).resolve("1");
            Files.createDirectories(attempt);
            Submission s = new Submission(job, "sbench", attempt, 1, List.of(), Submitter.newToken());
            Files.writeString(scripts.resolve(String.format("%s.sh", job.name())), slurm.render(s));
        }
        sync();
        Path out = root.resolve(tag).resolve("sbatch.out");
        Path err = root.resolve(tag).resolve("sbatch.err");
        ProcessBuilder pb = new ProcessBuilder("bash", "-c",
                "for f in \"$1\"/*.sh; do sbatch --parsable \"$f\"; done", "bench", scripts.toString())
                .redirectInput(new File("/dev/null")).redirectOutput(out.toFile()).redirectError(err.toFile());
        long t0 = System.nanoTime();
        Process p = pb.start();
        int rc = -1;
        double ms;
        try {
            rc = p.waitFor();
        } finally {
            ms = (System.nanoTime() - t0) / 1e6;
            List<String> ids = Files.readAllLines(out).stream().map(l -> l.split(";")[0].trim())
                    .filter(l -> !l.isEmpty()).collect(Collectors.toList());
            OUTSTANDING.addAll(ids);
            all.addAll(ids);
            scancel(ids);
            settle();
            if (ids.size() != n || rc != 0) {
                System.out.println("bash loop (rc " + rc + ") submitted " + ids.size() + " of " + n + " jobs: "
                        + Files.readString(err));
            }
        }
        return ms;
    }

    /** Times Submitter.submit of a bundle of n jobs (built untimed); cancels what it submitted. */
    private static double droverRound(SlurmScheduler slurm, Path runsRoot, int n, List<String> all) {
        Bundle bundle = Bundle.named("sbench").addAll(jobs(n, "b"));
        sync();
        long t0 = System.nanoTime();
        SubmittedBundle run = Submitter.submit(bundle, slurm, runsRoot);
        double ms = (System.nanoTime() - t0) / 1e6;
        List<String> ids = new ArrayList<>(run.ids().values());
        OUTSTANDING.addAll(ids);
        all.addAll(ids);
        scancel(ids);
        settle();
        return ms;
    }

    private static List<Job> jobs(int n, String prefix) {
        List<Job> jobs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Job j = Job.named(prefix + i).command("true");
            jobs.add(hold ? j.directive("--hold") : j);
        }
        return jobs;
    }

    // ---- 2 and 3: one array, polls ----

    private static void arrayAndPolls(Path tmp, Map<String, String> real, List<String> individualIds)
            throws IOException {
        System.out.println();
        System.out.println("==== 2. a " + ARRAY_TASKS + "-task sweep as one array (held), through PATH shims ====");
        Path shim = tmp.resolve("shim");
        Files.createDirectories(shim);
        Path log = shim.resolve("calls.log");
        Files.createFile(log);
        for (Map.Entry<String, String> e : real.entrySet()) {
            Path f = shim.resolve(e.getKey());
            Files.writeString(f, "#!/bin/sh\necho " + e.getKey() + " >> '" + log + "'\nexec '" + e.getValue() + "' \"$@\"\n");
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        SlurmScheduler shimmed = SlurmScheduler.builder()
                .shell(LocalShell.withEnvironment(Map.of("PATH", shim + ":" + System.getenv("PATH")))).build();
        CallLog calls = new CallLog(log);

        Bundle bundle = Bundle.named("sbarray").add(Sweep.of(Job.named("s").command("true").directive("--hold"))
                .param("i", IntStream.range(0, ARRAY_TASKS).boxed().collect(Collectors.toList())).asArray());
        long t0 = System.nanoTime();
        SubmittedBundle arr = Submitter.submit(bundle, shimmed, tmp.resolve("array-runs"));
        double submitMs = (System.nanoTime() - t0) / 1e6;
        List<String> taskIds = new ArrayList<>(arr.ids().values());
        String arrayId = taskIds.get(0).substring(0, taskIds.get(0).indexOf('_'));
        OUTSTANDING.add(arrayId);
        Map<String, Integer> submitCalls = calls.since();
        boolean oneSbatch = submitCalls.equals(Map.of("sbatch", 1));
        long distinctArrays = taskIds.stream().map(id -> id.substring(0, id.indexOf('_'))).distinct().count();
        System.out.printf("array %s: %d task ids (%d distinct array id), submitted in %.0f ms; processes: %s -> %s%n",
                arrayId, taskIds.size(), distinctArrays, submitMs, submitCalls, verdict(oneSbatch));
        row("array of " + ARRAY_TASKS + ": scheduler processes for the submit", submitCalls.toString(), "{sbatch=1}",
                verdict(oneSbatch && taskIds.size() == ARRAY_TASKS));
        row("array of " + ARRAY_TASKS + ": submit wall time", String.format("%.0f ms", submitMs), "-", "info");

        System.out.println();
        System.out.println("==== 3. polling " + ARRAY_TASKS + " tracked jobs (the array's task ids), "
                + POLLS + " polls before the array is cancelled, 2 after ====");
        List<Double> wall = new ArrayList<>();
        boolean pollsOk = true;
        List<String> perPoll = new ArrayList<>();
        for (int p = 1; p <= POLLS; p++) {
            PollResult r = poll(shimmed, calls, taskIds, "before cancel, poll " + p);
            wall.add(r.ms);
            pollsOk &= r.ok;
            perPoll.add(r.squeue + "/" + r.sacct);
        }
        Map<String, Integer> cancelCalls;
        shimmed.cancel(List.of(arrayId));
        cancelCalls = calls.since();
        OUTSTANDING.remove(arrayId);
        System.out.println("cancelled array " + arrayId + ": processes " + cancelCalls);
        boolean oneScancel = cancelCalls.equals(Map.of("scancel", 1));
        List<String> after = new ArrayList<>();
        boolean afterOk = true;
        for (int p = 1; p <= 2; p++) {
            PollResult r = poll(shimmed, calls, taskIds, "after cancel, poll " + p);
            afterOk &= r.ok;
            after.add(r.squeue + "/" + r.sacct + String.format(" %.0fms", r.ms));
        }
        double medianPoll = median(wall);
        row("poll 1000 array tasks: squeue/sacct per poll", String.join(" ", perPoll), "1/<=1 each", verdict(pollsOk));
        row("poll 1000 array tasks: wall time of one poll", String.format("%.0f ms median (%s)", medianPoll, list(wall)),
                "-", "info");
        row("cancel the array: scheduler processes", cancelCalls.toString(), "{scancel=1}", verdict(oneScancel));
        row("poll 1000 array tasks after cancel: squeue/sacct", String.join(", ", after), "1/<=1 each", verdict(afterOk));

        // 1,000 distinct (not array) ids: those of section 1, cancelled a moment ago.
        List<String> distinct = individualIds.stream().distinct().limit(ARRAY_TASKS).collect(Collectors.toList());
        if (distinct.size() >= ARRAY_TASKS) {
            System.out.println();
            System.out.println("==== 3b. polling " + distinct.size() + " distinct job ids (section 1's, cancelled) ====");
            PollResult r1 = poll(shimmed, calls, distinct, "distinct ids, poll 1");
            PollResult r2 = poll(shimmed, calls, distinct, "distinct ids, poll 2");
            row("poll 1000 distinct ids: squeue/sacct per poll", r1.squeue + "/" + r1.sacct + " " + r2.squeue + "/" + r2.sacct,
                    "1/<=1 each", verdict(r1.ok && r2.ok));
            row("poll 1000 distinct ids: wall time of one poll", String.format("%.0f ms, %.0f ms", r1.ms, r2.ms), "-", "info");
        } else {
            System.out.println("(only " + distinct.size() + " distinct ids from section 1: distinct-id poll skipped)");
        }
    }

    private record PollResult(double ms, int squeue, int sacct, boolean ok) {}

    private static PollResult poll(SlurmScheduler slurm, CallLog calls, List<String> ids, String what) {
        long t0 = System.nanoTime();
        Map<String, JobStatus> st = slurm.status(ids);
        double ms = (System.nanoTime() - t0) / 1e6;
        Map<String, Integer> c = calls.since();
        int squeue = c.getOrDefault("squeue", 0);
        int sacct = c.getOrDefault("sacct", 0);
        Map<String, Integer> others = new TreeMap<>(c);
        others.remove("squeue");
        others.remove("sacct");
        others.remove("id");   // the user name, looked up once per scheduler
        boolean ok = squeue == 1 && sacct <= 1 && others.isEmpty() && st.size() == ids.size();
        Map<String, Long> states = st.values().stream()
                .collect(Collectors.groupingBy(s -> s.state().toString(), TreeMap::new, Collectors.counting()));
        System.out.printf("  %-28s %7.0f ms  %d ids -> %d statuses %s; processes %s -> %s%n", what, ms, ids.size(),
                st.size(), states, c, verdict(ok));
        return new PollResult(ms, squeue, sacct, ok);
    }

    /** Counts the shims' lines written since the last call. */
    private static final class CallLog {
        private final Path log;
        private int seen;

        CallLog(Path log) {
            this.log = log;
        }

        Map<String, Integer> since() {
            try {
                List<String> lines = Files.readAllLines(log);
                Map<String, Integer> counts = new TreeMap<>();
                for (String l : lines.subList(seen, lines.size())) {
                    counts.merge(l.trim(), 1, Integer::sum);
                }
                seen = lines.size();
                return counts;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Delegates to a shell and keeps the duration of every call, by kind. */
    private static final class TimingShell implements Shell {
        private final Shell delegate;
        final Map<String, List<Long>> calls = new LinkedHashMap<>();

        TimingShell(Shell delegate) {
            this.delegate = delegate;
        }

        private void add(String kind, long t0) {
            calls.computeIfAbsent(kind, k -> new ArrayList<>()).add(System.nanoTime() - t0);
        }

        @Override
        public CommandResult run(List<String> command, Duration timeout) {
            long t0 = System.nanoTime();
            try {
                return delegate.run(command, timeout);
            } finally {
                add("run " + command.get(0), t0);
            }
        }

        @Override
        public void writeFile(Path file, byte[] content) {
            long t0 = System.nanoTime();
            try {
                delegate.writeFile(file, content);
            } finally {
                String name = file.getFileName().toString();
                add("writeFile " + (name.equals(RunDirectory.JOB_RECORD) || name.equals(RunDirectory.SCRIPT)
                        ? name : "(bundle record)"), t0);
            }
        }

        @Override
        public Optional<byte[]> readFile(Path file) {
            return delegate.readFile(file);
        }

        @Override
        public void createDirectories(Path dir) {
            long t0 = System.nanoTime();
            try {
                delegate.createDirectories(dir);
            } finally {
                add("createDirectories", t0);
            }
        }

        @Override
        public String describe() {
            return delegate.describe();
        }
    }

    // ---- helpers ----

    /** One scancel for all these ids (ours only); forgets them. */
    private static void scancel(Collection<String> ids) {
        List<String> list = new ArrayList<>(ids);
        if (list.isEmpty()) {
            return;
        }
        List<String> cmd = new ArrayList<>(List.of("scancel"));
        cmd.addAll(list);
        CommandResult r = LocalShell.create().run(cmd, TIMEOUT);
        if (!r.ok() && !r.stderr().contains("already complet")) {
            System.out.println("scancel of " + list.size() + " ids: " + r.message());
        }
        OUTSTANDING.removeAll(list);
    }

    private static void cancelOutstanding() {
        List<String> left;
        synchronized (OUTSTANDING) {
            left = new ArrayList<>(OUTSTANDING);
        }
        if (!left.isEmpty()) {
            System.out.println("cancelling " + left.size() + " outstanding ids");
            scancel(left);
        }
    }

    private static void settle() {
        try {
            Thread.sleep(SETTLE_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int queueSize() {
        CommandResult r = LocalShell.create().run(List.of("squeue", "-h", "-o", "%i"), TIMEOUT);
        return r.ok() ? (int) r.stdout().lines().filter(l -> !l.isBlank()).count() : -1;
    }

    private static void sync() {
        LocalShell.create().run(List.of("sync"), TIMEOUT);
    }

    private static double time(Runnable r) {
        long t0 = System.nanoTime();
        r.run();
        return (System.nanoTime() - t0) / 1e6 / JOBS;
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private static void io(IoAction a) {
        try {
            a.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private static String list(List<Double> xs) {
        return xs.stream().map(x -> String.format("%.0f", x)).collect(Collectors.joining(", "));
    }

    private static String verdict(boolean pass) {
        if (!pass) {
            allPass = false;
        }
        return pass ? "PASS" : "FAIL";
    }

    private static void row(String figure, String value, String target, String result) {
        SUMMARY.add(new String[] {figure, value, target, result});
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.out.println("could not delete " + dir + ": " + e.getMessage());
        }
    }
}
