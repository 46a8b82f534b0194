package org.drover.examples.bench;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.drover.Bundle;
import org.drover.Job;
import org.drover.run.AttemptRecord;
import org.drover.run.RunManager;
import org.drover.run.RunRecord;
import org.drover.run.RunReport;
import org.drover.run.RunStore;
import org.drover.run.TaskRecord;
import org.drover.run.TaskState;
import org.drover.scheduler.JobStatus;
import org.drover.scheduler.Scheduler;
import org.drover.scheduler.Submission;
import org.drover.shell.CommandResult;
import org.drover.shell.LocalShell;
import org.drover.shell.Shell;
import org.drover.testing.InMemoryScheduler;

/**
 * Cost of the {@link RunManager} itself for 100,000 ({@code bench.tasks}) independent tasks
 * ({@code Job.named("t"+i).command("true")}, one bundle) on the {@link InMemoryScheduler} (real
 * state, one batched status call per poll, never runs a process), driven with
 * {@link RunManager#step()}.
 *
 * <p>Every scheduler, shell and store call is timed by a thin wrapper so that a step splits into
 * <ul>
 *   <li>{@code shell}: the submission I/O through {@link LocalShell} (attempt directory and
 *       {@code job.json}), plus in the first step the bundle record;</li>
 *   <li>{@code store}: {@link RunStore#save}; the in-memory store is used for (a), so this is ~0, but
 *       building the {@link RunRecord} that step() hands to it is not: it stays in the cycle (each
 *       task's record is the manager's own immutable state, so building it gathers references, and
 *       every change made during the step, a new record per changed task, is in the cycle too);</li>
 *   <li>{@code status}: the InMemoryScheduler's batched status call (its simulation, O(ids asked + jobs
 *       running) per call, is the stand-in for squeue). It answers with a map over an array by job
 *       id; {@code -Dbench.hashMapAnswers=true} makes it answer with a {@code HashMap}, as a parser
 *       of squeue output would, whose 100,000-entry table G1 keeps as a "humongous" object (see
 *       {@code InMemoryScheduler}): run it both ways to see that cost;</li>
 *   <li>{@code cycle} = step - shell - store: the poll-and-decide cycle; {@code manager} = cycle -
 *       status - submit calls; {@code gc}: collector pauses inside the step (GC MXBeans), already
 *       part of the other figures.</li>
 * </ul>
 *
 * <p>Phases, all in one JVM (run it with {@code -Xmx256m}):
 * <ol>
 *   <li>warm-up: a {@value #WARMUP_TASKS}-task run with the steady-state configuration, to the end;</li>
 *   <li>(a1) steady state: {@code maxSimultaneousJobs(10_000)}, {@code InMemoryScheduler(3_334 slots,
 *       1 tick)}: every poll sees 10,000 active attempts, of which the 3,334 that ran end and 3,334
 *       pending ones start, and as many new ones are submitted. (With 10,000 slots and 3 ticks all
 *       10,000 would start and end in lock-step, one wave every 4 polls, not a steady state.) All the
 *       steady steps there are with 100,000 tasks are reported (min/median/max); a record()
 *       is timed in the middle, since step() builds one or two per step;</li>
 *   <li>(a2) all active: {@code maxSimultaneousJobs(100_000)}, {@code InMemoryScheduler(100_000
 *       slots, } {@value #ALL_TICKS} {@code ticks)}: step 1 submits all (submission cost, reported
 *       with its per-task cost), step 2 sees all 100,000 go PENDING -> RUNNING, then quiet polls of
 *       100,000 running attempts, then one step in which all 100,000 end. The two steps in which
 *       all change happen once per run, so (a2) is run {@code bench.a2Runs} (3) times and they are
 *       judged by their median over the runs (each run's figure is printed); the last run is the
 *       one printed step by step and measured further in (b) and (c);</li>
 *   <li>(b) heap: used heap after {@code System.gc()} (x3) with the (a2) manager live and all
 *       100,000 tasks active (and again in (a1)'s steady state and after (a2) ended); the figure
 *       includes the bundle, the simulator's 100,000 jobs, and the manager (its task records, which
 *       the in-memory store's last record shares); once ended it is split into bundle, simulator and
 *       manager by dropping them one by one;</li>
 *   <li>(c) store: after (a2) ended (every task has one attempt with PENDING, RUNNING, COMPLETED),
 *       {@code manager.record()}, the same 100,000 task records built anew with the record
 *       constructors (what a full copy of the state would cost, for comparison), and
 *       {@code RunStore.json(file).save(manager.record())}, each 2 warm-up
 *       + 5 measured; median, and the file size. If the save runs out of heap with the manager live
 *       (it does with -Xmx256m), that is reported as a failure and the save is timed again with
 *       only the bundle and the record live.</li>
 * </ol>
 * Exits 1 when a target is missed.
 *
 * <p>System properties: {@code bench.tasks} (100000), {@code bench.dir} (parent of the temporary
 * runs directories and of the store file; the default temp dir: put it on the disk to be measured,
 * the submission I/O and the store fsync depend on it), {@code bench.a2Runs} (3),
 * {@code bench.hashMapAnswers} (false: see {@code status} above).
 *
 * <pre>
 * mvn -q install -DskipTests
 * mvn -q dependency:build-classpath -pl examples -Dmdep.outputFile=/tmp/cprm.txt
 * java -Xmx256m -cp examples/target/classes:$(cat /tmp/cprm.txt) org.drover.examples.bench.RunManagerBenchmark
 * </pre>
 */
