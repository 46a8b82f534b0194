package org.drover.examples.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.drover.Bundle;
import org.drover.Job;
import org.drover.local.LocalScheduler;
import org.drover.run.SubmittedBundle;
import org.drover.run.Submitter;
import org.drover.scheduler.JobState;
import org.drover.scheduler.JobStatus;

/**
 * Throughput of the {@link LocalScheduler} for many trivial jobs, against
 * {@code xargs -P <slots>} as the baseline, measured side by side in the same run and alternating
 * (warm-up of each, then xargs, drover, xargs, drover, ...) so that a change of machine load
 * affects both alike.
 *
 * <ul>
 *   <li>xargs: {@code printf 'true\n%.0s' $(seq N) | xargs -P 2 -n 1 sh -c}, run with
 *       {@code bash -c}; the whole pipeline is timed.</li>
 *   <li>drover: a bundle of N independent jobs {@code Job.named("t_"+i).command("true")},
 *       submitted to a fresh {@code LocalScheduler.builder().cpus(2).build()} under a fresh runs
 *       directory; timed from just before {@link Submitter#submit} until every job is terminal.
 *       Building the bundle and the scheduler and deleting the run directory are outside the
 *       timed region. Every job must end COMPLETED.</li>
 * </ul>
 *
 * Prints the time of each round, the median of each side and the ratio of the medians
 * drover/xargs against the target {@value #TARGET}; exits 1 when the ratio is above it (and with
 * an exception when a job did not end COMPLETED). Other load on the machine inflates the short
 * xargs rounds most, so run it on a quiet machine, more than once.
 *
 * <p>System properties: {@code bench.jobs} (1000), {@code bench.slots} (2), {@code bench.rounds}
 * (5), {@code bench.dir} (parent of the temporary runs directories; the default temp dir).
 *
 * <pre>
 * mvn -q install -DskipTests
 * mvn -q dependency:build-classpath -pl examples -Dmdep.outputFile=/tmp/cp.txt
 * java -cp examples/target/classes:$(cat /tmp/cp.txt) org.drover.examples.bench.LocalThroughputBenchmark
 * </pre>
 */
public final class LocalThroughputBenchmark {
    static final double TARGET = 1.30;

    private static final int JOBS = Integer.getInteger("bench.jobs", 1000);
    private static final int SLOTS = Integer.getInteger("bench.slots", 2);
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 5);
    private static final long POLL_MILLIS = 5;

    private LocalThroughputBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path base = Path.of(System.getProperty("bench.dir", System.getProperty("java.io.tmpdir")));
        Files.createDirectories(base);
        System.out.printf("LocalThroughputBenchmark: %d trivial jobs, %d slots, %d rounds after 1 warm-up; "
                        + "%d cpus; java %s; launchMechanism=%s; runs under %s%n",
                JOBS, SLOTS, ROUNDS, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                System.getProperty("jdk.lang.Process.launchMechanism", "(default)"), base);

        System.out.printf("warm-up  xargs  %8.1f ms%n", xargs());
        System.out.printf("warm-up  drover %8.1f ms%n", drover(base));

        double[] x = new double[ROUNDS];
        double[] d = new double[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            x[r] = xargs();
            d[r] = drover(base);
            System.out.printf("round %d  xargs  %8.1f ms   drover %8.1f ms   ratio %.2f%n",
                    r + 1, x[r], d[r], d[r] / x[r]);
        }
        double mx = median(x);
        double md = median(d);
        double ratio = md / mx;
        boolean pass = ratio <= TARGET;
        System.out.printf("median   xargs  %8.1f ms (%.0f jobs/s)   drover %8.1f ms (%.0f jobs/s)%n",
                mx, JOBS * 1000 / mx, md, JOBS * 1000 / md);
        double[] paired = new double[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            paired[r] = d[r] / x[r];
        }
        System.out.printf("median of the per-round ratios %.2f (for information: less sensitive to load that comes and goes)%n",
                median(paired));
        System.out.printf("ratio drover/xargs = %.2f (target <= %.2f): %s%n", ratio, TARGET, pass ? "PASS" : "FAIL");
        System.exit(pass ? 0 : 1);
    }

    /** One xargs round, in milliseconds. */
    static double xargs() throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c",
                "printf 'true\\n%.0s' $(seq " + JOBS + ") | xargs -P " + SLOTS + " -n 1 sh -c");
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        long t0 = System.nanoTime();
        Process p = pb.start();
        int rc = p.waitFor();
        long t1 = System.nanoTime();
        if (rc != 0) {
            throw new IllegalStateException("xargs pipeline exited with " + rc);
        }
        return (t1 - t0) / 1e6;
    }

    /** One drover round, in milliseconds; fails unless every job ended COMPLETED. */
    static double drover(Path base) throws IOException {
        Bundle bundle = Bundle.named("bench");
        for (int i = 0; i < JOBS; i++) {
            bundle.add(Job.named("t_" + i).command("true"));
        }
        Path runs = Files.createTempDirectory(base, "drover-bench-");
        try (LocalScheduler local = LocalScheduler.builder().cpus(SLOTS).build()) {
            long t0 = System.nanoTime();
            SubmittedBundle run = Submitter.submit(bundle, local, runs);
            awaitAllTerminal(local, run);
            long t1 = System.nanoTime();
            verify(run.statuses());
            return (t1 - t0) / 1e6;
        } finally {
            deleteTree(runs);
        }
    }

    /**
     * Waits until every job is terminal. Cheap: each poll asks the scheduler only about the jobs not
     * yet seen terminal, so the scheduler's lock is held briefly and less each time.
     */
    private static void awaitAllTerminal(LocalScheduler local, SubmittedBundle run) {
        List<String> remaining = new ArrayList<>(run.ids().values());
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (!remaining.isEmpty()) {
            Map<String, JobStatus> now = local.status(remaining);
            remaining.removeIf(id -> now.get(id).state().isTerminal());
            if (remaining.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(remaining.size() + " jobs still not terminal after 5 minutes");
            }
            try {
                TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    private static void verify(Map<String, JobStatus> statuses) {
        if (statuses.size() != JOBS) {
            throw new IllegalStateException("expected " + JOBS + " jobs, got " + statuses.size());
        }
        List<String> bad = new ArrayList<>();
        statuses.forEach((name, s) -> {
            if (s.state() != JobState.COMPLETED) {
                bad.add(name + "=" + s.state() + " (exit " + s.exitCode() + ", " + s.reason() + ")");
            }
        });
        if (!bad.isEmpty()) {
            throw new IllegalStateException(bad.size() + " of " + JOBS + " jobs did not end COMPLETED, e.g. "
                    + bad.subList(0, Math.min(5, bad.size())));
        }
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    private static void deleteTree(Path root) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    if (e != null) {
                        throw e;
                    }
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }
}
