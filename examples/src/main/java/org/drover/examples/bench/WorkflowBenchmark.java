package org.drover.examples.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.drover.Bundle;
import org.drover.Job;
import org.drover.Sweep;
import org.drover.run.RunManager;
import org.drover.run.RunReport;
import org.drover.shell.CommandResult;
import org.drover.shell.LocalShell;
import org.drover.slurm.SlurmScheduler;

/**
 * Whole workflows on a real SLURM cluster, end to end, the RunManager (default settings) against a
 * bash {@code sbatch} loop, side by side in one run, interleaved (the order alternates each round):
 *
 * <ul>
 *   <li><b>W1</b>: {@value #W1_JOBS} independent trivial jobs ({@code true}, 1 cpu, 100 MB).</li>
 *   <li><b>W2</b>: {@code prep -> } {@value #W2_SWEEP} sweep jobs {@code -> aggregate}, same jobs.</li>
 * </ul>
 *
 * <p>The bash side submits with {@code sbatch --parsable} (W2 with {@code --dependency=afterok:}
 * on the ids it got) and polls {@code squeue -h -j <ids>} every 2 s until none is left. The Drover
 * side is {@code RunManager.of(bundle).on(slurm).start().awaitCompletion()} with default settings
 * (one job per task; with {@code --array}, W1 also as one array sweep). Wall time runs from the
 * first submission to the moment the client knows every job ended. Client calls (sbatch, squeue,
 * sacct, scancel) are counted by PATH shims that log each call and exec the real binary; both sides
 * run through them.
 *
 * <pre>
 * bash slurm/src/test/testbed/slurm-testbed.sh up
 * mvn -q -o -pl examples -am compile dependency:build-classpath -Dmdep.outputFile=/tmp/cpb.txt \
 *     -Dmdep.includeScope=runtime
 * java -cp examples/target/classes:$(cat /tmp/cpb.txt) org.drover.examples.bench.WorkflowBenchmark [rounds] [--array]
 * </pre>
 */
public final class WorkflowBenchmark {
    static final int W1_JOBS = 100;
    static final int W2_SWEEP = 20;
    static final List<String> SHIMMED = List.of("sbatch", "squeue", "sacct", "scancel");
    private static final Duration TIMEOUT = Duration.ofMinutes(10);

    private WorkflowBenchmark() {}

    /** One measured run: wall time and client calls by program. */
    record Result(String workflow, String side, double seconds, Map<String, Integer> calls) {
        int totalCalls() {
            return calls.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    public static void main(String[] args) throws Exception {
        int rounds = 2;
        boolean array = false;
        for (String a : args) {
            if (a.equals("--array")) {
                array = true;
            } else {
                rounds = Integer.parseInt(a);
            }
        }
        Path tmp = Files.createTempDirectory("drover-workflow-bench-");
        Path shim = tmp.resolve("shim");
        Path log = shims(shim);
        String path = shim + ":" + System.getenv("PATH");
        System.out.printf(Locale.ROOT, "WorkflowBenchmark: W1 %d jobs, W2 1+%d+1 jobs, %d rounds, %d cpus, java %s; scratch %s%n",
                W1_JOBS, W2_SWEEP, rounds, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), tmp);
        List<Result> results = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            boolean droverFirst = r % 2 == 1;
            for (String w : List.of("W1", "W2")) {
                List<String> sides = new ArrayList<>(List.of("bash", "RunManager"));
                if (array && w.equals("W1")) {
                    sides.add("RunManager, array");
                }
                if (droverFirst) {
                    java.util.Collections.reverse(sides);
                }
                for (String side : sides) {
                    Result res = side.equals("bash") ? bash(w, tmp.resolve("bash-" + w + "-" + r), path, log)
                            : drover(w, side.endsWith("array"), tmp.resolve("drover-" + w + "-" + r), path, log);
                    results.add(res);
                    System.out.printf(Locale.ROOT, "round %d %s %-18s %6.1f s  %3d calls %s%n", r + 1, w, side,
                            res.seconds(), res.totalCalls(), res.calls());
                    Thread.sleep(2_000);   // let the controller settle
                }
            }
        }
        System.out.println();
        System.out.println("| | " + String.join(" | ", sidesOf(results)) + " |");
        System.out.println("|---|" + "---|".repeat(sidesOf(results).size()));
        for (String w : List.of("W1", "W2")) {
            StringBuilder wall = new StringBuilder("| " + w + " wall s (median) |");
            StringBuilder calls = new StringBuilder("| " + w + " calls (median) |");
            for (String side : sidesOf(results)) {
                List<Result> rs = results.stream().filter(x -> x.workflow().equals(w) && x.side().equals(side)).toList();
                wall.append(rs.isEmpty() ? " - |" : String.format(Locale.ROOT, " %.1f |", median(rs.stream()
                        .map(Result::seconds).toList())));
                calls.append(rs.isEmpty() ? " - |" : String.format(Locale.ROOT, " %.0f |", median(rs.stream()
                        .map(x -> (double) x.totalCalls()).toList())));
            }
            System.out.println(wall);
            System.out.println(calls);
        }
        for (String w : List.of("W1", "W2")) {
            double b = median(results.stream().filter(x -> x.workflow().equals(w) && x.side().equals("bash"))
                    .map(Result::seconds).toList());
            double d = median(results.stream().filter(x -> x.workflow().equals(w) && x.side().equals("RunManager"))
                    .map(Result::seconds).toList());
            System.out.printf(Locale.ROOT, "%s: RunManager / bash loop = %.3f (target <= 1.05)%n", w, d / b);
        }
    }