public final class RunManagerBenchmark {
    static final int TASKS = Integer.getInteger("bench.tasks", 100_000);
    static final boolean HASH_MAP_ANSWERS = Boolean.getBoolean("bench.hashMapAnswers");
    static final int WARMUP_TASKS = 30_000;
    static final int STEADY_ACTIVE = 10_000;
    static final int STEADY_SLOTS = 3_334;
    static final int STEADY_TICKS = 1;
    static final int ALL_TICKS = 20;
    static final int A2_RUNS = Integer.getInteger("bench.a2Runs", 3);
    static final int SAVE_WARMUP = 2;
    static final int SAVES = 5;
    static final double CYCLE_TARGET_MS = 50;
    static final long HEAP_TARGET_MB = 256;
    static final double SAVE_TARGET_MS = 300;
    private static final Path PARENT = Path.of(System.getProperty("bench.dir", System.getProperty("java.io.tmpdir")));

    private RunManagerBenchmark() {}

    public static void main(String[] args) throws IOException {
        if (TASKS < STEADY_ACTIVE) {
            throw new IllegalArgumentException("bench.tasks must be at least " + STEADY_ACTIVE);
        }
        // No progress lines between the measurements (slf4j-simple reads this when the first logger is made).
        System.setProperty("org.slf4j.simpleLogger.log.org.drover", "warn");
        Runtime rt = Runtime.getRuntime();
        System.out.printf("RunManagerBenchmark: %,d tasks; %d cpus; java %s; max heap %s; runs and store under %s; "
                        + "load average %s%n", TASKS, rt.availableProcessors(), System.getProperty("java.version"),
                mb(rt.maxMemory()), PARENT, loadAverage());
        long heapBase = usedHeapAfterGc();
        Bundle bundle = bundle("bench", TASKS);
        long heapBundle = usedHeapAfterGc();
        System.out.printf("heap after gc: %s before the bundle, %s with the bundle of %,d jobs%n",
                mb(heapBase), mb(heapBundle), TASKS);
        List<Row> rows = new ArrayList<>();
        // One method per phase: nothing of a finished phase stays reachable from main's frame.
        warmUp();
        long heapSteady = steadyState(bundle, rows);
        long[] heapA2 = allActive(bundle, rows);
        long heapAllActive = heapA2[0];
        long heapEnded = heapA2[1];
        long heapMax = Math.max(heapAllActive, Math.max(heapSteady, heapEnded));
        rows.add(new Row("(b) heap used after gc, 100k active (a2)", heapAllActive / 1048576.0, "MB", HEAP_TARGET_MB,
                "max heap " + mb(rt.maxMemory())));
        rows.add(new Row("(b) heap used after gc, worst of (a1)/(a2)/ended", heapMax / 1048576.0, "MB", HEAP_TARGET_MB,
                "a1 " + mb(heapSteady) + ", ended " + mb(heapEnded)));

        System.out.printf("%nload average at the end: %s%n", loadAverage());
        System.out.printf("%n%-52s %10s %10s  %-6s %s%n", "what", "value", "target", "result", "note");
        boolean ok = true;
        for (Row r : rows) {
            ok &= r.print();
        }
        if (!ok) {
            System.exit(1);
        }
    }

