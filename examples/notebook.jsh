// Drover from JShell: a sweep on the local executor, its progress, its report, one task's output.
// Run it from the clone's root with (no class path to set up, no `mvn install` first):
//
//     mvn -q -pl examples -am compile exec:exec@notebook
//
// Maven compiles the modules and starts `jshell --class-path <examples' run-time class path>` on
// this file; on a terminal, JShell stays open afterwards with everything below defined
// (`run`, `report`, `study`, ...): go on from there. With no terminal (CI), it ends here.

import java.nio.file.*;
import java.time.*;
import java.util.*;
import org.drover.*;
import org.drover.local.*;
import org.drover.run.*;

// 1. The experiment: 2 learning rates x 3 seeds; each job prints its score.
// (JShell ends a statement at a line end where it is complete: a chain breaks after its dots.)
Sweep train = Sweep.of(Job.named("train").
                script("sleep 0.5; awk -v lr={lr} -v seed={seed} 'BEGIN { printf \"score %.4f\\n\", 1 - lr * seed }'").
                cpus(1).memory("64M").walltime("00:05:00")).
        param("lr", 0.1, 0.01).
        param("seed", 1, 2, 3);
Bundle study = Bundle.named("notebook").add(train);
System.out.println(study);
System.out.println(study.plan());

// 2. Run it on the embedded local executor (2 cpus), with a progress bar: in JShell it writes a
//    line when something changed, at most one a second.
LocalScheduler local = LocalScheduler.builder().cpus(2).build();
RunManager run = RunManager.of(study).on(local).
        runsRoot(Path.of("runs").toAbsolutePath()).
        pollInterval(Duration.ofMillis(100)).
        listener(ProgressBar.create()).
        start();
RunReport report = run.awaitCompletion(Duration.ofMinutes(5));

// 3. The report: one row per task (params, attempt, job id, state, exit code, elapsed, reason).
System.out.println(report);

// 4. Read the tasks' output back: the best score, and one task as a whole.
double score(TaskResult t) {
    return Double.parseDouble(t.stdout().trim().split(" ")[1]);
}
TaskResult best = report.rows().stream().map(r -> report.task(r.task())).
        max(Comparator.comparingDouble(t -> score(t))).orElseThrow();
System.out.println("best: " + best.name() + " " + best.params() + " scored " + score(best));
System.out.println(best);
System.out.print(best.stdout());

run.close();
local.close();
