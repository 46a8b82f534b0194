package org.drover.examples;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.drover.Bundle;
import org.drover.Job;
import org.drover.Sweep;
import org.drover.local.LocalScheduler;
import org.drover.run.ProgressBar;
import org.drover.run.RetryPolicy;
import org.drover.run.RunManager;
import org.drover.run.RunReport;

/**
 * The README's main job: a small study {@code prepare -> sweep of 4 (lr x seed) -> aggregate}, run by
 * a {@link RunManager} on the embedded {@link LocalScheduler}. Shows its progress with a
 * {@link ProgressBar} (redrawn in place on a terminal, a line a second otherwise), then the final
 * report and the best score; exits 1 if a task did not succeed.
 *
 * <pre>
 * mvn -q -B -pl examples -am compile exec:java          # runs in ./runs
 * </pre>
 */
public final class Demo {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS").withZone(ZoneOffset.UTC);

    private Demo() {}

    /**
     * Runs the study.
     *
     * @param args optional: the runs root (default {@code runs})
     */
    public static void main(String[] args) {
        Path runs = Path.of(args.length > 0 ? args[0] : "runs").toAbsolutePath();
        Instant start = Instant.now();
        Bundle study = study(runs.resolve("demo-data_" + STAMP.format(start)));
        try (LocalScheduler local = LocalScheduler.builder().cpus(2).build();
             RunManager run = RunManager.of(study).on(local)
                     .runsRoot(runs)
                     .store(runs.resolve("demo_" + STAMP.format(start) + ".store.json"))   // a new run each time
                     .retry(RetryPolicy.builder().withMaxAttempts(2).build())
                     .pollInterval(Duration.ofMillis(200))
                     .listener(ProgressBar.create())
                     .build()) {
            System.out.printf("Drover demo: bundle '%s', %d jobs, on %s%n", study.name(), study.size(), local);
            System.out.println("run directory: " + run.runDirectory().path());
            RunReport end = run.awaitCompletion();   // starts it
            System.out.println();
            System.out.println(end);
            if (end.isSuccess()) {
                System.out.println("best: " + readBest(run));
            }
            System.exit(end.isSuccess() ? 0 : 1);
        }
    }

    /**
     * The study: prepare data, train 4 models (2 learning rates x 2 seeds), aggregate the scores.
     *
     * @param data the directory every job of the study reads and writes (absolute: jobs start in their attempt directory)
     * @return the bundle
     */
    static Bundle study(Path data) {
        String dir = data.toString();
        Job prepare = Job.named("prepare")
                .script("mkdir -p \"$DATA\" && seq 1 1000 > \"$DATA/input.txt\" && sleep 0.5 && echo prepared")
                .env("DATA", dir).cpus(1).memory("64M").walltime("00:05:00");
        Sweep train = Sweep.of(Job.named("train")
                        .script("sleep 1; awk -v lr={lr} -v seed={seed} "
                                + "'{s += $1} END {printf \"%.4f\\n\", (s * lr + seed) / 1000}' \"$DATA/input.txt\""
                                + " > \"$DATA/score_{lr}_{seed}.txt\" && echo trained lr={lr} seed={seed}")
                        .env("DATA", dir).cpus(1).memory("64M").walltime("00:05:00"))
                .param("lr", 0.1, 0.01)
                .param("seed", 1, 2)
                .dependsOn("prepare");
        Job aggregate = Job.named("aggregate")
                .script("for f in \"$DATA\"/score_*.txt; do printf '%s %s\\n' \"$(cat \"$f\")\" \"$(basename \"$f\" .txt)\"; done"
                        + " | sort -rn > \"$DATA/ranking.txt\" && head -1 \"$DATA/ranking.txt\"")
                .env("DATA", dir).dependsOn("train");
        // Added in reverse order on purpose: the plan submits them in dependency order.
        return Bundle.named("demo").add(aggregate).add(train).add(prepare);
    }

    private static String readBest(RunManager run) {
        return run.task("aggregate").stdout().trim();
    }
}
