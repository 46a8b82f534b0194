package org.drover.examples.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.drover.Bundle;
import org.drover.BundlePlan;
import org.drover.Job;

/**
 * Cost of planning, saving and loading a large bundle: {@value #JOBS} jobs with exactly
 * {@value #EDGES} dependency edges, added in shuffled order.
 *
 * <p>The graph is a DAG by construction: job {@code i} depends on distinct earlier jobs drawn by a
 * seeded {@link Random} from {@code i-1000 .. i-1}. Jobs 0, 1 and 2 have 0, 1 and 2 dependencies,
 * every later job 3, and as many randomly chosen later jobs as needed get a 4th so that the total
 * is exactly {@value #EDGES}. The jobs are then shuffled (same seed) before being added, so the
 * planner cannot profit from insertion order.
 *
 * <p>Measured, each after {@value #WARMUP} warm-up iterations, over {@value #MEASURED} iterations,
 * min and median reported:
 * <ul>
 *   <li>{@code plan}: {@link Bundle#plan()}: dependency resolution, validation, topological order.
 *       Target: median below {@value #PLAN_TARGET_MS} ms. Also shown: the CPU time of the calling
 *       thread during plan (without GC threads), which shows how much of the wall time is waiting
 *       for a loaded machine or for GC pauses.</li>
 *   <li>{@code save}: {@link Bundle#save(Path)} to a temporary directory (JSON, fsync, rename).</li>
 *   <li>{@code load}: {@link Bundle#load(Path)} of that file (JSON parse and full validation).</li>
 *   <li>{@code save+load}: the two of one iteration together. Target: median below
 *       {@value #SAVE_LOAD_TARGET_MS} ms.</li>
 * </ul>
 * Exits 1 when a target is missed.
 *
 * <pre>
 * mvn -q install -DskipTests
 * mvn -q dependency:build-classpath -pl examples -Dmdep.outputFile=cp.txt
 * java -cp examples/target/classes:$(cat examples/cp.txt) org.drover.examples.bench.BundleBenchmark
 * </pre>
 */
public final class BundleBenchmark {
    static final int JOBS = 100_000;
    static final int EDGES = 300_000;
    static final int WINDOW = 1000;
    static final int WARMUP = 3;
    static final int MEASURED = 5;
    static final long PLAN_TARGET_MS = 500;
    static final long SAVE_LOAD_TARGET_MS = 2000;
    private static final long SEED = 20_261_125L;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private BundleBenchmark() {}

