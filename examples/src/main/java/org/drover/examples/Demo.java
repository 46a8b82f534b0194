package org.drover.examples;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.drover.Bundle;
import org.drover.Job;
import org.drover.Sweep;
import org.drover.local.LocalScheduler;
import org.drover.run.SubmittedBundle;
import org.drover.run.Submitter;
import org.drover.scheduler.JobStatus;

/**
 * The README's main job: a small study {@code prepare -> sweep of 4 (lr x seed) -> aggregate}
 * run on the embedded LocalScheduler. Prints progress and a final table; exits 1 if a job failed.
 *
 * <pre>
 * mvn -q -B -pl examples -am compile exec:java          # runs in ./runs
 * </pre>
 */
public final class Demo {
    private Demo() {}

    public static void main(String[] args) {
        Path runs = Path.of(args.length > 0 ? args[0] : "runs").toAbsolutePath();
        Bundle study = study(runs.resolve("data"));
        try (LocalScheduler local = LocalScheduler.builder().cpus(2).build()) {
            System.out.printf("Drover demo: bundle '%s', %d jobs, on the local scheduler (%d cpus)%n",
                    study.name(), study.size(), local.cpus());
            SubmittedBundle run = Submitter.submit(study, local, runs);
            System.out.println("run directory: " + run.runDirectory());
            Map<String, JobStatus> end = Progress.follow(run, Duration.ofSeconds(1), Duration.ofMinutes(10));
            System.out.println();
            System.out.print(StatusTable.render(end));
            boolean ok = end.values().stream().allMatch(s -> s.state().isSuccess());
            if (ok) {
                System.out.println("best: " + readBest(run));
            }
            System.exit(ok ? 0 : 1);
        }
    }

    /** The study: prepare data, train 4 models (2 learning rates x 2 seeds), aggregate the scores. */
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

    private static String readBest(SubmittedBundle run) {
        try {
            return java.nio.file.Files.readString(run.runDirectory().attemptDir("aggregate", 1).resolve("stdout")).trim();
        } catch (java.io.IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }
}