    /** A run of the steady-state configuration to the end, for the JIT. */
    static void warmUp() throws IOException {
        System.out.printf("%nwarm-up: %,d tasks, steady-state configuration, to the end%n", WARMUP_TASKS);
        Bench w = new Bench(bundle("warmup", WARMUP_TASKS), STEADY_ACTIVE, STEADY_SLOTS, STEADY_TICKS);
        long t0 = System.nanoTime();
        List<Sample> s = w.runToEnd(false, null);
        System.out.printf("warm-up: %d steps in %.1f s (%.1f s of it shell I/O)%n", s.size(),
                (System.nanoTime() - t0) / 1e9, s.stream().mapToDouble(x -> x.shellMs).sum() / 1e3);
        w.close();
    }

    /** (a1); returns the heap used after gc in the middle of it. */
    static long steadyState(Bundle bundle, List<Row> rows) throws IOException {
        System.out.printf("%n(a1) steady state: maxSimultaneousJobs(%,d), InMemoryScheduler(%,d slots, %d tick), "
                + "RunStore.inMemory()%n", STEADY_ACTIVE, STEADY_SLOTS, STEADY_TICKS);
        Bench a1 = new Bench(bundle, STEADY_ACTIVE, STEADY_SLOTS, STEADY_TICKS);
        long[] heapAt = {0};
        double[] recordMs = {0};
        List<Sample> all = a1.runToEnd(true, (step, m) -> {
            if (step == 15) {
                heapAt[0] = usedHeapAfterGc();
                recordMs[0] = timeRecord(m, 3);
                System.out.printf("   (after step 15: heap used after gc %s; record() of the %,d tasks %.1f ms, "
                        + "median of 3)%n", mb(heapAt[0]), TASKS, recordMs[0]);
            }
        });
        List<Sample> steady = new ArrayList<>();
        for (Sample x : all) {
            if (x.polled == STEADY_ACTIVE && x.ended > 0 && x.submitted > 0) {
                steady.add(x);
            }
        }
        System.out.printf("%d steps, %d of them steady (polled %,d, ended > 0, submitted > 0); "
                + "first step (initialize + %,d submissions): %.0f ms, of which shell I/O %.0f ms%n",
                all.size(), steady.size(), STEADY_ACTIVE, all.get(0).submitted, all.get(0).totalMs,
                all.get(0).shellMs);
        stats("(a1) steady step, whole step() incl. submission I/O", steady, x -> x.totalMs);
        stats("(a1) steady step, shell I/O (" + STEADY_SLOTS + " submissions)", steady, x -> x.shellMs);
        stats("(a1) steady step, scheduler.status()", steady, x -> x.statusMs);
        stats("(a1) steady step, manager only (cycle - status - submit)", steady, x -> x.managerMs());
        stats("(a1) steady step, GC pauses within the step", steady, x -> x.gcMs);
        rows.add(stats("(a1) steady step, cycle (step - shell - store)", steady, x -> x.cycleMs())
                .withTarget(CYCLE_TARGET_MS));
        rows.add(new Row("(a1) record() of 100k tasks (step builds 1-2)", recordMs[0], "ms", -1, "median of 3"));
        a1.close();
        return heapAt[0];
    }

