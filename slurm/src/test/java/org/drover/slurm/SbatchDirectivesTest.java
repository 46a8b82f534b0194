package org.drover.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.drover.DependencyType;
import org.drover.Job;
import org.drover.Sweep;
import org.drover.scheduler.SchedulerException;
import org.drover.scheduler.Submission.IdDependency;
import org.drover.scheduler.Submission;
import org.drover.slurm.internal.SbatchDirectives;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The #SBATCH lines of a job, and where they sit in the script sbatch reads. */
class SbatchDirectivesTest {
    private static final String TOKEN = "drv0123456789abcdef";
    private static final Path ATTEMPT = Path.of("/runs/b/train/1");

    private static Submission submission(Job job, List<IdDependency> deps) {
        return new Submission(job, "b", ATTEMPT, 1, deps, TOKEN);
    }

    private static List<String> render(Submission s, Set<String> skip) {
        return SbatchDirectives.render(s, s.job().name(), s.stdoutPath().toString(), s.stderrPath().toString(), null,
                skip, true);
    }

    private static Job everything() {
        return Job.named("train").command("python", "train.py")
                .cpus(4).memory("1.5G").gpus(2).nodes(2).tasks(8).walltime(Duration.ofDays(2))
                .partition("gpu").account("proj42").qos("high").exclusive().constraint("intel&ib")
                .workingDir("/scratch/work").requeue(true)
                .directive("--mail-type=END").directive("--signal=B:USR2@60");
    }

    private static final List<IdDependency> MIXED = List.of(
            new IdDependency("1", DependencyType.AFTER_OK),
            new IdDependency("3", DependencyType.AFTER_ANY),
            new IdDependency("2", DependencyType.AFTER_OK));

    @Test
    void everyResourceDependenciesTokenAndRawDirectivesInOrder() {
        assertThat(render(submission(everything(), MIXED), Set.of())).containsExactly(
                "#SBATCH --job-name=train",
                "#SBATCH --output=/runs/b/train/1/stdout",
                "#SBATCH --error=/runs/b/train/1/stderr",
                "#SBATCH --time=2-00:00:00",
                "#SBATCH --nodes=2",
                "#SBATCH --ntasks=8",
                "#SBATCH --cpus-per-task=4",
                "#SBATCH --mem=1536M",
                "#SBATCH --gres=gpu:2",
                "#SBATCH --partition=gpu",
                "#SBATCH --account=proj42",
                "#SBATCH --qos=high",
                "#SBATCH --exclusive",
                "#SBATCH --constraint=intel&ib",
                "#SBATCH --chdir=/scratch/work",
                "#SBATCH --export=ALL",
                "#SBATCH --requeue",
                "#SBATCH --dependency=afterok:1:2,afterany:3",
                "#SBATCH --kill-on-invalid-dep=yes",
                "#SBATCH --comment=" + TOKEN,
                "#SBATCH --mail-type=END",
                "#SBATCH --signal=B:USR2@60");
    }

    @Test
    void aMinimalJobGetsTheDefaults() {
        Job job = Job.named("j").command("true");
        assertThat(render(submission(job, List.of()), Set.of())).containsExactly(
                "#SBATCH --job-name=j",
                "#SBATCH --output=/runs/b/train/1/stdout",
                "#SBATCH --error=/runs/b/train/1/stderr",
                "#SBATCH --nodes=1",
                "#SBATCH --ntasks=1",
                "#SBATCH --cpus-per-task=1",
                "#SBATCH --chdir=/runs/b/train/1",
                "#SBATCH --export=ALL",
                "#SBATCH --no-requeue",
                "#SBATCH --comment=" + TOKEN);
    }

    @ParameterizedTest
    @CsvSource({
            "1.5G, --mem=1536M",
            "16G, --mem=16G",
            "1G, --mem=1G",
            "1024M, --mem=1G",
            "512M, --mem=512M",
            "100M, --mem=100M",
            "1536K, --mem=2M",    // rounded up, never less than asked
            "1T, --mem=1024G",
    })
    void memoryInSlurmUnits(String memory, String directive) {
        List<String> lines = render(submission(Job.named("j").command("true").memory(memory), List.of()), Set.of());
        assertThat(lines).filteredOn(l -> l.startsWith("#SBATCH --mem")).containsExactly("#SBATCH " + directive);
    }

