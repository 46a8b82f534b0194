package org.drover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.drover.internal.ScriptPlaceholders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SweepTest {
    private static final Job TEMPLATE = Job.named("train").command("python", "train.py", "--lr={lr}", "--seed={seed}");

    @Test
    void cartesianProductWithTheLastParameterFastest() {
        Sweep s = Sweep.of(TEMPLATE).param("lr", 0.1, 0.01).param("seed", 1, 2, 3);
        assertThat(s.size()).isEqualTo(6);
        List<Job> jobs = s.jobs();
        assertThat(jobs).extracting(Job::name)
                .containsExactly("train_0", "train_1", "train_2", "train_3", "train_4", "train_5");
        assertThat(jobs).extracting(j -> j.command().get(2) + " " + j.command().get(3)).containsExactly(
                "--lr=0.1 --seed=1", "--lr=0.1 --seed=2", "--lr=0.1 --seed=3",
                "--lr=0.01 --seed=1", "--lr=0.01 --seed=2", "--lr=0.01 --seed=3");
        assertThat(jobs).extracting(Job::sweepIndex).containsExactly(0, 1, 2, 3, 4, 5);
        assertThat(jobs).allSatisfy(j -> assertThat(j.sweep()).contains("train"));
    }

    @Test
    void threeParametersInOdometerOrder() {
        Sweep s = Sweep.of(Job.named("g").command("x", "{a}{b}{c}"))
                .param("a", "0", "1").param("b", "0", "1", "2").param("c", "0", "1");
        List<String> got = s.jobs().stream().map(j -> j.command().get(1)).collect(Collectors.toList());
        assertThat(got).containsExactly("000", "001", "010", "011", "020", "021",
                "100", "101", "110", "111", "120", "121");
    }

    @Test
    void paramsAreRecordedPerJobInDeclarationOrder() {
        List<Job> jobs = Sweep.of(TEMPLATE).param("seed", 7, 8).param("lr", 0.5).jobs();
        assertThat(jobs.get(0).params()).containsExactly(entry("seed", "7"), entry("lr", "0.5"));
        assertThat(jobs.get(1).params()).containsExactly(entry("seed", "8"), entry("lr", "0.5"));
    }

    @Test
    void sweepParamsAreTheDeclaredValues() {
        Sweep s = Sweep.of(TEMPLATE).param("lr", 0.1, 0.01).param("seed", List.of(1, 2));
        assertThat(s.params()).containsExactly(entry("lr", List.of("0.1", "0.01")), entry("seed", List.of("1", "2")));
        assertThat(s.name()).isEqualTo("train");
        assertThat(s.template()).isEqualTo(TEMPLATE);
    }

    @Test
    void substitutesInEveryTemplatedField() {
        Job template = Job.named("t")
                .script("#!/bin/bash\npython run.py --lr {lr}\necho done {lr}\n")
                .env("LR", "{lr}").env("KEEP", "plain").env("MIX", "a{lr}b{lr}c")
                .workingDir("/runs/lr-{lr}")
                .stdout("out-{lr}.txt")
                .stderr("err-{lr}.txt");
        Job j = Sweep.of(template).param("lr", "0.3").jobs().get(0);
        // In a script body a placeholder becomes a quoted reference to the parameter's variable.
        assertThat(j.script()).contains("#!/bin/bash\npython run.py --lr \"${DROVER_PARAM_lr}\"\necho done \"${DROVER_PARAM_lr}\"\n");
        assertThat(j.env()).containsExactly(entry("LR", "0.3"), entry("KEEP", "plain"), entry("MIX", "a0.3b0.3c"),
                entry("DROVER_PARAM_lr", "0.3"));
        assertThat(j.workingDir()).contains("/runs/lr-0.3");
        assertThat(j.stdout()).contains("out-0.3.txt");
        assertThat(j.stderr()).contains("err-0.3.txt");
        assertThat(j.command()).isEmpty();
    }

    @Test
    void keepsEverythingElseOfTheTemplate() {
        Job template = Job.named("t").command("x").cpus(4).memory("8G").gpus(1).walltime("01:00:00")
                .partition("gpu").directive("--mail-type=END").requeue(true).dependsOn("prep");
        Job j = Sweep.of(template).param("p", 1).jobs().get(0);
        assertThat(j.resources()).isEqualTo(template.resources());
        assertThat(j.directives()).containsExactly("--mail-type=END");
        assertThat(j.requeue()).isTrue();
        assertThat(j.dependencies()).containsExactly(Dependency.afterOk("prep"));
    }

    @Test
    void leavesUnknownAndJsonLikeBracesAlone() {
        Job template = Job.named("t").command("run", "{x}", "{lr}", "{\"a\":1}", "{", "}", "{}", "{lr",
                "lr}", "{{lr}}", "${lr}", "{LR}", "{ lr }", "{\"lr\": {lr}}");
        Job j = Sweep.of(template).param("lr", "5").jobs().get(0);
        assertThat(j.command()).containsExactly("run", "{x}", "5", "{\"a\":1}", "{", "}", "{}", "{lr",
                "lr}", "{5}", "$5", "{LR}", "{ lr }", "{\"lr\": 5}");
    }

    @Test
    void substitutedValuesAreNotSubstitutedAgain() {
        Job template = Job.named("t").command("run", "{a}-{b}");
        Job j = Sweep.of(template).param("a", "{b}").param("b", "{a}").jobs().get(0);
        assertThat(j.command()).containsExactly("run", "{b}-{a}");
    }

    @Test
    void hostileValuesAreSubstitutedVerbatim() {
        Sweep s = Sweep.of(Job.named("t").command("echo", "{v}").env("V", "{v}")).param("v", JobTest.HOSTILE);
        List<Job> jobs = s.jobs();
        assertThat(jobs).hasSize(JobTest.HOSTILE.size());
        for (int i = 0; i < jobs.size(); i++) {
            assertThat(jobs.get(i).command()).containsExactly("echo", JobTest.HOSTILE.get(i));
            assertThat(jobs.get(i).env()).containsEntry("V", JobTest.HOSTILE.get(i));
            assertThat(jobs.get(i).params()).containsEntry("v", JobTest.HOSTILE.get(i));
        }
    }

    @Test
    void formatsValues() {
        // Regression: 1e-5 was written "0.000010" (BigDecimal of "1.0E-5" keeps the trailing zero).
        Sweep s = Sweep.of(Job.named("t").command("x"))
                .param("v", 0.1, 1e-5, 1e10, 2.5f, 100, 7L, true, "text", new BigDecimal("1.50"), 1e-4, -3.0);
        assertThat(s.params().get("v")).containsExactly(
                "0.1", "0.00001", "10000000000", "2.5", "100", "7", "true", "text", "1.50", "0.0001", "-3.0");
    }

    @Test
    void noParameterMakesOneJob() {
        Sweep s = Sweep.of(Job.named("solo").command("x"));
        assertThat(s.size()).isEqualTo(1);
        assertThat(s.jobs()).singleElement().satisfies(j -> {
            assertThat(j.name()).isEqualTo("solo_0");
            assertThat(j.params()).isEmpty();
            assertThat(j.sweepIndex()).isZero();
        });
    }

    @Test
    void dependsOnAppliesToEveryJob() {
        Sweep s = Sweep.of(TEMPLATE).param("lr", 1, 2, 3).dependsOn("prep", "data")
                .dependsOn(DependencyType.AFTER_ANY, "warmup*");
        assertThat(s.jobs()).hasSize(3).allSatisfy(j -> assertThat(j.dependencies()).containsExactly(
                Dependency.afterOk("prep"), Dependency.afterOk("data"), Dependency.on("warmup*", DependencyType.AFTER_ANY)));
    }

    @Test
    void isImmutable() {
        Sweep base = Sweep.of(TEMPLATE).param("lr", 1, 2);
        Sweep more = base.param("seed", 1, 2);
        Sweep deps = base.dependsOn("x");
        Sweep array = base.asArray(3);
        assertThat(base.size()).isEqualTo(2);
        assertThat(more.size()).isEqualTo(4);
        assertThat(base.jobs()).allSatisfy(j -> assertThat(j.dependencies()).isEmpty());
        assertThat(deps.jobs()).allSatisfy(j -> assertThat(j.dependencies()).hasSize(1));
        assertThat(base.isArray()).isFalse();
        assertThat(array.isArray()).isTrue();
        assertThat(base.jobs()).isEqualTo(base.jobs());
    }

    @Test
    void arrayOptionIsKeptByLaterCalls() {
        Sweep s = Sweep.of(TEMPLATE).asArray(4).param("lr", 1, 2).dependsOn("p");
        assertThat(s.isArray()).isTrue();
        assertThat(s.maxRunning()).isEqualTo(4);
        Sweep unlimited = Sweep.of(TEMPLATE).param("lr", 1).asArray();
        assertThat(unlimited.isArray()).isTrue();
        assertThat(unlimited.maxRunning()).isZero();
        assertThat(s.toString()).contains("array%4");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
    void asArrayRejectsALimitBelowOne(int maxRunning) {
        assertThatThrownBy(() -> Sweep.of(TEMPLATE).asArray(maxRunning))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxRunning")
                .hasMessageContaining(String.valueOf(maxRunning));
    }

    @Test
    void rejectsAParameterWithoutValues() {
        assertThatThrownBy(() -> Sweep.of(TEMPLATE).param("lr"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'lr'")
                .hasMessageContaining("no values");
        assertThatThrownBy(() -> Sweep.of(TEMPLATE).param("lr", List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no values");
    }

    @Test
    void rejectsADuplicateParameter() {
        assertThatThrownBy(() -> Sweep.of(TEMPLATE).param("lr", 1).param("lr", 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'train'")
                .hasMessageContaining("'lr'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1x", "a-b", "a b", "", "lr}", "{lr}", "é"})
    void rejectsABadParameterName(String name) {
        assertThatThrownBy(() -> Sweep.of(TEMPLATE).param(name, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sweep parameter name '" + name + "'");
    }

    @Test
    void rejectsANullParameterName() {
        assertThatThrownBy(() -> Sweep.of(TEMPLATE).param(null, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'null'");
    }

    @Test
    void rejectsANullValueNamingItsPosition() {
        assertThatThrownBy(() -> Sweep.of(TEMPLATE).param("lr", 0.1, null, 0.3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'lr'")
                .hasMessageContaining("null value at position 1");
        assertThatThrownBy(() -> Sweep.of(TEMPLATE).param("lr", Arrays.asList((Object) null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("position 0");
    }

    @Test
    void rejectsANulInAValue() {
        assertThatThrownBy(() -> Sweep.of(TEMPLATE).param("lr", "a\0b"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lr")
                .hasMessageContaining("NUL");
    }

    @Test
    void rejectsMoreJobsThanTheLimit() {
        List<Integer> thousand = IntStream.range(0, 1000).boxed().collect(Collectors.toList());
        Sweep million = Sweep.of(TEMPLATE).param("a", thousand).param("b", thousand);
        assertThat(million.size()).isEqualTo(Sweep.MAX_SIZE);
        assertThatThrownBy(() -> million.param("c", 1, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2000000")
                .hasMessageContaining(String.valueOf(Sweep.MAX_SIZE));
        List<Integer> big = IntStream.range(0, 1001).boxed().collect(Collectors.toList());
        assertThatThrownBy(() -> Sweep.of(TEMPLATE).param("a", thousand).param("b", big))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1001000");
    }

    @Test
    void rejectsATemplateAlreadyInASweep() {
        Job member = Sweep.of(TEMPLATE).param("lr", 1).jobs().get(0);
        assertThatThrownBy(() -> Sweep.of(member))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'train_0'");
        assertThatThrownBy(() -> Sweep.of(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void rejectsMemberNamesThatGrowTooLong() {
        Sweep s = Sweep.of(Job.named("x".repeat(126)).command("run")).param("i", IntStream.range(0, 11).boxed()
                .collect(Collectors.toList()));
        // x..x_9 is 128 characters, x..x_10 would be 129.
        assertThatThrownBy(s::jobs)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("x".repeat(126) + "_10")
                .hasMessageContaining("too long");
    }

    @Test
    void substituteOnlyReplacesDeclaredNames() {
        assertThat(ScriptPlaceholders.substituteBraces("a{x}b{y}c{z}", Map.of("x", "1", "y", "2"))).isEqualTo("a1b2c{z}");
        assertThat(ScriptPlaceholders.substituteBraces("no braces", Map.of("x", "1"))).isEqualTo("no braces");
        assertThat(ScriptPlaceholders.substituteBraces("{x", Map.of("x", "1"))).isEqualTo("{x");
        assertThat(ScriptPlaceholders.substituteBraces("}{x}{", Map.of("x", "1"))).isEqualTo("}1{");
    }

    @Test
    void everyJobGetsItsParametersAsEnvironmentVariables() {
        List<Job> jobs = Sweep.of(TEMPLATE).param("lr", 0.1, 0.01).param("seed", 1, 2).jobs();
        assertThat(jobs.get(2).env()).containsExactly(entry("DROVER_PARAM_lr", "0.01"), entry("DROVER_PARAM_seed", "1"));
        assertThat(Sweep.envName("lr")).isEqualTo("DROVER_PARAM_lr");
    }

    @Test
    void rejectsATemplateThatSetsAParameterVariableItself() {
        // Refused as the template is built: DROVER_ names are reserved (Job.env).
        assertThatThrownBy(() -> Job.named("t").command("x").env("DROVER_PARAM_lr", "1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("DROVER_PARAM_lr")
                .hasMessageContaining("reserved");
    }

    @Test
    void scriptPlaceholdersBecomeReferencesThatFitTheirQuoting() {
        String script = "echo {v} x{v}y \"in {v} dq\" 'in {v} sq' $'ansi {v}' \\{v} \"\\\"{v}\" {w} {other}\n"
                + "# a comment {v} don't\n"
                + "cat <<EOF; cat <<-'END'\nbody {v} it's\nEOF\n\tliteral {v}\n\tEND\n"
                + "echo after 'x{v}'\n";
        Job j = Sweep.of(Job.named("t").script(script)).param("v", "$(id)").param("w", "1").jobs().get(0);
        assertThat(j.script()).contains(
                "echo \"${DROVER_PARAM_v}\" x\"${DROVER_PARAM_v}\"y \"in ${DROVER_PARAM_v} dq\" 'in '\"${DROVER_PARAM_v}\"' sq'"
                + " $'ansi '\"${DROVER_PARAM_v}\"$'' \\{v} \"\\\"${DROVER_PARAM_v}\" \"${DROVER_PARAM_w}\" {other}\n"
                + "# a comment {v} don't\n"
                + "cat <<EOF; cat <<-'END'\nbody ${DROVER_PARAM_v} it's\nEOF\n\tliteral ${DROVER_PARAM_v}\n\tEND\n"
                + "echo after 'x'\"${DROVER_PARAM_v}\"''\n");
        assertThat(j.script().orElseThrow()).doesNotContain("$(id)");
    }
}