    public static void main(String[] args) throws IOException {
        System.out.printf("BundleBenchmark: %,d jobs, %,d edges, shuffled; %d warm-up + %d measured iterations; "
                        + "%d cpus; load average %.2f; java %s; max heap %s; gc %s%n",
                JOBS, EDGES, WARMUP, MEASURED, Runtime.getRuntime().availableProcessors(),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                System.getProperty("java.version"), mb(Runtime.getRuntime().maxMemory()), collectors());

        long t0 = System.nanoTime();
        List<Job> jobs = jobs();
        Bundle bundle = Bundle.named("bench").addAll(jobs);
        System.out.printf("built the bundle in %.0f ms; heap used after build: %s%n",
                (System.nanoTime() - t0) / 1e6, mb(usedHeapAfterGc()));

        BundlePlan check = bundle.plan();
        int edges = check.graph().edgeSet().size();
        if (check.size() != JOBS || edges != EDGES) {
            throw new IllegalStateException("expected " + JOBS + " jobs and " + EDGES + " edges, planned "
                    + check.size() + " jobs and " + edges + " edges");
        }
        check = null;   // not kept alive during the measurements

        Path dir = Files.createTempDirectory("drover-bundle-bench");
        boolean ok;
        try {
            double[] plan = new double[MEASURED];
            double[] planCpu = new double[MEASURED];
            double[] save = new double[MEASURED];
            double[] load = new double[MEASURED];
            double[] saveLoad = new double[MEASURED];
            long fileSize = 0;
            for (int i = -WARMUP; i < MEASURED; i++) {
                long cpu0 = THREADS.getCurrentThreadCpuTime();
                long a = System.nanoTime();
                BundlePlan p = bundle.plan();
                long b = System.nanoTime();
                long cpu1 = THREADS.getCurrentThreadCpuTime();
                Path file = bundle.save(dir);
                long c = System.nanoTime();
                Bundle loaded = Bundle.load(file);
                long d = System.nanoTime();
                if (p.size() != JOBS || loaded.size() != JOBS) {
                    throw new IllegalStateException("wrong size");
                }
                if (i == -WARMUP && !loaded.equals(bundle)) {
                    throw new IllegalStateException("the loaded bundle differs from the saved one");
                }
                fileSize = Files.size(file);
                Files.delete(file);
                String label = i < 0 ? "warm-up " + (i + WARMUP + 1) : "iteration " + (i + 1);
                System.out.printf("%-12s plan %7.1f ms (thread cpu %6.1f)   save %7.1f ms   load %7.1f ms%n",
                        label, (b - a) / 1e6, (cpu1 - cpu0) / 1e6, (c - b) / 1e6, (d - c) / 1e6);
                if (i >= 0) {
                    plan[i] = (b - a) / 1e6;
                    planCpu[i] = (cpu1 - cpu0) / 1e6;
                    save[i] = (c - b) / 1e6;
                    load[i] = (d - c) / 1e6;
                    saveLoad[i] = (d - b) / 1e6;
                }
            }

            System.out.println();
            System.out.printf("record size %s%n", mb(fileSize));
            System.out.printf("heap used after gc: %s; peak heap used (sum of pool peaks): %s%n",
                    mb(usedHeapAfterGc()), mb(peakHeap()));
            System.out.println();
            System.out.printf("%-10s %10s %10s %10s  %s%n", "what", "min ms", "median ms", "target", "result");
            boolean planOk = row("plan", plan, PLAN_TARGET_MS);
            row("plan cpu", planCpu, -1);
            row("save", save, -1);
            row("load", load, -1);
            boolean saveLoadOk = row("save+load", saveLoad, SAVE_LOAD_TARGET_MS);
            ok = planOk && saveLoadOk;
        } finally {
            try (Stream<Path> left = Files.list(dir)) {
                left.forEach(BundleBenchmark::deleteQuietly);
            }
            Files.deleteIfExists(dir);
        }
        if (!ok) {
            System.exit(1);   // after the finally block: the temporary directory is gone
        }
    }

    /** The jobs, in shuffled order. */
    static List<Job> jobs() {
        Random random = new Random(SEED);
        int[] counts = new int[JOBS];
        long total = 0;
        for (int i = 0; i < JOBS; i++) {
            counts[i] = Math.min(i, 3);
            total += counts[i];
        }
        // Top up to exactly EDGES with a 4th dependency on distinct random jobs that have room for it.
        Set<Integer> extra = new HashSet<>();
        while (total + extra.size() < EDGES) {
            extra.add(4 + random.nextInt(JOBS - 4));
        }
        extra.forEach(i -> counts[i]++);

        List<Job> jobs = new ArrayList<>(JOBS);
        for (int i = 0; i < JOBS; i++) {
            int low = Math.max(0, i - WINDOW);
            Set<Integer> picked = new HashSet<>();
            while (picked.size() < counts[i]) {
                picked.add(low + random.nextInt(i - low));
            }
            String[] deps = picked.stream().sorted().map(BundleBenchmark::name).toArray(String[]::new);
            jobs.add(Job.named(name(i)).command("run", "--step", Integer.toString(i)).dependsOn(deps));
        }
        Collections.shuffle(jobs, random);
        return jobs;
    }

    private static String name(int i) {
        return "job_" + i;
    }

    private static boolean row(String what, double[] ms, long targetMs) {
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        double median = sorted[sorted.length / 2];
        boolean ok = targetMs < 0 || median < targetMs;
        System.out.printf("%-10s %10.1f %10.1f %10s  %s%n", what, sorted[0], median,
                targetMs < 0 ? "-" : "< " + targetMs, targetMs < 0 ? "" : ok ? "PASS" : "FAIL");
        return ok;
    }

    private static String collectors() {
        List<String> names = new ArrayList<>();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            names.add(gc.getName());
        }
        return String.join(", ", names);
    }

    private static long usedHeapAfterGc() {
        System.gc();
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    private static long peakHeap() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak;
    }

    private static String mb(long bytes) {
        return String.format("%.1f MB", bytes / (1024.0 * 1024.0));
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
