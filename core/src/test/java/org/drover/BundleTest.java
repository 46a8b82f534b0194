package org.drover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.drover.BundlePlan.ResolvedDependency;
import org.jgrapht.Graph;
import org.jgrapht.graph.DefaultEdge;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleTest {
    @TempDir
    Path dir;

    private static Job job(String name, String... dependsOn) {
        return Job.named(name).command("run", name).dependsOn(dependsOn);
    }

    private static List<String> order(Bundle b) {
        return b.plan().order().stream().map(Job::name).collect(Collectors.toList());
    }

    // ---- adding ----

    @Test
    void keepsJobsInInsertionOrder() {
        Bundle b = Bundle.named("s").add(job("c")).add(job("a")).addAll(List.of(job("b"), job("d")));
        assertThat(b.jobs()).extracting(Job::name).containsExactly("c", "a", "b", "d");
        assertThat(b.size()).isEqualTo(4);
        assertThat(b.job("a")).contains(job("a"));
        assertThat(b.job("zz")).isEmpty();
        assertThat(b.name()).isEqualTo("s");
    }

    @Test
    void rejectsABadBundleName() {
        assertThatThrownBy(() -> Bundle.named("my study"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bundle name 'my study'");
        assertThatThrownBy(() -> Bundle.named(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bundle name");
    }

    @Test
    void rejectsADuplicateJobNameAtAdd() {
        Bundle b = Bundle.named("s").add(job("prep"));
        assertThatThrownBy(() -> b.add(job("prep")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'s'")
                .hasMessageContaining("'prep'");
        assertThat(b.size()).isEqualTo(1);
    }

    @Test
    void rejectsASweepNamedLikeAJob() {
        Bundle b = Bundle.named("s").add(job("train"));
        assertThatThrownBy(() -> b.add(Sweep.of(job("train")).param("lr", 1, 2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'train'");
        assertThat(b.size()).isEqualTo(1);
    }

    @Test
    void rejectsAJobNamedLikeASweep() {
        Bundle b = Bundle.named("s").add(Sweep.of(job("train")).param("lr", 1, 2));
        assertThatThrownBy(() -> b.add(job("train")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sweep named 'train'");
    }

    @Test
    void rejectsASweepWhoseMemberNameIsTakenWithoutAddingAnyMember() {
        Bundle b = Bundle.named("s").add(job("train_1"));
        assertThatThrownBy(() -> b.add(Sweep.of(job("train")).param("lr", 1, 2, 3)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'train_1'")
                .hasMessageContaining("'train'");
        assertThat(b.jobs()).extracting(Job::name).containsExactly("train_1");
        assertThat(b.sweeps()).isEmpty();
    }

    @Test
    void rejectsTheSameSweepTwice() {
        Sweep sweep = Sweep.of(job("train")).param("lr", 1, 2);
        Bundle b = Bundle.named("s").add(sweep);
        assertThatThrownBy(() -> b.add(sweep))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'train'");
    }

    @Test
    void recordsSweepsAndArrays() {
        Bundle b = Bundle.named("s")
                .add(Sweep.of(job("train")).param("lr", 1, 2).asArray(5))
                .add(Sweep.of(job("eval")).param("k", 1));
        assertThat(b.sweeps()).containsOnlyKeys("train", "eval");
        assertThat(b.sweeps().get("train")).containsExactly("train_0", "train_1");
        assertThat(b.arrays()).containsExactly(new Bundle.ArrayOption("train", 5));
        BundlePlan plan = b.plan();
        assertThat(plan.arrayOption("train")).contains(new Bundle.ArrayOption("train", 5));
        assertThat(plan.arrayOption("eval")).isEmpty();
        assertThat(plan.sweeps().get("eval")).containsExactly("eval_0");
        assertThat(plan.bundleName()).isEqualTo("s");
    }

    // ---- planning errors ----

    @Test
    void unknownDependencyNamesBothJobs() {
        Bundle b = Bundle.named("study").add(job("train")).add(job("report", "trian"));
        assertThatThrownBy(b::plan)
                .isInstanceOf(InvalidBundleException.class)
                .hasMessageContaining("job 'report'")
                .hasMessageContaining("'trian'")
                .hasMessageContaining("bundle 'study'")
                .satisfies(e -> assertThat(((InvalidBundleException) e).cycle()).isEmpty());
    }

    @Test
    void cycleIsReportedInDependsOnOrder() {
        // a depends on b, b on c, c on a.
        Bundle b = Bundle.named("s").add(job("a", "b")).add(job("b", "c")).add(job("c", "a"));
        assertThatThrownBy(b::plan)
                .isInstanceOf(InvalidBundleException.class)
                .hasMessageContaining("a -> b -> c -> a")
                .hasMessageContaining("each job depends on the next")
                .satisfies(e -> assertThat(((InvalidBundleException) e).cycle()).containsExactly("a", "b", "c", "a"));
    }

    @Test
    void cycleStartsAtTheEarliestAddedJob() {
        Bundle b = Bundle.named("s").add(job("c", "a")).add(job("b", "c")).add(job("a", "b"));
        assertThatThrownBy(b::plan)
                .isInstanceOf(InvalidBundleException.class)
                .hasMessageContaining("c -> a -> b -> c")
                .satisfies(e -> assertThat(((InvalidBundleException) e).cycle()).containsExactly("c", "a", "b", "c"));
    }

    @Test
    void cycleAmongOtherJobsIsFoundAndShortest() {
        // x -> y -> z -> x is a cycle; y also reaches x through a longer path y -> w -> v -> z.
        Bundle b = Bundle.named("s")
                .add(job("root"))
                .add(job("ok1", "root"))
                .add(job("x", "y", "root"))
                .add(job("y", "w", "z"))
                .add(job("w", "v"))
                .add(job("v", "z"))
                .add(job("z", "x"))
                .add(job("ok2", "ok1"));
        assertThatThrownBy(b::plan)
                .isInstanceOf(InvalidBundleException.class)
                .hasMessageContaining("x -> y -> z -> x")
                .satisfies(e -> assertThat(((InvalidBundleException) e).cycle()).containsExactly("x", "y", "z", "x"));
    }

    @Test
    void twoJobCycle() {
        Bundle b = Bundle.named("s").add(job("p", "q")).add(job("q", "p"));
        assertThatThrownBy(b::plan)
                .isInstanceOf(InvalidBundleException.class)
                .satisfies(e -> assertThat(((InvalidBundleException) e).cycle()).containsExactly("p", "q", "p"));
    }

    @Test
    void selfDependencyIsACycle() {
        Bundle b = Bundle.named("s").add(job("x")).add(job("a", "x", "a"));
        assertThatThrownBy(b::plan)
                .isInstanceOf(InvalidBundleException.class)
                .hasMessageContaining("a -> a")
                .hasMessageContaining("'a' depends on itself")
                .satisfies(e -> assertThat(((InvalidBundleException) e).cycle()).containsExactly("a", "a"));
    }

    @Test
    void sweepDependingOnItselfIsACycle() {
        Bundle b = Bundle.named("s").add(Sweep.of(job("t")).param("i", 1, 2).dependsOn("t"));
        assertThatThrownBy(b::plan)
                .isInstanceOf(InvalidBundleException.class)
                .hasMessageContaining("t_0 -> t_0");
    }

    @Test
    void cycleThroughASweep() {
        Bundle b = Bundle.named("s")
                .add(Sweep.of(job("train")).param("i", 1, 2).dependsOn("prep"))
                .add(job("prep", "train_1"));
        assertThatThrownBy(b::plan)
                .isInstanceOf(InvalidBundleException.class)
                .satisfies(e -> assertThat(((InvalidBundleException) e).cycle())
                        .containsExactly("train_1", "prep", "train_1"));
    }

    @Test
    void jobWithoutCommandFailsAtPlan() {
        Bundle b = Bundle.named("s").add(job("a")).add(Job.named("empty"));
        assertThatThrownBy(b::plan)
                .isInstanceOf(InvalidBundleException.class)
                .hasMessageContaining("job 'empty'")
                .hasMessageContaining("no command or script");
    }

    @Test
    void patternMatchingNothingIsAnError() {
        Bundle b = Bundle.named("s").add(job("prep")).add(job("report", "train*"));
        assertThatThrownBy(b::plan)
                .isInstanceOf(InvalidBundleException.class)
                .hasMessageContaining("job 'report'")
                .hasMessageContaining("'train*'")
                .hasMessageContaining("matches no other job");
    }

    @Test
    void patternMatchingOnlyItselfIsAnError() {
        Bundle b = Bundle.named("s").add(job("train_report", "train*"));
        assertThatThrownBy(b::plan)
                .isInstanceOf(InvalidBundleException.class)
                .hasMessageContaining("matches no other job");
    }

    // ---- ordering ----

    @Test
    void jobsAddedInReverseOrderComeOutDependenciesFirst() {
        Bundle b = Bundle.named("s").add(job("d", "c")).add(job("c", "b")).add(job("b", "a")).add(job("a"));
        assertThat(order(b)).containsExactly("a", "b", "c", "d");
    }

    @Test
    void tiesAreBrokenByInsertionOrder() {
        Bundle b = Bundle.named("s")
                .add(job("report", "train_a", "train_b"))
                .add(job("train_b", "prep"))
                .add(job("train_a", "prep"))
                .add(job("prep"))
                .add(job("other"));
        assertThat(order(b)).containsExactly("prep", "train_b", "train_a", "report", "other");
        assertThat(order(b)).containsExactly("prep", "train_b", "train_a", "report", "other");
    }

    @Test
    void independentJobsKeepInsertionOrder() {
        Bundle b = Bundle.named("s");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            names.add("j" + ((i * 37) % 50));
        }
        names.forEach(n -> b.add(job(n)));
        assertThat(order(b)).containsExactlyElementsOf(names);
    }

    @Test
    void theDocumentedExampleOrder() {
        Bundle study = Bundle.named("study")
                .add(Job.named("report").command("python", "report.py").dependsOn("train"))
                .add(Sweep.of(Job.named("train").command("python", "train.py", "--lr={lr}"))
                        .param("lr", 0.1, 0.01).dependsOn("prep"))
                .add(Job.named("prep").command("python", "prep.py"));
        assertThat(order(study)).containsExactly("prep", "train_0", "train_1", "report");
    }

    @Test
    void randomDagsInShuffledOrderAreOrderedDeterministically() {
        Random random = new Random(1234);
        for (int round = 0; round < 20; round++) {
            int n = 200;
            List<Job> jobs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                List<String> deps = new ArrayList<>();
                for (int k = 0; k < Math.min(i, 3); k++) {
                    String d = "j" + random.nextInt(i);
                    if (!deps.contains(d)) {
                        deps.add(d);
                    }
                }
                jobs.add(job("j" + i, deps.toArray(String[]::new)));
            }
            Collections.shuffle(jobs, random);
            Bundle b = Bundle.named("r").addAll(jobs);
            List<String> first = order(b);
            assertThat(first).hasSize(n).doesNotHaveDuplicates();
            Map<String, Integer> position = new HashMap<>();
            for (int i = 0; i < first.size(); i++) {
                position.put(first.get(i), i);
            }
            for (Job j : jobs) {
                for (Dependency d : j.dependencies()) {
                    assertThat(position.get(d.target())).as("%s before %s", d.target(), j.name())
                            .isLessThan(position.get(j.name()));
                }
            }
            assertThat(order(Bundle.named("r").addAll(jobs))).isEqualTo(first);
        }
    }

    // ---- resolution ----

    @Test
    void dependencyOnASweepNameExpandsToAllMembers() {
        Bundle b = Bundle.named("s")
                .add(job("report", "train"))
                .add(Sweep.of(job("train")).param("lr", 1, 2, 3));
        BundlePlan plan = b.plan();
        assertThat(plan.dependenciesOf("report")).containsExactly(
                new ResolvedDependency("train_0", DependencyType.AFTER_OK),
                new ResolvedDependency("train_1", DependencyType.AFTER_OK),
                new ResolvedDependency("train_2", DependencyType.AFTER_OK));
        assertThat(order(b)).containsExactly("train_0", "train_1", "train_2", "report");
    }

    @Test
    void patternExpandsToMatchingJobsOnly() {
        Bundle b = Bundle.named("s")
                .add(job("train_0")).add(job("train_1")).add(job("trainer")).add(job("pretrain")).add(job("train"))
                .add(job("tra"))
                .add(Job.named("report").command("r").afterAny("train*"));
        assertThat(b.plan().dependenciesOf("report")).containsExactly(
                new ResolvedDependency("train_0", DependencyType.AFTER_ANY),
                new ResolvedDependency("train_1", DependencyType.AFTER_ANY),
                new ResolvedDependency("trainer", DependencyType.AFTER_ANY),
                new ResolvedDependency("train", DependencyType.AFTER_ANY));
    }

    @Test
    void patternMetacharactersOtherThanStarAreLiteral() {
        Bundle b = Bundle.named("s").add(job("a.b_1")).add(job("axb_2")).add(job("r", "a.b*"));
        assertThat(b.plan().dependenciesOf("r")).extracting(ResolvedDependency::job).containsExactly("a.b_1");
    }

    @Test
    void patternInTheMiddleAndPatternSkippingItself() {
        Bundle b = Bundle.named("s").add(job("x_1_done")).add(job("x_2_done")).add(job("x_3_todo"))
                .add(job("x_9_done", "x_*_done"));
        assertThat(b.plan().dependenciesOf("x_9_done")).extracting(ResolvedDependency::job)
                .containsExactly("x_1_done", "x_2_done");
    }

    @Test
    void dependencyTypesAreKept() {
        Bundle b = Bundle.named("s").add(job("a")).add(job("b"))
                .add(Job.named("c").command("x").dependsOn("a").afterAny("b").afterNotOk("a"));
        assertThat(b.plan().dependenciesOf("c")).containsExactly(
                new ResolvedDependency("a", DependencyType.AFTER_OK),
                new ResolvedDependency("b", DependencyType.AFTER_ANY),
                new ResolvedDependency("a", DependencyType.AFTER_NOT_OK));
    }

    @Test
    void repeatedDependencyIsResolvedOnce() {
        Bundle b = Bundle.named("s").add(job("a")).add(job("b", "a", "a", "a*"));
        assertThat(b.plan().dependenciesOf("b")).containsExactly(new ResolvedDependency("a", DependencyType.AFTER_OK));
    }

    @Test
    void planGraphHasAnEdgeFromEachDependencyToItsDependent() {
        Bundle b = Bundle.named("s")
                .add(job("report", "train", "prep"))
                .add(Sweep.of(job("train")).param("lr", 1, 2).dependsOn("prep"))
                .add(job("prep"))
                .add(job("lonely"));
        BundlePlan plan = b.plan();
        Graph<String, DefaultEdge> g = plan.graph();
        assertThat(g.vertexSet()).containsExactlyInAnyOrder("report", "train_0", "train_1", "prep", "lonely");
        List<String> edges = g.edgeSet().stream()
                .map(e -> g.getEdgeSource(e) + "->" + g.getEdgeTarget(e)).sorted().collect(Collectors.toList());
        assertThat(edges).containsExactly("prep->report", "prep->train_0", "prep->train_1",
                "train_0->report", "train_1->report");
        assertThat(plan.size()).isEqualTo(5);
        assertThat(plan.dependenciesOf("lonely")).isEmpty();
        assertThat(plan.dependenciesOf("nobody")).isEmpty();
        assertThatThrownBy(() -> g.addVertex("x")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void planIsASnapshot() {
        Bundle b = Bundle.named("s").add(job("a"));
        BundlePlan plan = b.plan();
        b.add(job("b", "a"));
        assertThat(plan.size()).isEqualTo(1);
        assertThat(b.plan().size()).isEqualTo(2);
    }

    // ---- extending a saved bundle ----

    @Test
    void appendingToALoadedBundleWorks() {
        Bundle original = Bundle.named("study")
                .add(job("prep"))
                .add(Sweep.of(job("train")).param("lr", 0.1, 0.01).dependsOn("prep").asArray(1));
        Path record = original.save(dir);
        Bundle loaded = Bundle.load(record);
        assertThat(loaded).isEqualTo(original);
        assertThat(loaded.sweeps()).isEqualTo(original.sweeps());

        loaded.add(job("report", "train", "prep"));
        assertThatThrownBy(() -> loaded.add(job("train_0"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> loaded.add(job("train"))).isInstanceOf(IllegalArgumentException.class);

        BundlePlan plan = loaded.plan();
        assertThat(plan.order()).extracting(Job::name).containsExactly("prep", "train_0", "train_1", "report");
        assertThat(plan.dependenciesOf("report")).extracting(ResolvedDependency::job)
                .containsExactly("train_0", "train_1", "prep");
        assertThat(plan.arrayOption("train")).contains(new Bundle.ArrayOption("train", 1));

        Bundle again = Bundle.load(loaded.save(dir));
        assertThat(again).isEqualTo(loaded);
        assertThat(again.plan().order()).isEqualTo(plan.order());
    }

    @Test
    void equalsComparesNameJobsAndArrays() {
        assertThat(Bundle.named("s").add(job("a"))).isEqualTo(Bundle.named("s").add(job("a")));
        assertThat(Bundle.named("s").add(job("a"))).isNotEqualTo(Bundle.named("t").add(job("a")));
        assertThat(Bundle.named("s").add(job("a")).add(job("b")))
                .isNotEqualTo(Bundle.named("s").add(job("b")).add(job("a")));
        assertThat(Bundle.named("s").add(job("a")).toString()).contains("s").startsWith("Bundle s: 1 job\n");
    }
}
