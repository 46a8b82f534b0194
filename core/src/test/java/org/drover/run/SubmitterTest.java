package org.drover.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.drover.Bundle;
import org.drover.Job;
import org.drover.local.LocalScheduler;
import org.drover.scheduler.JobState;
import org.drover.scheduler.Submission;
import org.drover.testing.InMemoryScheduler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SubmitterTest {
    @TempDir
    Path tmp;

    private static Bundle diamond() {
        // added in reverse: d depends on b and c, which depend on a
        return Bundle.named("diamond")
                .add(Job.named("d").command("true").dependsOn("b", "c"))
                .add(Job.named("c").command("true").dependsOn("a"))
                .add(Job.named("b").command("true").dependsOn("a"))
                .add(Job.named("a").command("true"));
    }

    @Test
    void submitsOneByOneInTheDeterministicTopologicalOrderWithDependencyIds() {
        InMemoryScheduler s = new InMemoryScheduler(10, 1);
        SubmittedBundle run = Submitter.submit(diamond(), s, tmp, 1);

        List<String> order = s.submissions().stream().map(x -> x.job().name()).collect(Collectors.toList());
        assertThat(order).containsExactly("a", "c", "b", "d");
        assertThat(run.ids().keySet()).containsExactly("a", "c", "b", "d");
        Submission d = s.submissions().get(3);
        assertThat(d.dependencies()).extracting(Submission.IdDependency::jobId)
                .containsExactlyInAnyOrder(run.id("b"), run.id("c"));
    }

    @Test
    void inParallelEveryJobStillComesAfterItsDependencies() {
        InMemoryScheduler s = new InMemoryScheduler(10, 1);
        Bundle b = diamond();
        for (int i = 0; i < 40; i++) {
            b.add(Job.named("x" + i).command("true").dependsOn("a"));
        }
        SubmittedBundle run = Submitter.submit(b, s, tmp, 4);

        List<String> order = s.submissions().stream().map(x -> x.job().name()).collect(Collectors.toList());
        assertThat(order).hasSize(44).startsWith("a").endsWith("d");
        assertThat(run.ids()).hasSize(44).doesNotContainValue(null);
        assertThat(Submitter.levels(b.plan())).extracting(List::size).containsExactly(1, 42, 1);
    }

    @Test
    void aSavedBundleIsLoadedExtendedAndRunAgainOnRealProcesses() throws Exception {
        Path out = tmp.resolve("out");
        Bundle first = Bundle.named("again")
                .add(Job.named("b").command("sh", "-c", "echo b >> " + out).dependsOn("a"))
                .add(Job.named("a").command("sh", "-c", "echo a >> " + out));
        Path record;
        try (LocalScheduler local = LocalScheduler.builder().cpus(2).build()) {
            SubmittedBundle run = Submitter.submit(first, local, tmp.resolve("runs"));
            assertThat(run.awaitCompletion(Duration.ofMinutes(1)).values())
                    .allSatisfy(st -> assertThat(st.state()).isEqualTo(JobState.COMPLETED));
            record = Bundle.latestRecord(tmp.resolve("runs"), "again").orElseThrow();
        }
        // the record of the run, loaded, appended to and run again: the exact spec, plus one job
        Bundle again = Bundle.load(record);
        assertThat(again).isEqualTo(first);
        again.add(Job.named("c").command("sh", "-c", "echo c >> " + out).dependsOn("b"));
        try (LocalScheduler local = LocalScheduler.builder().cpus(2).build()) {
            SubmittedBundle run = Submitter.submit(again, local, tmp.resolve("runs"));
            assertThat(run.awaitCompletion(Duration.ofMinutes(1)).values())
                    .allSatisfy(st -> assertThat(st.state()).isEqualTo(JobState.COMPLETED));
        }
        assertThat(Files.readAllLines(out)).containsExactly("a", "b", "a", "b", "c");
    }

    @Test
    void rejectsAParallelismBelowOne() {
        assertThatThrownBy(() -> Submitter.submit(diamond(), new InMemoryScheduler(1, 1), tmp, 0))
                .hasMessageContaining("parallelism must be at least 1, got 0");
    }
}
