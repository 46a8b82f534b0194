package org.drover.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.drover.testing.DroverAssertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.drover.run.RetryPolicy;
import org.drover.run.RunReport;
import org.drover.run.TaskResult;
import org.drover.testing.DroverExtension;
import org.drover.testing.DroverRuns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An experiment run from JUnit, the way a harness does it: the demo's study (prepare, a sweep of 4
 * trainings, aggregate) runs as real processes on a LocalScheduler that {@link DroverExtension}
 * hands the test, in a temporary runs root; the test asserts on the run and reads the tasks'
 * results back. A failed assertion shows the failing task's reason and the end of its stderr.
 */
@ExtendWith(DroverExtension.class)
class StudyTest {
    @Test
    void everyModelTrainsAndTheAggregateRanksThemAll(DroverRuns drover) throws IOException {
        Path data = drover.runsRoot().resolve("data");
        RunReport end = drover.run(Demo.study(data), run -> run.retry(RetryPolicy.never()));

        assertThat(end).allCompleted();
        assertThat(end.task("prepare")).completed().stdoutContains("prepared");
        assertThat(end.task("train_3")).completed().hasAttempts(1).stdoutContains("trained lr=0.01 seed=2");
        List<String> ranking = Files.readAllLines(data.resolve("ranking.txt"));
        assertThat(ranking).hasSize(4);
        assertThat(end.task("aggregate")).stdoutContains(ranking.get(0));
    }

    @Test
    void theLargerLearningRateScoresHigherWithEverySeed(DroverRuns drover) throws IOException {
        Path data = drover.runsRoot().resolve("data");
        RunReport end = drover.run(Demo.study(data));
        assertThat(end).allCompleted();
        for (String seed : List.of("1", "2")) {
            assertThat(score(data, "0.1", seed)).isGreaterThan(score(data, "0.01", seed));
        }
        // Each task's parameters come back with its results.
        TaskResult t = end.task("train_1");
        assertThat(t.params()).containsEntry("lr", "0.1").containsEntry("seed", "2");
        assertThat(score(data, t.params().get("lr"), t.params().get("seed"))).isEqualTo(50.052);
    }

    private static double score(Path data, String lr, String seed) throws IOException {
        return Double.parseDouble(Files.readString(data.resolve("score_" + lr + "_" + seed + ".txt")).trim());
    }
}