    @ParameterizedTest
    @CsvSource({
            "2-00:00:00, --time=2-00:00:00",
            "90, --time=01:30:00",
            "00:00:30, --time=00:00:30",
            "36:00:00, --time=1-12:00:00",
    })
    void walltimeWithDays(String walltime, String directive) {
        List<String> lines = render(submission(Job.named("j").command("true").walltime(walltime), List.of()), Set.of());
        assertThat(lines).filteredOn(l -> l.startsWith("#SBATCH --time")).containsExactly("#SBATCH " + directive);
    }

    @Test
    void dependencyTypesAreGroupedInFirstSeenOrder() {
        List<String> lines = render(submission(Job.named("j").command("true"), List.of(
                new IdDependency("7", DependencyType.AFTER_NOT_OK),
                new IdDependency("5_3", DependencyType.AFTER_OK),
                new IdDependency("8", DependencyType.AFTER_NOT_OK))), Set.of());
        assertThat(lines).contains("#SBATCH --dependency=afternotok:7:8,afterok:5_3", "#SBATCH --kill-on-invalid-dep=yes");
    }

    @Test
    void theSkipListRemovesThoseOptionsOnly() {
        List<String> all = render(submission(everything(), MIXED), Set.of());
        List<String> skipped = render(submission(everything(), MIXED), Set.of("--qos", "--exclusive"));

        assertThat(skipped).doesNotContain("#SBATCH --qos=high", "#SBATCH --exclusive");
        List<String> expected = new ArrayList<>(all);
        expected.removeAll(List.of("#SBATCH --qos=high", "#SBATCH --exclusive"));
        assertThat(skipped).containsExactlyElementsOf(expected);
    }

    @Test
    void theSkipListAppliesToRawDirectivesToo() {
        Job job = Job.named("j").command("true").directive("--qos=urgent").directive("-p debug")
                .directive("--mail-type=END");
        List<String> lines = render(submission(job, List.of()), Set.of("--qos", "-p"));
        assertThat(lines).contains("#SBATCH --mail-type=END")
                .noneMatch(l -> l.contains("--qos")).noneMatch(l -> l.contains("-p debug"));
    }

    @Test
    void withoutEnvironmentExport() {
        Submission s = submission(Job.named("j").command("true"), List.of());
        assertThat(SbatchDirectives.render(s, "j", "/o", "/e", null, Set.of(), false)).contains("#SBATCH --export=NONE");
    }

    @Test
    void anArrayRangeFollowsTheOutputLines() {
        Submission s = submission(Job.named("j").command("true"), List.of());
        List<String> lines = SbatchDirectives.render(s, "sweep", "/runs/b/sweep_%a/1/stdout",
                "/runs/b/sweep_%a/1/stderr", "0-9%3", Set.of(), true);
        assertThat(lines.subList(0, 4)).containsExactly("#SBATCH --job-name=sweep",
                "#SBATCH --output=/runs/b/sweep_%a/1/stdout", "#SBATCH --error=/runs/b/sweep_%a/1/stderr",
                "#SBATCH --array=0-9%3");
    }

