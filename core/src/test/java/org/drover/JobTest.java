package org.drover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

public class JobTest {

    /** Values that must pass through as plain data, never be interpreted. */
    public static final List<String> HOSTILE = List.of(
            "'; touch /tmp/pwned #",
            "$(id)",
            "`id`",
            "${HOME}",
            "a\nb\nc",
            "line one\r\nline two",
            "\"double\" quotes",
            "'single' quotes",
            "it's",
            "'",
            "\"",
            "back\\slash\\",
            "\\",
            "\\'",
            "tab\there",
            "unicode: héllo wörld ✓ 日本語 \uD83D\uDE80",
            "; rm -rf / ;",
            "&& reboot",
            "| cat /etc/passwd",
            "> /etc/hosts",
            "*",
            "~",
            "-n",
            "--help",
            "!",
            "#comment",
            "%s%n",
            "",
            " ");

    @Test
    void newJobHasDefaults() {
        Job j = Job.named("prep");
        assertThat(j.name()).isEqualTo("prep");
        assertThat(j.command()).isEmpty();
        assertThat(j.script()).isEmpty();
        assertThat(j.isRunnable()).isFalse();
        assertThat(j.resources()).isEqualTo(Resources.DEFAULT);
        assertThat(j.env()).isEmpty();
        assertThat(j.workingDir()).isEmpty();
        assertThat(j.stdout()).isEmpty();
        assertThat(j.stderr()).isEmpty();
        assertThat(j.directives()).isEmpty();
        assertThat(j.dependencies()).isEmpty();
        assertThat(j.requeue()).isFalse();
        assertThat(j.sweep()).isEmpty();
        assertThat(j.sweepIndex()).isEqualTo(-1);
        assertThat(j.params()).isEmpty();
    }

    @Test
    void fluentSettersSetEverything() {
        Job j = Job.named("train")
                .command("python", "train.py", "--lr", "0.1")
                .cpus(4).memory("16G").gpus(2).nodes(3).tasks(6).walltime("1-12:00:00")
                .partition("gpu").account("proj-42").qos("high").exclusive().constraint("intel&(gpu|bigmem)")
                .env("OMP_NUM_THREADS", "4").env("_X1", "y")
                .workingDir("/scratch/w").stdout("out.txt").stderr("err.txt")
                .directive("--mail-type=END").directive("--comment=x")
                .requeue(true);
        assertThat(j.command()).containsExactly("python", "train.py", "--lr", "0.1");
        assertThat(j.isRunnable()).isTrue();
        Resources r = j.resources();
        assertThat(r.cpus()).isEqualTo(4);
        assertThat(r.memory()).contains(Memory.ofGigabytes(16));
        assertThat(r.gpus()).isEqualTo(2);
        assertThat(r.nodes()).isEqualTo(3);
        assertThat(r.tasks()).isEqualTo(6);
        assertThat(r.walltime()).contains(Duration.ofHours(36));
        assertThat(r.partition()).contains("gpu");
        assertThat(r.account()).contains("proj-42");
        assertThat(r.qos()).contains("high");
        assertThat(r.exclusive()).isTrue();
        assertThat(r.constraint()).contains("intel&(gpu|bigmem)");
        assertThat(j.env()).containsExactly(entry("OMP_NUM_THREADS", "4"), entry("_X1", "y"));
        assertThat(j.workingDir()).contains("/scratch/w");
        assertThat(j.stdout()).contains("out.txt");
        assertThat(j.stderr()).contains("err.txt");
        assertThat(j.directives()).containsExactly("--mail-type=END", "--comment=x");
        assertThat(j.requeue()).isTrue();
    }

    @Test
    void queueIsThePartition() {
        assertThat(Job.named("a").queue("workq").resources().partition()).contains("workq");
    }

    @Test
    void workingDirFromPath() {
        assertThat(Job.named("a").workingDir(Path.of("/data", "run 1")).workingDir()).contains("/data/run 1");
    }