    /** (a2), then (c) on its finished manager; returns the heap used after gc with all active, and once ended. */
    static long[] allActive(Bundle bundle, List<Row> rows) throws IOException {
        System.out.printf("%n(a2) all active: maxSimultaneousJobs(%,d), InMemoryScheduler(%,d slots, %d ticks), "
                + "RunStore.inMemory(); %d runs, the last one printed step by step%n", TASKS, TASKS, ALL_TICKS, A2_RUNS);
        // The two steps in which all 100,000 change are one sample per run: earlier runs add samples.
        List<Sample> startedRuns = new ArrayList<>();
        List<Sample> endedRuns = new ArrayList<>();
        List<Sample> quiet = new ArrayList<>();
        for (int run = 1; run < A2_RUNS; run++) {
            Bench b = new Bench(bundle, TASKS, TASKS, ALL_TICKS);
            List<Sample> all = b.runToEnd(false, null);
            startedRuns.add(all.get(1));
            endedRuns.add(all.get(all.size() - 1));
            quiet.addAll(quietSteps(all));
            System.out.printf("run %d: all PENDING->RUNNING: cycle %.1f ms; all end: cycle %.1f ms%n", run,
                    all.get(1).cycleMs(), all.get(all.size() - 1).cycleMs());
            b.close();
        }
        Bench a2 = new Bench(bundle, TASKS, TASKS, ALL_TICKS);
        long[] heapAt = {0};
        double[] recordActiveMs = {0};
        List<Sample> all = a2.runToEnd(true, (step, m) -> {
            if (step == 2) {
                heapAt[0] = usedHeapAfterGc();
                recordActiveMs[0] = timeRecord(m, 3);
                System.out.printf("   (after step 2, all %,d active and RUNNING: heap used after gc %s; record() %.1f ms, "
                        + "median of 3)%n", TASKS, mb(heapAt[0]), recordActiveMs[0]);
            }
        });
        Sample first = all.get(0);
        startedRuns.add(all.get(1));
        endedRuns.add(all.get(all.size() - 1));
        quiet.addAll(quietSteps(all));
        System.out.printf("first step: initialize + %,d submissions: %.1f s; shell I/O %.1f s (%.3f ms per task), "
                        + "the rest %.0f ms%n", first.submitted, first.totalMs / 1e3, first.shellMs / 1e3,
                first.shellMs / Math.max(1, first.submitted), first.totalMs - first.shellMs);
        rows.add(new Row("(a2) first step: initialize + submit 100k (total)", first.totalMs, "ms", -1, ""));
        rows.add(new Row("(a2) first step: per task (total / tasks)", first.totalMs / Math.max(1, first.submitted),
                "ms", -1, ""));
        rows.add(new Row("(a2) first step: shell I/O per task", first.shellMs / Math.max(1, first.submitted),
                "ms", -1, "attempt dir + job.json"));
        rows.add(perRun("(a2) step, 100k active, all PENDING->RUNNING: cycle", startedRuns));
        rows.add(stats("(a2) step, 100k active, no change: cycle", quiet, x -> x.cycleMs())
                .withTarget(CYCLE_TARGET_MS));
        stats("(a2) step, 100k active, no change: scheduler.status()", quiet, x -> x.statusMs);
        stats("(a2) step, 100k active, no change: manager only", quiet, x -> x.managerMs());
        stats("(a2) step, 100k active, no change: GC pauses within the step", quiet, x -> x.gcMs);
        rows.add(perRun("(a2) step, 100k active, all end (run ends): cycle", endedRuns));
        rows.add(new Row("(a2) record(), 100k active (step 2 builds 1)", recordActiveMs[0], "ms", -1, "median of 3"));
        double[] reportMs = new double[3];
        RunReport end = null;
        for (int i = 0; i < reportMs.length; i++) {
            long t0 = System.nanoTime();
            end = a2.manager.report();
            reportMs[i] = (System.nanoTime() - t0) / 1e6;
        }
        System.out.printf("report() of the ended run (the last step builds one): %.1f ms, median of 3%n",
                median(reportMs));
        long completed = end.rows().stream().filter(r -> r.state() == TaskState.COMPLETED).count();
        end = null;   // not live during the heap measurement and the saves
        if (completed != TASKS) {
            throw new IllegalStateException("expected " + TASKS + " COMPLETED tasks, got " + completed);
        }
        long heapEnded = usedHeapAfterGc();
        System.out.printf("ended: %,d tasks COMPLETED; heap used after gc %s%n", completed, mb(heapEnded));

        storeSave(a2, rows);
        if (a2.manager != null) {
            // Who holds the heap: drop the manager (and the in-memory store, whose record shares its records), then
            // the simulator.
            a2.manager = null;
            a2.store = null;
            long withoutManager = usedHeapAfterGc();
            a2.scheduler = null;
            long bundleOnly = usedHeapAfterGc();
            System.out.printf("%nheap after gc once ended: %s = bundle and the rest %s + InMemoryScheduler %s "
                            + "+ manager with its task records %s%n", mb(heapEnded), mb(bundleOnly),
                    mb(withoutManager - bundleOnly), mb(heapEnded - withoutManager));
            a2.close();
        }
        return new long[] {heapAt[0], heapEnded};
    }