    @Test
    void aWorkingDirectoryThatCannotStandInADirectiveFallsBackToTheAttemptDirectory() {
        List<String> lines = render(submission(Job.named("j").command("true").workingDir("/scratch/my work"),
                List.of()), Set.of());
        assertThat(lines).contains("#SBATCH --chdir=/runs/b/train/1");
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "--mem=4G; --mem",
            "--exclusive; --exclusive",
            "-p debug; -p",
            "  --qos=high; --qos",
            "--constraint=a&b; --constraint",
            "-N2; -N2",
            "--gres=gpu:2; --gres",
    })
    void optionName(String line, String name) {
        assertThat(SbatchDirectives.optionName(line)).isEqualTo(name);
    }

    @Test
    void directiveSafePaths() {
        assertThat(SbatchDirectives.isDirectiveSafe("/runs/b/j_%a/1/stdout")).isTrue();
        assertThat(SbatchDirectives.isDirectiveSafe("/runs/my run")).isFalse();
        assertThat(SbatchDirectives.isDirectiveSafe("/runs/it's")).isFalse();
        assertThat(SbatchDirectives.isDirectiveSafe("/runs/\"q\"")).isFalse();
        assertThat(SbatchDirectives.isDirectiveSafe("/runs/#1")).isFalse();
        assertThat(SbatchDirectives.isDirectiveSafe("/runs/a\\b")).isFalse();
        assertThat(SbatchDirectives.isDirectiveSafe("/runs/a\tb")).isFalse();
        // sbatch expands %j, %x ... in --output/--error: a % is written as %% instead of refused
        assertThat(SbatchDirectives.isDirectiveSafe("/tmp/p50%jx/stdout")).isTrue();
        assertThat(SbatchDirectives.filenamePattern("/tmp/p50%jx/stdout")).isEqualTo("/tmp/p50%%jx/stdout");
        assertThat(SbatchDirectives.filenamePattern("/runs/100%/%%a")).isEqualTo("/runs/100%%/%%%%a");
        assertThat(SbatchDirectives.arrayPath(Path.of("/runs/50%x"), "task", 2, "stdout"))
                .isEqualTo("/runs/50%%x/task_%a/2/stdout");
        assertThat(SbatchDirectives.expandArrayPattern("/runs/50%%x/task_%a/2/stdout", 7))
                .isEqualTo("/runs/50%x/task_7/2/stdout");
        assertThatThrownBy(() -> SbatchDirectives.expandArrayPattern("/runs/%j", 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aPercentInTheOutputPathsIsEscapedSoSbatchWritesThatVeryPath() {
        Submission s = new Submission(Job.named("j").command("true"), "b", Path.of("/tmp/p50%jx/b/j/1"), 1, List.of(),
                TOKEN);
        String script = SLURM.render(s);
        assertThat(script).contains("#SBATCH --output=/tmp/p50%%jx/b/j/1/stdout\n",
                "#SBATCH --error=/tmp/p50%%jx/b/j/1/stderr\n",
                "#SBATCH --chdir=/tmp/p50%jx/b/j/1\n");   // sbatch does not expand --chdir
        Submission own = new Submission(Job.named("j").command("true").stdout("/logs/%x.out").stderr("e%j.txt"), "b",
                Path.of("/runs/b/j/1"), 1, List.of(), TOKEN);
        assertThat(SLURM.render(own)).contains("#SBATCH --output=/logs/%%x.out\n",
                "#SBATCH --error=/runs/b/j/1/e%%j.txt\n");
    }

    @Test
    void aPercentInAnArraysRunDirectoryIsEscapedAndItsTaskPlaceholderKept() {
        String script = SLURM.renderArray(arrayTasks(Path.of("/tmp/p50%jx/b"), Job.named("task").command("true")), 0);
        assertThat(script).contains("#SBATCH --output=/tmp/p50%%jx/b/task_%a/1/stdout\n",
                "#SBATCH --error=/tmp/p50%%jx/b/task_%a/1/stderr\n");
    }

    // ---- the whole script

    private static final SlurmScheduler SLURM = SlurmScheduler.builder().user("root").build();

    /** Index of the first line sbatch does not read as a comment: it stops reading #SBATCH there. */
    private static int firstCommand(List<String> lines) {
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).strip();
            if (!l.isEmpty() && !l.startsWith("#")) {
                return i;
            }
        }
        return lines.size();
    }

    private static void assertDirectivesBeforeTheFirstCommand(String script, List<String> directives) {
        assertThat(script).startsWith("#!/bin/bash\n");
        List<String> lines = script.lines().collect(Collectors.toList());
        int first = firstCommand(lines);
        assertThat(first).as("the script has commands").isLessThan(lines.size());
        List<String> header = lines.subList(0, first).stream().filter(l -> l.startsWith("#SBATCH"))
                .collect(Collectors.toList());
        assertThat(header).as("#SBATCH lines sbatch reads").containsExactlyElementsOf(directives);
        for (String d : directives) {
            assertThat(lines.indexOf(d)).as(d).isBetween(1, first - 1);
        }
    }

    @Test
    void theScriptStartsWithBashAndHasEveryDirectiveBeforeItsFirstCommand() {
        Submission s = submission(everything().env("OMP_NUM_THREADS", "4"), MIXED);
        String script = SLURM.render(s);
        assertDirectivesBeforeTheFirstCommand(script, render(s, Set.of()));
    }

    @Test
    void sbatchLinesInsideTheUsersScriptOrValuesComeAfterTheFirstCommandSoSbatchIgnoresThem() {
        Job job = Job.named("j").script("echo hi\n#SBATCH --qos=evil\necho bye").cpus(2)
                .env("NOTE", "a\n#SBATCH --partition=evil");
        Submission s = submission(job, List.of());
        String script = SLURM.render(s);

        assertDirectivesBeforeTheFirstCommand(script, render(s, Set.of()));
        List<String> lines = script.lines().collect(Collectors.toList());
        int first = firstCommand(lines);
        for (String evil : List.of("#SBATCH --qos=evil", "#SBATCH --partition=evil")) {
            List<Integer> at = IntStream.range(0, lines.size()).filter(i -> lines.get(i).startsWith(evil)).boxed()
                    .collect(Collectors.toList());
            assertThat(at).as(evil).isNotEmpty().allSatisfy(i -> assertThat(i).isGreaterThan(first));
        }
    }

    @Test
    void theSkipListOfTheSchedulerReachesTheScript() {
        SlurmScheduler slurm = SlurmScheduler.builder().user("root").skipDirective("--qos")
                .skipDirective("--exclusive").build();
        String script = slurm.render(submission(everything(), MIXED));
        assertThat(script).doesNotContain("--qos", "--exclusive").contains("#SBATCH --partition=gpu\n");
    }

    @ParameterizedTest
    @CsvSource({
            "-p, --partition, --partition=gpu",
            "-A, --account, --account=proj42",
            "-q, --qos, --qos=high",
            "-C, --constraint, --constraint=intel&ib",
            "-t, --time, --time=2-00:00:00",
            "-c, --cpus-per-task, --cpus-per-task=4",
            "-N, --nodes, --nodes=2",
            "-n, --ntasks, --ntasks=8",
    })
    void theSkipListMatchesTheLongAndTheShortSpellingOfAnOption(String shortName, String longName, String rendered) {
        String letter = shortName.substring(1);
        Job job = everything().directive(shortName + " raw1").directive(shortName + "raw2")
                .directive(longName + "=raw3");
        for (String skipped : List.of(shortName, longName)) {
            String script = SlurmScheduler.builder().user("root").skipDirective(skipped).build()
                    .render(submission(job, MIXED));
            assertThat(script).as("skip %s", skipped).doesNotContain("#SBATCH " + rendered + "\n",
                    "#SBATCH " + shortName + " raw1", "#SBATCH " + shortName + "raw2", "#SBATCH " + longName + "=raw3")
                    .contains("#SBATCH --job-name=train\n", "#SBATCH --comment=" + TOKEN + "\n",
                            "#SBATCH --mail-type=END\n");
            assertThat(script.lines().filter(l -> l.startsWith("#SBATCH -" + letter) || l.startsWith("#SBATCH " + longName)))
                    .as("skip %s", skipped).isEmpty();
        }
    }

    @Test
    void theShortSpellingOfAnOption() {
        assertThat(SbatchDirectives.canonicalOption("-p debug")).isEqualTo("--partition");
        assertThat(SbatchDirectives.canonicalOption("-N2")).isEqualTo("--nodes");
        assertThat(SbatchDirectives.canonicalOption("--partition=debug")).isEqualTo("--partition");
        assertThat(SbatchDirectives.canonicalOption("-Z 3")).isEqualTo("-Z");
        assertThat(SbatchDirectives.canonicalOption("--mail-type=END")).isEqualTo("--mail-type");
    }

    @ParameterizedTest
    @CsvSource({
            "--comment, --comment", "--job-name, --job-name", "-J, --job-name", "--output, --output",
            "-o, --output", "--error, --error", "-e, --error", "--array, --array", "-a, --array",
            "--dependency, --dependency", "-d, --dependency", "--kill-on-invalid-dep, --kill-on-invalid-dep",
            "--parsable, --parsable",
    })
    void anOptionDroverReliesOnCannotBeSkipped(String name, String canonical) {
        assertThatThrownBy(() -> SlurmScheduler.builder().skipDirective(name))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + name + "'").hasMessageContaining("Drover needs " + canonical);
    }

    @Test
    void aSkipDirectiveMustBeAnOptionName() {
        assertThatThrownBy(() -> SlurmScheduler.builder().skipDirective("-pdebug"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SlurmScheduler.builder().skipDirective("--qos=high"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SlurmScheduler.builder().skipDirective("qos"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anArrayScriptHasItsRangeAndTaskPathsBeforeItsFirstCommand() {
        List<Job> jobs = Sweep.of(Job.named("task").command("echo", "{x}").memory("16G")).param("x", 1, 2, 3).jobs();
        List<Submission> tasks = new ArrayList<>();
        for (Job j : jobs) {
            tasks.add(new Submission(j, "b", Path.of("/runs/b").resolve(j.name()).resolve("1"), 1, List.of(), TOKEN));
        }
        String script = SLURM.renderArray(tasks, 2);
        List<String> lines = script.lines().collect(Collectors.toList());
        int first = firstCommand(lines);
        List<String> header = lines.subList(0, first);
        assertThat(script).startsWith("#!/bin/bash\n");
        assertThat(header).contains("#SBATCH --job-name=task", "#SBATCH --array=0-2%2",
                "#SBATCH --output=/runs/b/task_%a/1/stdout", "#SBATCH --error=/runs/b/task_%a/1/stderr",
                "#SBATCH --mem=16G", "#SBATCH --comment=" + TOKEN);
        assertThat(SLURM.renderArray(tasks, 0)).contains("#SBATCH --array=0-2\n");
        assertThat(script).contains("SLURM_ARRAY_TASK_ID");
    }

    private static List<Submission> arrayTasks(Path runDir, Job template) {
        List<Submission> tasks = new ArrayList<>();
        for (Job j : Sweep.of(template).param("x", 1, 2, 3).jobs()) {
            tasks.add(new Submission(j, "b", runDir.resolve(j.name()).resolve("1"), 1, List.of(), TOKEN));
        }
        return tasks;
    }

    @Test
    void anArrayHonoursItsMembersOwnOutputPathsWhenOnePatternExpressesThem() {
        String relative = SLURM.renderArray(arrayTasks(Path.of("/runs/b"),
                Job.named("task").command("true").stdout("logs/out.txt").stderr("logs/err.txt")), 0);
        assertThat(relative).contains("#SBATCH --output=/runs/b/task_%a/1/logs/out.txt\n",
                "#SBATCH --error=/runs/b/task_%a/1/logs/err.txt\n");

        String absolute = SLURM.renderArray(arrayTasks(Path.of("/runs/b"),
                Job.named("task").command("true").stdout("/logs/all.out")), 0);
        assertThat(absolute).contains("#SBATCH --output=/logs/all.out\n", "#SBATCH --error=/runs/b/task_%a/1/stderr\n");
    }

    @Test
    void anArrayWhoseMembersHaveDifferentOutputPathsIsRefusedNamingTheJobAndField() {
        List<Submission> stdout = arrayTasks(Path.of("/runs/b"), Job.named("task").command("true").stdout("out-{x}.log"));
        assertThatThrownBy(() -> SLURM.renderArray(stdout, 0)).isInstanceOfSatisfying(SchedulerException.class, e -> {
            assertThat(e.isTransient()).isFalse();
            assertThat(e.getMessage()).contains("sweep 'task'", "job 'task_1'", "stdout 'out-2.log'", "--output");
        });
        List<Submission> stderr = arrayTasks(Path.of("/runs/b"), Job.named("task").command("true").stderr("/e/{x}"));
        assertThatThrownBy(() -> SLURM.renderArray(stderr, 0)).isInstanceOf(SchedulerException.class)
                .hasMessageContaining("job 'task_1'").hasMessageContaining("stderr '/e/2'").hasMessageContaining("--error");
    }

    @Test
    void anArraysStderrPathSbatchCannotTakeIsRefused() {
        List<Submission> tasks = arrayTasks(Path.of("/runs/b"), Job.named("task").command("true").stderr("my err.txt"));
        assertThatThrownBy(() -> SLURM.renderArray(tasks, 0)).isInstanceOf(SchedulerException.class)
                .hasMessageContaining("stderr path '/runs/b/task_0/1/my err.txt'");
    }

    @Test
    void aPathSbatchCannotTakeIsRefused() {
        Submission s = new Submission(Job.named("j").command("true"), "b", Path.of("/runs/my run/j/1"), 1, List.of(),
                TOKEN);
        assertThatThrownBy(() -> SLURM.render(s)).isInstanceOf(SchedulerException.class)
                .hasMessageContaining("/runs/my run/j/1/stdout")
                .satisfies(e -> assertThat(((SchedulerException) e).isTransient()).isFalse());
    }
}
