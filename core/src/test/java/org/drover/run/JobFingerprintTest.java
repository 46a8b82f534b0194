package org.drover.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.drover.Bundle;
import org.drover.Job;
import org.drover.Sweep;
import org.junit.jupiter.api.Test;

/** The fingerprint of a job's definition, and the words for what changed between two definitions. */
class JobFingerprintTest {
    static final Job BASE = Job.named("train").command("python", "train.py", "--lr", "0.1");

    @Test
    void coversEveryFieldOfAJob() {
        long fields = Arrays.stream(Job.class.getDeclaredFields()).filter(f -> !Modifier.isStatic(f.getModifiers())).count();
        assertThat(fields).as("Job has a field the fingerprint does not cover: add it to JobFingerprint and "
                + "DefinitionChanges, then FIELDS_COVERED").isEqualTo(JobFingerprint.FIELDS_COVERED);
    }

    @Test
    void isStableAndShort() {
        assertThat(JobFingerprint.of(BASE)).matches("[0-9a-f]{16}");
        assertThat(JobFingerprint.of(BASE)).isEqualTo(JobFingerprint.of(Job.named("train")
                .command("python", "train.py", "--lr", "0.1")));
        // The order of environment variables and of dependencies means nothing.
        assertThat(JobFingerprint.of(BASE.env("A", "1").env("B", "2").dependsOn("x").dependsOn("y")))
                .isEqualTo(JobFingerprint.of(BASE.env("B", "2").env("A", "1").dependsOn("y").dependsOn("x")));
    }

    @Test
    void everyChangeChangesItAndIsNamed() {
        Map<String, UnaryOperator<Job>> changes = new LinkedHashMap<>();
        changes.put("command changed from [python, train.py, --lr, 0.1] to [python, train.py, --lr, 0.01]",
                j -> j.command("python", "train.py", "--lr", "0.01"));
        changes.put("command [python, train.py, --lr, 0.1] replaced by a script", j -> j.script("python train.py"));
        changes.put("cpus changed from 1 to 4", j -> j.cpus(4));
        changes.put("memory changed from none to 4G", j -> j.memory("4G"));
        changes.put("gpus changed from 0 to 1", j -> j.gpus(1));
        changes.put("nodes changed from 1 to 2", j -> j.nodes(2));
        changes.put("tasks changed from 1 to 8", j -> j.tasks(8));
        changes.put("walltime changed from none to 01:00:00", j -> j.walltime("01:00:00"));
        changes.put("partition changed from none to gpu", j -> j.partition("gpu"));
        changes.put("account changed from none to lab", j -> j.account("lab"));
        changes.put("qos changed from none to high", j -> j.qos("high"));
        changes.put("exclusive changed from false to true", Job::exclusive);
        changes.put("constraint changed from none to avx2", j -> j.constraint("avx2"));
        changes.put("env TOKEN added", j -> j.env("TOKEN", "s3cret"));
        changes.put("working directory changed from none to /data", j -> j.workingDir("/data"));
        changes.put("stdout changed from none to out.txt", j -> j.stdout("out.txt"));
        changes.put("stderr changed from none to err.txt", j -> j.stderr("err.txt"));
        changes.put("directives changed from [] to [--mail-type=END]", j -> j.directive("--mail-type=END"));
        changes.put("dependencies changed from [] to [afterok:prep]", j -> j.dependsOn("prep"));
        changes.put("requeue changed from false to true", j -> j.requeue(true));
        String base = JobFingerprint.of(BASE);
        changes.forEach((words, change) -> {
            Job changed = change.apply(BASE);
            assertThat(JobFingerprint.of(changed)).as(words).isNotEqualTo(base);
            assertThat(DefinitionChanges.between(BASE, changed)).containsExactly(words);
        });
    }

    @Test
    void sweepValuesScriptLinesAndEnvironmentValuesAreDescribedWithoutShowingSecrets() {
        List<Job> v1 = Bundle.named("s").add(Sweep.of(Job.named("t").command("echo", "{lr}")).param("lr", "0.1", "0.2"))
                .jobs();
        List<Job> v2 = Bundle.named("s").add(Sweep.of(Job.named("t").command("echo", "{lr}")).param("lr", "0.1", "0.3"))
                .jobs();
        assertThat(JobFingerprint.of(v1.get(0))).isEqualTo(JobFingerprint.of(v2.get(0)));
        assertThat(DefinitionChanges.between(v1.get(1), v2.get(1)))
                .containsExactly("command changed from [echo, 0.2] to [echo, 0.3]",
                        "env DROVER_PARAM_lr changed",   // a sweep's values reach the job in its environment too
                        "sweep values changed from {lr=0.2} to {lr=0.3}");

        Job script = Job.named("s").script("set -e\ncd data\npython fit.py --lr 0.1\n");
        assertThat(DefinitionChanges.between(script, script.script("set -e\ncd data\npython fit.py --lr 0.2\n")))
                .containsExactly("script changed: line 3 was 'python fit.py --lr 0.1', is 'python fit.py --lr 0.2'");
        assertThat(DefinitionChanges.between(script, script.script("set -e\ncd data\npython fit.py --lr 0.1\necho\n")))
                .containsExactly("script changed: line 4 added");
        assertThat(DefinitionChanges.between(script, script.script("set -e\n"))).containsExactly("script changed: lines 2 to 3 removed");

        Job secret = BASE.env("TOKEN", "s3cret").env("GONE", "x");
        List<String> words = DefinitionChanges.between(secret, BASE.env("TOKEN", "other"));
        assertThat(words).containsExactly("env GONE removed", "env TOKEN changed");
        assertThat(String.join(" ", words)).doesNotContain("s3cret").doesNotContain("other");
    }

    @Test
    void jobHasTheFieldsTheFingerprintNames() {
        // A reminder with names: these are the fields JobFingerprint.of encodes.
        List<String> names = Arrays.stream(Job.class.getDeclaredFields()).filter(f -> !Modifier.isStatic(f.getModifiers()))
                .map(Field::getName).toList();
        assertThat(names).containsExactlyInAnyOrder("name", "command", "script", "resources", "env", "workingDir",
                "stdout", "stderr", "directives", "dependencies", "requeue", "sweep", "sweepIndex", "params");
    }
}