    /** The steps of an (a2) run in which 100,000 running attempts were polled and nothing changed. */
    static List<Sample> quietSteps(List<Sample> run) {
        List<Sample> quiet = new ArrayList<>();
        for (int i = 2; i < run.size(); i++) {
            Sample x = run.get(i);
            if (x.polled == TASKS && x.ended == 0 && x.submitted == 0) {
                quiet.add(x);
            }
        }
        return quiet;
    }

    /** A step that happens once per run, judged by its median over the runs; each run's figures in the note. */
    static Row perRun(String what, List<Sample> runs) {
        double[] cycles = runs.stream().mapToDouble(Sample::cycleMs).toArray();
        StringBuilder note = new StringBuilder("median of " + runs.size() + " runs:");
        for (Sample x : runs) {
            note.append(String.format(" %.1f (status %.1f, gc %d)", x.cycleMs(), x.statusMs, x.gcMs));
        }
        return new Row(what, median(cycles), "ms", CYCLE_TARGET_MS, note.toString());
    }

    /**
     * (c) on the ended (a2) run: record() alone, then {@code RunStore.json(file).save(manager.record())}
     * with the manager live. If that runs out of heap (run with -Xmx256m), the save is timed again
     * with only the bundle and the record live, and the out-of-memory is reported as a failure.
     */
    static void storeSave(Bench a2, List<Row> rows) throws IOException {
        System.out.printf("%n(c) store: record() and RunStore.json(file).save(record), %d warm-up + %d measured%n",
                SAVE_WARMUP, SAVES);
        double[] rec = new double[SAVES];
        double[] rebuild = new double[SAVES];
        for (int i = -SAVE_WARMUP; i < SAVES; i++) {
            long a = System.nanoTime();
            RunRecord r = a2.manager.record();
            long b = System.nanoTime();
            RunRecord copy = rebuild(r);
            long c = System.nanoTime();
            if (copy.tasks().size() != r.tasks().size() || !copy.tasks().get(0).equals(r.tasks().get(0))) {
                throw new IllegalStateException("the rebuilt record differs");
            }
            System.out.printf("   %-10s record() %7.1f ms   the same %,d task records built anew %7.1f ms%n",
                    i < 0 ? "warm-up" : "#" + (i + 1), (b - a) / 1e6, r.tasks().size(), (c - b) / 1e6);
            if (i >= 0) {
                rec[i] = (b - a) / 1e6;
                rebuild[i] = (c - b) / 1e6;
            }
        }
        rows.add(new Row("(c) manager.record(), nothing changed since last", median(rec), "ms", -1,
                "median of " + SAVES));
        long before = usedHeapAfterGc();
        RunRecord copy = rebuild(a2.manager.record());
        long with = usedHeapAfterGc();
        System.out.printf("   a second set of the %,d task records (a full copy of the manager's state) takes %s%n",
                copy.tasks().size(), mb(with - before));
        copy = null;
        rows.add(new Row("(c) 100k task records built anew (a full copy)", median(rebuild), "ms", -1,
                "median of " + SAVES + "; for comparison: record() shares the manager's records"));

        Path storeDir = Files.createTempDirectory(PARENT, "drover-rm-store");
        try {
            Path file = storeDir.resolve("store.json");
            RunStore json = RunStore.json(file);
            double[] live = timeSaves(json, () -> a2.manager.record());
            if (live != null) {
                long size = Files.size(file);
                System.out.printf("store file %s: %s (%,d bytes, %,d bytes per task)%n", file.getFileName(), mb(size),
                        size, size / TASKS);
                rows.add(new Row("(c) RunStore.json(file).save(manager.record())", median(live), "ms", SAVE_TARGET_MS,
                        "median of " + SAVES + "; file " + mb(size)));
            } else {
                RunRecord only = a2.manager.record();
                a2.close();   // drops the manager, the simulator and the in-memory store
                System.out.printf("   OutOfMemoryError with the manager live (max heap %s); again with only the bundle "
                        + "and the record live, heap used after gc %s%n", mb(Runtime.getRuntime().maxMemory()),
                        mb(usedHeapAfterGc()));
                double[] alone = timeSaves(json, () -> only);
                long size = Files.exists(file) ? Files.size(file) : 0;
                rows.add(new Row("(c) RunStore.json(file).save(manager.record())", Double.NaN, "ms", SAVE_TARGET_MS,
                        "OutOfMemoryError with the manager live (max heap " + mb(Runtime.getRuntime().maxMemory())
                                + ")"));
                rows.add(new Row("(c) ... the same save, only the record live", alone == null ? Double.NaN
                        : median(alone), "ms", SAVE_TARGET_MS, (alone == null ? "OutOfMemoryError again"
                        : "median of " + SAVES) + "; file " + mb(size)));
            }
        } finally {
            deleteTree(storeDir);
        }
    }