    private static List<String> sidesOf(List<Result> results) {
        return results.stream().map(Result::side).distinct().collect(Collectors.toList());
    }

    private static double median(List<Double> values) {
        List<Double> v = new ArrayList<>(values);
        v.sort(Double::compare);
        int n = v.size();
        return n == 0 ? Double.NaN : n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }

    /** Shims for the SLURM clients that log each call and exec the real binary; returns the log. */
    private static Path shims(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path log = dir.resolve("calls.log");
        Files.createFile(log);
        for (String name : SHIMMED) {
            CommandResult r = LocalShell.create().run(List.of("sh", "-c", "command -v " + name), TIMEOUT);
            if (!r.ok() || r.stdout().isBlank()) {
                throw new IllegalStateException(name + " is not on the PATH: start the testbed first");
            }
            Path f = dir.resolve(name);
            Files.writeString(f, "#!/bin/sh\necho " + name + " >> '" + log + "'\nexec '" + r.stdout().trim() + "' \"$@\"\n");
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return log;
    }

    /** Calls logged since {@code from} lines, by program. */
    private static Map<String, Integer> callsSince(Path log, int from) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        Map<String, Integer> calls = new LinkedHashMap<>();
        SHIMMED.forEach(n -> calls.put(n, 0));
        for (String l : lines.subList(from, lines.size())) {
            calls.merge(l.trim(), 1, Integer::sum);
        }
        return calls;
    }

    private static int lines(Path log) throws IOException {
        return Files.readAllLines(log, StandardCharsets.UTF_8).size();
    }

    private static Result bash(String workflow, Path dir, String path, Path log) throws Exception {
        Files.createDirectories(dir);
        String opts = "-c 1 --mem=100M -o /dev/null -e /dev/null";
        String script;
        if (workflow.equals("W1")) {
            script = "ids=\n"
                    + "for i in $(seq 1 " + W1_JOBS + "); do ids=$ids,$(sbatch --parsable " + opts + " -J w1_$i --wrap true); done\n";
        } else {
            script = "prep=$(sbatch --parsable " + opts + " -J prep --wrap true)\n"
                    + "ids=$prep; sweep=\n"
                    + "for i in $(seq 1 " + W2_SWEEP + "); do j=$(sbatch --parsable " + opts
                    + " -J sweep_$i --dependency=afterok:$prep --wrap true); sweep=$sweep:$j; ids=$ids,$j; done\n"
                    + "ids=$ids,$(sbatch --parsable " + opts + " -J aggregate --dependency=afterok$sweep --wrap true)\n";
        }
        script += "ids=${ids#,}\n"
                + "while [ -n \"$(squeue -h -j \"$ids\" -o %i 2>/dev/null)\" ]; do sleep 2; done\n";
        Path file = dir.resolve("loop.sh");
        Files.writeString(file, script);
        int before = lines(log);
        long t0 = System.nanoTime();
        ProcessBuilder pb = new ProcessBuilder("bash", file.toString()).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(dir.resolve("loop.out").toFile());
        pb.environment().put("PATH", path);
        int rc = pb.start().waitFor();
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (rc != 0) {
            throw new IllegalStateException("bash loop failed (" + rc + "): " + Files.readString(dir.resolve("loop.out")));
        }
        return new Result(workflow, "bash", seconds, callsSince(log, before));
    }

    private static Bundle bundle(String workflow, boolean array) {
        if (workflow.equals("W1")) {
            Sweep w1 = Sweep.of(trivial("w1")).param("i", IntStream.range(0, W1_JOBS).boxed().toList());
            return Bundle.named("w1").add(array ? w1.asArray() : w1);
        }
        return Bundle.named("w2")
                .add(trivial("prep"))
                .add(Sweep.of(trivial("sweep")).param("i", IntStream.range(0, W2_SWEEP).boxed().toList())
                        .dependsOn("prep"))
                .add(trivial("aggregate").dependsOn("sweep"));
    }

    private static Job trivial(String name) {
        return Job.named(name).command("true").cpus(1).memory("100M");
    }

    private static Result drover(String workflow, boolean array, Path dir, String path, Path log) throws Exception {
        Files.createDirectories(dir);
        Bundle b = bundle(workflow, array);
        int before = lines(log);
        long t0 = System.nanoTime();
        RunReport end;
        try (SlurmScheduler slurm = SlurmScheduler.builder()
                .shell(LocalShell.withEnvironment(Map.of("PATH", path))).build();
             RunManager run = RunManager.of(b).on(slurm).runsRoot(dir).start()) {
            end = run.awaitCompletion(TIMEOUT);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (!end.isSuccess()) {
            throw new IllegalStateException("the run did not succeed:\n" + end);
        }
        return new Result(workflow, array ? "RunManager, array" : "RunManager", seconds, callsSince(log, before));
    }
}