    @Test
    void commandAndScriptReplaceEachOther() {
        Job c = Job.named("a").script("echo hi").command("ls", "-l");
        assertThat(c.command()).containsExactly("ls", "-l");
        assertThat(c.script()).isEmpty();
        Job s = c.script("echo hi\necho there\n");
        assertThat(s.command()).isEmpty();
        assertThat(s.script()).contains("echo hi\necho there\n");
        assertThat(s.isRunnable()).isTrue();
    }

    @Test
    void envReplacesAValueAndKeepsOrder() {
        Job j = Job.named("a").env("A", "1").env("B", "2").env("A", "3");
        assertThat(j.env()).containsExactly(entry("A", "3"), entry("B", "2"));
        Map<String, String> more = new LinkedHashMap<>();
        more.put("Z", "26");
        more.put("Y", "25");
        assertThat(j.env(more).env()).containsExactly(entry("A", "3"), entry("B", "2"), entry("Z", "26"),
                entry("Y", "25"));
    }

    static Stream<Arguments> fluentCalls() {
        return Stream.of(
                Arguments.of("command", (UnaryOperator<Job>) j -> j.command("other", "x")),
                Arguments.of("command list", (UnaryOperator<Job>) j -> j.command(List.of("other"))),
                Arguments.of("script", (UnaryOperator<Job>) j -> j.script("echo x")),
                Arguments.of("cpus", (UnaryOperator<Job>) j -> j.cpus(8)),
                Arguments.of("memory", (UnaryOperator<Job>) j -> j.memory("1G")),
                Arguments.of("memory object", (UnaryOperator<Job>) j -> j.memory(Memory.ofMegabytes(5))),
                Arguments.of("gpus", (UnaryOperator<Job>) j -> j.gpus(1)),
                Arguments.of("nodes", (UnaryOperator<Job>) j -> j.nodes(2)),
                Arguments.of("tasks", (UnaryOperator<Job>) j -> j.tasks(2)),
                Arguments.of("walltime", (UnaryOperator<Job>) j -> j.walltime("10")),
                Arguments.of("walltime duration", (UnaryOperator<Job>) j -> j.walltime(Duration.ofHours(3))),
                Arguments.of("partition", (UnaryOperator<Job>) j -> j.partition("p2")),
                Arguments.of("queue", (UnaryOperator<Job>) j -> j.queue("q2")),
                Arguments.of("account", (UnaryOperator<Job>) j -> j.account("acc2")),
                Arguments.of("qos", (UnaryOperator<Job>) j -> j.qos("low")),
                Arguments.of("exclusive", (UnaryOperator<Job>) Job::exclusive),
                Arguments.of("constraint", (UnaryOperator<Job>) j -> j.constraint("amd")),
                Arguments.of("resources", (UnaryOperator<Job>) j -> j.resources(Resources.DEFAULT)),
                Arguments.of("env", (UnaryOperator<Job>) j -> j.env("NEW", "v")),
                Arguments.of("env override", (UnaryOperator<Job>) j -> j.env("A", "changed")),
                Arguments.of("env map", (UnaryOperator<Job>) j -> j.env(Map.of("M", "m"))),
                Arguments.of("workingDir", (UnaryOperator<Job>) j -> j.workingDir("/elsewhere")),
                Arguments.of("stdout", (UnaryOperator<Job>) j -> j.stdout("o2")),
                Arguments.of("stderr", (UnaryOperator<Job>) j -> j.stderr("e2")),
                Arguments.of("directive", (UnaryOperator<Job>) j -> j.directive("--x=2")),
                Arguments.of("requeue", (UnaryOperator<Job>) j -> j.requeue(true)),
                Arguments.of("dependsOn", (UnaryOperator<Job>) j -> j.dependsOn("c")),
                Arguments.of("dependsOn type", (UnaryOperator<Job>) j -> j.dependsOn(DependencyType.AFTER_ANY, "c")),
                Arguments.of("afterAny", (UnaryOperator<Job>) j -> j.afterAny("c")),
                Arguments.of("afterNotOk", (UnaryOperator<Job>) j -> j.afterNotOk("c")),
                Arguments.of("withoutDependencies", (UnaryOperator<Job>) Job::withoutDependencies),
                Arguments.of("renamed", (UnaryOperator<Job>) j -> j.renamed("b")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fluentCalls")
    void fluentCallsLeaveTheOriginalUnchanged(String what, UnaryOperator<Job> call) {
        Job original = fullJob();
        String before = original.toJson();
        Job changed = call.apply(original);
        assertThat(changed).isNotSameAs(original).isNotEqualTo(original);
        assertThat(original).isEqualTo(fullJob());
        assertThat(original.toJson()).isEqualTo(before);
    }

    private static Job fullJob() {
        return Job.named("a").command("run", "x").cpus(2).memory("2G").walltime("30").partition("p")
                .account("acc").qos("normal").constraint("intel").env("A", "1").workingDir("/w").stdout("o")
                .stderr("e").directive("--x=1").dependsOn("b");
    }

    @Test
    void lastFluentCallWins() {
        assertThat(Job.named("a").cpus(2).cpus(3).resources().cpus()).isEqualTo(3);
        assertThat(Job.named("a").memory("1G").memory("2G").resources().memory()).contains(Memory.ofGigabytes(2));
    }

    // ---- validation: every message names the field and the value ----

    @ParameterizedTest
    @ValueSource(strings = {"bad name", "../x", ".hidden", ".", "..", "-x", "a/b", "a;b", "a$b", "ä", "a\nb", "a\tb",
            "name*"})
    void rejectsBadJobNames(String name) {
        assertThatThrownBy(() -> Job.named(name))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("job name '" + Names.printable(name) + "'");
    }

    @Test
    void rejectsEmptyAndNullJobName() {
        assertThatThrownBy(() -> Job.named(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("job name must not be empty");
        assertThatThrownBy(() -> Job.named(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("job name");
    }

    @Test
    void nameLengthLimitIs128() {
        String ok = "n".repeat(128);
        assertThat(Job.named(ok).name()).isEqualTo(ok);
        String tooLong = "n".repeat(129);
        assertThatThrownBy(() -> Job.named(tooLong))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("job name '" + tooLong + "'")
                .hasMessageContaining("1-128");
    }

    @Test
    void acceptsNamesWithDotsDashesUnderscores() {
        assertThat(Job.named("_a.b-c_0").name()).isEqualTo("_a.b-c_0");
        assertThat(Job.named("0").name()).isEqualTo("0");
    }

    @Test
    void renamedIsValidated() {
        assertThatThrownBy(() -> Job.named("a").renamed("x y"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("job name 'x y'");
    }

    static Stream<Arguments> invalidCalls() {
        Job j = Job.named("a");
        return Stream.of(
                bad("cpus -1", () -> j.cpus(-1), "cpus", "-1"),
                bad("cpus 0", () -> j.cpus(0), "cpus", "0"),
                bad("gpus -1", () -> j.gpus(-1), "gpus", "-1"),
                bad("nodes 0", () -> j.nodes(0), "nodes", "0"),
                bad("nodes -3", () -> j.nodes(-3), "nodes", "-3"),
                bad("tasks 0", () -> j.tasks(0), "tasks", "0"),
                bad("env name 1X", () -> j.env("1X", "v"), "environment variable name", "'1X'"),
                bad("env name A-B", () -> j.env("A-B", "v"), "environment variable name", "'A-B'"),
                bad("env name with =", () -> j.env("A=B", "v"), "environment variable name", "'A=B'"),
                bad("env name empty", () -> j.env("", "v"), "environment variable name", "''"),
                bad("env name null", () -> j.env(null, "v"), "environment variable name", "null"),
                bad("env value NUL", () -> j.env("A", "x\0y"), "env A", "x\\u0000y"),
                bad("env name reserved", () -> j.env("DROVER_JOB_ID", "7"), "job 'a' sets environment variable", "DROVER_JOB_ID"),
                bad("env name reserved, in a map", () -> j.env(Map.of("DROVER_ATTEMPT_DIR", "/x")),
                        "job 'a' sets environment variable", "DROVER_ATTEMPT_DIR"),
                bad("env name of a parameter", () -> j.env("DROVER_PARAM_lr", "1"), "job 'a' sets environment variable",
                        "DROVER_PARAM_lr"),
                bad("env value null", () -> j.env("A", null), "env A", "null"),
                bad("arg NUL", () -> j.command("echo", "a\0b"), "command[1]", "a\\u0000b"),
                bad("program NUL", () -> j.command("ec\0ho"), "command[0]", "ec\\u0000ho"),
                bad("arg null", () -> j.command(java.util.Arrays.asList("echo", null)), "command[1]", "null"),
                bad("no words", () -> j.command(new String[0]), "command", "at least one word"),
                bad("no words list", () -> j.command(List.of()), "command", "at least one word"),
                bad("empty program", () -> j.command("", "x"), "command[0]", "empty"),
                bad("blank script", () -> j.script(" \n\t "), "script", "blank"),
                bad("empty script", () -> j.script(""), "script", "blank"),
                bad("script NUL", () -> j.script("echo \0"), "script", "echo \\u0000"),
                bad("directive newline", () -> j.directive("--a\n#SBATCH --b"), "directive", "--a\\n#SBATCH --b"),
                bad("directive CR", () -> j.directive("--a\r"), "directive", "--a\\r"),
                bad("directive empty", () -> j.directive(""), "directive", "empty"),
                bad("workingDir newline", () -> j.workingDir("/tmp/a\nb"), "workingDir", "/tmp/a\\nb"),
                bad("workingDir NUL", () -> j.workingDir("/tmp/\0"), "workingDir", "/tmp/\\u0000"),
                bad("stdout newline", () -> j.stdout("out\nx"), "stdout", "out\\nx"),
                bad("stderr newline", () -> j.stderr("err\nx"), "stderr", "err\\nx"),
                bad("partition space", () -> j.partition("a b"), "partition", "'a b'"),
                bad("partition semicolon", () -> j.partition("x;rm"), "partition", "'x;rm'"),
                bad("partition empty", () -> j.partition(""), "partition", "''"),
                bad("queue quote", () -> j.queue("q'"), "queue", "'q''"),
                bad("account dollar", () -> j.account("$(id)"), "account", "'$(id)'"),
                bad("qos newline", () -> j.qos("hi\nx"), "qos", "'hi\\nx'"),
                bad("constraint spaces", () -> j.constraint("intel gpu"), "constraint", "'intel gpu'"),
                bad("constraint semicolon", () -> j.constraint("a;b"), "constraint", "'a;b'"),
                bad("constraint backtick", () -> j.constraint("`id`"), "constraint", "'`id`'"),
                bad("memory", () -> j.memory("16 GiB?"), "memory", "'16 GiB?'"),
                bad("memory no unit", () -> j.memory("512"), "memory", "'512'"),
                bad("walltime", () -> j.walltime("25:61:00"), "walltime", "minutes 61"),
                bad("walltime duration", () -> j.walltime(Duration.ofMillis(10)), "walltime", "PT0.01S"),
                bad("dependency space", () -> j.dependsOn("a b"), "dependency", "'a b'"),
                bad("dependency slash", () -> j.afterAny("../x"), "dependency", "'../x'"),
                bad("dependency empty", () -> j.afterNotOk(""), "dependency", "''"));
    }

    private static Arguments bad(String what, ThrowingCallable call, String field, String value) {
        return Arguments.of(what, call, field, value);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidCalls")
    void rejectsInvalidValuesNamingFieldAndValue(String what, ThrowingCallable call, String field, String value) {
        assertThatThrownBy(call)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(field)
                .hasMessageContaining(value);
    }

    @Test
    void droversOwnVariablesCannotBeSetByAJob() {
        assertThatThrownBy(() -> Job.named("train").command("x").env("DROVER_JOB_NAME", "mine"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("job 'train' sets environment variable DROVER_JOB_NAME: names starting with DROVER_ are "
                        + "reserved for the variables Drover sets itself (DROVER_JOB_ID, DROVER_JOB_NAME, "
                        + "DROVER_ATTEMPT_DIR, DROVER_PARAM_<name> of sweep members), which the job's own value "
                        + "would replace; choose another name");
        // Only the exact prefix is reserved: other names that merely contain it are the user's.
        assertThat(Job.named("a").env("MY_DROVER_X", "1").env("drover_x", "2").env("DROVERX", "3").env()).hasSize(3);
    }

    @Test
    void nullArgumentsAreRejected() {
        Job j = Job.named("a");
        assertThatThrownBy(() -> j.memory((Memory) null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("memory");
        assertThatThrownBy(() -> j.resources(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("resources");
        assertThatThrownBy(() -> j.dependsOn((DependencyType) null, "x")).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("dependency type");
    }

    @Test
    void acceptsSchedulerWordsAndConstraints() {
        Job j = Job.named("a").partition("gpu-a100,cpu").account("proj_1:x").qos("q+1@site=a/b")
                .constraint("[rack1*2|rack2*2]&!slow");
        assertThat(j.resources().partition()).contains("gpu-a100,cpu");
        assertThat(j.resources().constraint()).contains("[rack1*2|rack2*2]&!slow");
    }

    // ---- dependencies ----

    @Test
    void dependenciesAccumulateWithTheirTypes() {
        Job j = Job.named("report")
                .dependsOn("prep", "train")
                .afterAny("train*")
                .afterNotOk("alert")
                .dependsOn(DependencyType.AFTER_ANY, "x");
        assertThat(j.dependencies()).containsExactly(
                Dependency.afterOk("prep"),
                Dependency.afterOk("train"),
                Dependency.on("train*", DependencyType.AFTER_ANY),
                Dependency.on("alert", DependencyType.AFTER_NOT_OK),
                Dependency.on("x", DependencyType.AFTER_ANY));
        assertThat(j.dependencies().get(2).isPattern()).isTrue();
        assertThat(j.dependencies().get(0).isPattern()).isFalse();
        assertThat(j.dependencies().get(3)).hasToString("afternotok:alert");
        assertThat(j.withoutDependencies().dependencies()).isEmpty();
    }

    @Test
    void dependsOnNothingIsANoOp() {
        Job j = Job.named("a").dependsOn();
        assertThat(j.dependencies()).isEmpty();
    }

    // ---- hostile values are data ----

    @Test
    void hostileValuesAreAcceptedUnchangedAsArgumentsAndEnv() {
        for (String h : HOSTILE) {
            Job j = Job.named("h").command("echo", h).env("V", h).env("HOSTILE_1", h);
            assertThat(j.command()).containsExactly("echo", h);
            assertThat(j.env()).containsEntry("V", h).containsEntry("HOSTILE_1", h);
            assertThat(j.toString()).isNotNull();
        }
    }

    @Test
    void hostileValuesAreAcceptedAsScriptBodies() {
        for (String h : HOSTILE) {
            if (h.isBlank()) {
                continue;
            }
            assertThat(Job.named("h").script(h).script()).contains(h);
        }
    }

    @Test
    void hostileValuesAreAcceptedAsProgram() {
        for (String h : HOSTILE) {
            if (h.isEmpty()) {
                continue;
            }
            assertThat(Job.named("h").command(h).command()).containsExactly(h);
        }
    }

    @Test
    void oneLineFieldsAcceptShellCharacters() {
        Job j = Job.named("a").workingDir("/tmp/$(id)/`x`/'q'/\"d\"").stdout("out; rm -rf /").directive("-m abe");
        assertThat(j.workingDir()).contains("/tmp/$(id)/`x`/'q'/\"d\"");
        assertThat(j.stdout()).contains("out; rm -rf /");
    }

    // ---- identity ----

    @Test
    void equalJobsHaveEqualHashCodes() {
        assertThat(fullJob()).isEqualTo(fullJob()).hasSameHashCodeAs(fullJob());
        assertThat(Job.named("a").command("x")).isNotEqualTo(Job.named("a").script("x"));
        assertThat(Job.named("a").requeue(true)).isNotEqualTo(Job.named("a"));
        assertThat(Job.named("a").directive("--x")).isNotEqualTo(Job.named("a"));
    }

    @Test
    void toStringShowsTheQuotedCommand() {
        assertThat(Job.named("a").command("echo", "it's").cpus(2).dependsOn("b").toString())
                .contains("a:")
                .contains("'echo' 'it'\"'\"'s'")
                .contains("cpus=2")
                .contains("afterok:b");
        assertThat(Job.named("s").script("x").toString()).contains("<script: x>");
        assertThat(Job.named("n").toString()).contains("<nothing>");
    }
}