    /** The save times after warm-up, or null if a save ran out of heap. */
    static double[] timeSaves(RunStore json, Supplier<RunRecord> record) {
        double[] ms = new double[SAVES];
        try {
            for (int i = -SAVE_WARMUP; i < SAVES; i++) {
                RunRecord r = record.get();
                long a = System.nanoTime();
                json.save(r);
                long b = System.nanoTime();
                System.out.printf("   %-10s save %7.1f ms%n", i < 0 ? "warm-up" : "#" + (i + 1), (b - a) / 1e6);
                if (i >= 0) {
                    ms[i] = (b - a) / 1e6;
                }
            }
            return ms;
        } catch (OutOfMemoryError e) {
            System.out.printf("   save: %s%n", e);
            return null;
        }
    }

    /** A deep copy built with the record constructors: what a snapshot that copied the state would cost. */
    static RunRecord rebuild(RunRecord r) {
        List<TaskRecord> tasks = new ArrayList<>(r.tasks().size());
        for (TaskRecord t : r.tasks()) {
            AttemptRecord[] attempts = new AttemptRecord[t.attempts().size()];
            for (int i = 0; i < attempts.length; i++) {
                AttemptRecord a = t.attempts().get(i);
                attempts[i] = new AttemptRecord(a.number(), a.token(), a.jobId(), a.state(), a.exitCode(), a.reason(),
                        a.submitted(), a.ended(), a.attemptDir(), List.copyOf(new ArrayList<>(a.history())),
                        a.stdout(), a.stderr());
            }
            tasks.add(new TaskRecord(t.name(), t.state(), t.reason(), t.retryAt(), List.of(attempts)));
        }
        return new RunRecord(r.bundle(), r.scheduler(), r.runDirectory(), r.saved(), tasks);
    }

    // ------------------------------------------------------------------ one manager under measurement

    interface AfterStep {
        void after(int step, RunManager manager);
    }

    /** One manager on an InMemoryScheduler, with timed shell, scheduler and store. */
    static final class Bench {
        final Path runsRoot;
        TimedShell shell = new TimedShell(LocalShell.create());
        TimedScheduler scheduler;
        TimedStore store = new TimedStore(RunStore.inMemory());
        RunManager manager;

        Bench(Bundle bundle, int maxSimultaneous, int slots, int runTicks) throws IOException {
            runsRoot = Files.createTempDirectory(PARENT, "drover-rm-bench");
            scheduler = new TimedScheduler(new InMemoryScheduler(slots, runTicks, shell).keepSubmissions(false)
                    .hashMapAnswers(HASH_MAP_ANSWERS), shell);
            manager = RunManager.of(bundle).on(scheduler).maxSimultaneousJobs(maxSimultaneous).runsRoot(runsRoot)
                    .store(store).lostAfter(Duration.ofHours(1)).build();
        }

        List<Sample> runToEnd(boolean print, AfterStep after) {
            List<Sample> out = new ArrayList<>();
            if (print) {
                System.out.printf("%5s %8s %7s %9s %10s %10s %9s %8s %7s %9s %9s %7s%n", "step", "polled", "ended",
                        "submitted", "step ms", "shell ms", "status ms", "submit ms", "store ms", "cycle ms",
                        "mgr ms", "gc ms");
            }
            boolean done = false;
            for (int step = 1; !done; step++) {
                if (step > 100_000) {
                    throw new IllegalStateException("the run does not end");
                }
                shell.reset();
                scheduler.reset();
                store.reset();
                long gc0 = gcMillis();
                long t0 = System.nanoTime();
                done = manager.step();
                long t1 = System.nanoTime();
                Sample s = new Sample(step, (t1 - t0) / 1e6, shell.nanos / 1e6, scheduler.statusNanos / 1e6,
                        scheduler.submitNanos / 1e6, store.nanos / 1e6, scheduler.polled, scheduler.ended,
                        scheduler.submitted, gcMillis() - gc0);
                out.add(s);
                if (print) {
                    System.out.printf("%5d %8d %7d %9d %10.1f %10.1f %9.1f %8.1f %7.1f %9.1f %9.1f %7d%n", step,
                            s.polled, s.ended, s.submitted, s.totalMs, s.shellMs, s.statusMs, s.submitMs, s.storeMs,
                            s.cycleMs(), s.managerMs(), s.gcMs);
                }
                if (after != null) {
                    after.after(step, manager);
                }
            }
            return out;
        }

        void close() throws IOException {
            if (manager != null) {
                manager.close();
            }
            manager = null;
            scheduler = null;
            store = null;
            shell = null;
            long t0 = System.nanoTime();
            deleteTree(runsRoot);
            System.out.printf("(deleted %s in %.1f s)%n", runsRoot, (System.nanoTime() - t0) / 1e9);
        }
    }

    /** One step; {@code gcMs}: collector time (pauses, as the JVM's GC beans count it) during the step. */
    record Sample(int step, double totalMs, double shellMs, double statusMs, double submitMs, double storeMs,
                  int polled, int ended, int submitted, long gcMs) {
        /** The poll-and-decide cycle: the step without the submission I/O and the store's own save. */
        double cycleMs() {
            return totalMs - shellMs - storeMs;
        }

        /** The cycle without the scheduler's calls. */
        double managerMs() {
            return cycleMs() - statusMs - submitMs;
        }
    }

    // ------------------------------------------------------------------ timing wrappers

    static final class TimedShell implements Shell {
        private final Shell delegate;
        long nanos;

        TimedShell(Shell delegate) {
            this.delegate = delegate;
        }

        void reset() {
            nanos = 0;
        }

        @Override
        public CommandResult run(List<String> command, Duration timeout) {
            long t0 = System.nanoTime();
            try {
                return delegate.run(command, timeout);
            } finally {
                nanos += System.nanoTime() - t0;
            }
        }

        @Override
        public void writeFile(Path file, byte[] content) {
            long t0 = System.nanoTime();
            try {
                delegate.writeFile(file, content);
            } finally {
                nanos += System.nanoTime() - t0;
            }
        }

        @Override
        public void writeRecord(Path file, byte[] content) {
            long t0 = System.nanoTime();
            try {
                delegate.writeRecord(file, content);
            } finally {
                nanos += System.nanoTime() - t0;
            }
        }

        @Override
        public Optional<byte[]> readFile(Path file) {
            long t0 = System.nanoTime();
            try {
                return delegate.readFile(file);
            } finally {
                nanos += System.nanoTime() - t0;
            }
        }

        @Override
        public void createDirectories(Path dir) {
            long t0 = System.nanoTime();
            try {
                delegate.createDirectories(dir);
            } finally {
                nanos += System.nanoTime() - t0;
            }
        }

        @Override
        public String describe() {
            return delegate.describe();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    static final class TimedScheduler implements Scheduler {
        private final InMemoryScheduler delegate;
        private final Shell shell;
        long statusNanos;
        long submitNanos;
        int polled;
        int ended;
        int submitted;

        TimedScheduler(InMemoryScheduler delegate, Shell shell) {
            this.delegate = delegate;
            this.shell = shell;
        }

        void reset() {
            statusNanos = 0;
            submitNanos = 0;
            polled = 0;
            ended = 0;
            submitted = 0;
        }

        @Override
        public String name() {
            return delegate.name();
        }

        @Override
        public Shell shell() {
            return shell;
        }

        @Override
        public String render(Submission submission) {
            return delegate.render(submission);
        }

        @Override
        public String submit(Submission submission) {
            long t0 = System.nanoTime();
            try {
                String id = delegate.submit(submission);
                submitted++;
                return id;
            } finally {
                submitNanos += System.nanoTime() - t0;
            }
        }

        @Override
        public Map<String, JobStatus> status(Collection<String> ids) {
            long t0 = System.nanoTime();
            Map<String, JobStatus> answer;
            try {
                answer = delegate.status(ids);
            } finally {
                statusNanos += System.nanoTime() - t0;
            }
            polled += ids.size();
            for (JobStatus s : answer.values()) {   // outside the timed call, inside the step: a small overcount
                if (s.state().isTerminal()) {
                    ended++;
                }
            }
            return answer;
        }

        @Override
        public Optional<String> findByToken(String token) {
            return delegate.findByToken(token);
        }

        @Override
        public void cancel(Collection<String> ids) {
            delegate.cancel(ids);
        }
    }

    static final class TimedStore implements RunStore {
        private final RunStore delegate;
        long nanos;

        TimedStore(RunStore delegate) {
            this.delegate = delegate;
        }

        void reset() {
            nanos = 0;
        }

        @Override
        public Optional<RunRecord> load() {
            return delegate.load();
        }

        @Override
        public void save(RunRecord record) {
            long t0 = System.nanoTime();
            try {
                delegate.save(record);
            } finally {
                nanos += System.nanoTime() - t0;
            }
        }
    }

    // ------------------------------------------------------------------ report

    static final class Row {
        final String what;
        final double value;
        final String unit;
        final double target;
        final String note;

        Row(String what, double value, String unit, double target, String note) {
            this.what = what;
            this.value = value;
            this.unit = unit;
            this.target = target;
            this.note = note;
        }

        /** This row, judged by its median against a target. */
        Row withTarget(double t) {
            return new Row(what, value, unit, t, "median; " + note);
        }

        boolean print() {
            boolean ok = target < 0 || value < target;
            System.out.printf("%-52s %10s %10s  %-6s %s%n", what, Double.isNaN(value) ? "n/a"
                    : (Math.abs(value) < 1 ? String.format("%.3f", value) : f1(value)) + " " + unit,
                    target < 0 ? "-" : "< " + f1(target).replace(".0", "") + " " + unit,
                    target < 0 ? "" : ok ? "PASS" : "FAIL", note);
            return ok;
        }
    }

    interface Metric {
        double of(Sample s);
    }

    /** Prints and returns min / median / max (the row's value is the median). */
    static Row stats(String what, List<Sample> samples, Metric m) {
        if (samples.isEmpty()) {
            System.out.printf("   %-60s no samples%n", what);
            return new Row(what, Double.NaN, "ms", -1, "no samples");
        }
        double[] v = samples.stream().mapToDouble(m::of).sorted().toArray();
        String mm = String.format("min %.1f / median %.1f / max %.1f ms over %d steps", v[0], median(v),
                v[v.length - 1], v.length);
        System.out.printf("   %-60s %s%n", what, mm);
        return new Row(what, median(v), "ms", -1, mm);
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    static double timeRecord(RunManager m, int times) {
        double[] ms = new double[times];
        for (int i = 0; i < times; i++) {
            long t0 = System.nanoTime();
            RunRecord r = m.record();
            ms[i] = (System.nanoTime() - t0) / 1e6;
            if (r.tasks().isEmpty()) {
                throw new IllegalStateException("empty record");
            }
        }
        return median(ms);
    }

    // ------------------------------------------------------------------ helpers

    static Bundle bundle(String name, int tasks) {
        List<Job> jobs = new ArrayList<>(tasks);
        for (int i = 0; i < tasks; i++) {
            jobs.add(Job.named("t" + i).command("true"));
        }
        return Bundle.named(name).addAll(jobs);
    }

    static long gcMillis() {
        long ms = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ms += Math.max(0, gc.getCollectionTime());
        }
        return ms;
    }

    static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    /** The 1, 5 and 15 minute load averages (Linux), to judge how quiet the machine was. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }

    static String mb(long bytes) {
        return String.format("%.1f MB", bytes / (1024.0 * 1024.0));
    }

    static String f1(double v) {
        return String.format("%.1f", v);
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
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
    }
}
