package org.drover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.drover.run.RunRecord;
import org.drover.run.RunStore;
import org.drover.run.RunStoreException;
import org.drover.run.TaskRecord;
import org.drover.run.TaskState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Records are exactly as strict as the fluent API: every wrong value is refused with the file, the full
 * JSON path and a reason in Drover's words (no Jackson class names, no "Source: REDACTED").
 */
class JsonStrictTest {
    @TempDir
    Path dir;

    /** A bundle of jobs a, b, c and a fourth job whose JSON is {@code job}. */
    private static String bundleWithFourthJob(String job) {
        return "{\"name\":\"s\",\"jobs\":[{\"name\":\"a\",\"command\":[\"x\"]},{\"name\":\"b\",\"command\":[\"x\"]},"
                + "{\"name\":\"c\",\"command\":[\"x\"]}," + job + "]}";
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            a fraction for a whole number      | "resources":{"cpus":1.5}                   | at jobs[3].resources.cpus: expected a whole number, got 1.5
            a string for a whole number        | "resources":{"cpus":"4"}                   | at jobs[3].resources.cpus: expected a whole number, got "4"
            a number too large                 | "resources":{"cpus":99999999999}           | at jobs[3].resources.cpus: Numeric value (99999999999) out of range of int
            zero cpus                          | "resources":{"cpus":0}                     | at jobs[3].resources.cpus: cpus must be at least 1, got 0
            negative gpus                      | "resources":{"gpus":-1}                    | at jobs[3].resources.gpus: gpus must be 0 or more, got -1
            a walltime that does not parse     | "resources":{"walltime":"abc"}             | at jobs[3].resources.walltime: walltime 'abc' is not a walltime
            a memory without a known unit      | "resources":{"memory":"2X"}                | at jobs[3].resources.memory: memory '2X' is not a size
            a string for a boolean             | "resources":{"exclusive":"yes"}            | at jobs[3].resources.exclusive: expected true or false, got "yes"
            a number for a boolean             | "requeue":1                                | at jobs[3].requeue: expected true or false, got 1
            a duplicate key                    | "resources":{"cpus":2,"cpus":3}            | at jobs[3].resources.cpus: the field "cpus" appears twice
            a number for an env value          | "env":{"A":5}                              | at jobs[3].env.A: expected a string, got 5
            a bad env name                     | "env":{"1A":"v"}                           | at jobs[3].env: environment variable name '1A' is not allowed
            a reserved env name                | "env":{"A":"1","DROVER_JOB_ID":"7"}        | at jobs[3].env: job 'd' sets environment variable DROVER_JOB_ID: names starting with DROVER_ are reserved for the variables Drover sets itself
            a parameter variable, no sweep     | "env":{"DROVER_PARAM_lr":"0.1"}            | at jobs[3].env: job 'd' sets environment variable DROVER_PARAM_lr: names starting with DROVER_ are reserved
            a parameter variable, not the value | "sweep":"t","sweepIndex":0,"params":{"lr":"0.1"},"env":{"DROVER_PARAM_lr":"0.2"} | at jobs[3].env: job 'd' sets environment variable DROVER_PARAM_lr: names starting with DROVER_ are reserved
            a variable of no parameter         | "sweep":"t","sweepIndex":0,"params":{"lr":"0.1"},"env":{"DROVER_PARAM_x":"0.1"} | at jobs[3].env: job 'd' sets environment variable DROVER_PARAM_x: names starting with DROVER_ are reserved
            a bad partition                    | "resources":{"partition":"gpu debug"}      | at jobs[3].resources.partition: partition 'gpu debug' is not allowed
            an unknown dependency type         | "dependencies":[{"target":"a","type":"afterokk"}] | at jobs[3].dependencies[0].type: expected one of AFTER_OK, AFTER_ANY, AFTER_NOT_OK, got "afterokk"
            a bad dependency target            | "dependencies":[{"target":"a b"}]          | at jobs[3].dependencies[0].target: dependency 'a b' must be a job or sweep name
            an unknown field                   | "cpu":2                                    | at jobs[3].cpu: unknown field "cpu"; the fields are command, dependencies
            a sweep index without a sweep      | "sweepIndex":2                             | at jobs[3]: job 'd' has sweepIndex but no sweep
            params without a sweep             | "params":{"lr":"0.1"}                      | at jobs[3]: job 'd' has params but no sweep
            a sweep member without an index    | "sweep":"t","params":{"lr":"0.1"}          | at jobs[3]: job 'd' is a member of sweep 't' but has no sweepIndex
            a negative sweep index             | "sweep":"t","sweepIndex":-1                | at jobs[3].sweepIndex: must be 0 or more, got -1
            a number for a sweep value         | "sweep":"t","sweepIndex":0,"params":{"lr":0.1} | at jobs[3].params.lr: expected a string, got 0.1
            a bad parameter name               | "sweep":"t","sweepIndex":0,"params":{"1x":"a"} | at jobs[3].params.1x: sweep parameter name '1x' is not allowed
            """)
    void aBadValueIsRefusedWithItsFullPath(String what, String fields, String expected) throws IOException {
        Path file = dir.resolve("study.json");
        Files.writeString(file, bundleWithFourthJob("{\"name\":\"d\",\"command\":[\"x\"]," + fields + "}"));
        assertThatThrownBy(() -> Bundle.load(file))
                .isInstanceOf(RecordFormatException.class)
                .hasMessageStartingWith(file + ": " + expected)
                .satisfies(JsonStrictTest::leaksNothing);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            an empty command           | {"name":"d","command":[]}                      | at jobs[3].command: command must have at least one word
            a null command word        | {"name":"d","command":["x",null]}              | at jobs[3].command[1]: expected a value, got null
            a string for a list        | {"name":"d","command":"x"}                     | at jobs[3].command: expected a list, got "x"
            a command and a script     | {"name":"d","command":["x"],"script":"y"}      | at jobs[3]: job 'd' has both a command and a script
            a null name                | {"name":null,"command":["x"]}                  | at jobs[3].name: expected a value, got null
            a bad name                 | {"name":"a b","command":["x"]}                 | at jobs[3].name: job name 'a b' is not allowed
            a name used twice          | {"name":"a","command":["x"]}                   | at jobs[3]: bundle 's' already has a job named 'a'
            a null job                 | null                                           | at jobs[3]: expected a value, got null
            a null field               | {"name":"d","command":["x"],"workingDir":null} | at jobs[3].workingDir: expected a value, got null
            """)
    void aBadJobIsRefusedWithItsFullPath(String what, String job, String expected) {
        assertThatThrownBy(() -> Bundle.fromJson(bundleWithFourthJob(job)))
                .isInstanceOf(RecordFormatException.class)
                .hasMessageStartingWith("bundle JSON: " + expected)
                .satisfies(JsonStrictTest::leaksNothing);
    }

    @Test
    void aSweepHasOneArrayOption() {
        String twice = "{\"name\":\"s\",\"jobs\":[{\"name\":\"t_0\",\"command\":[\"x\"],\"sweep\":\"t\",\"sweepIndex\":0}],"
                + "\"arrays\":[{\"sweep\":\"t\"},{\"sweep\":\"t\",\"maxRunning\":2}]}";
        assertThatThrownBy(() -> Bundle.fromJson(twice))
                .hasMessageStartingWith("bundle JSON: at arrays[1]: sweep 't' has two array options");
    }

    @Test
    void aRecordCutAnywhereIsRefusedWithoutLeakingParserInternals() {
        String json = Bundle.named("s").add(Job.named("a").command("x").cpus(2).env("A", "1"))
                .add(Sweep.of(Job.named("t").command("x", "{lr}")).param("lr", 0.1, 0.01).dependsOn("a").asArray(1))
                .toJson();
        for (int cut = 1; cut < json.length() - 1; cut += 7) {
            String part = json.substring(0, cut);
            assertThatThrownBy(() -> Bundle.fromJson(part)).as("cut at %d", cut)
                    .isInstanceOf(RecordFormatException.class).satisfies(JsonStrictTest::leaksNothing);
        }
    }

    @Test
    void aJobRecordOnItsOwnNamesThePathFromItsRoot() {
        assertThatThrownBy(() -> Job.fromJson("{\"name\":\"a\",\"command\":[\"x\"],\"resources\":{\"cpus\":1.5}}"))
                .isInstanceOf(RecordFormatException.class)
                .hasMessageStartingWith("job JSON: at resources.cpus: expected a whole number, got 1.5")
                .satisfies(JsonStrictTest::leaksNothing);
        assertThatThrownBy(() -> Job.fromJson("{\"name\":\"a\",\"name\":\"b\",\"command\":[\"x\"]}"))
                .hasMessageStartingWith("job JSON: at name: the field \"name\" appears twice");
        assertThatThrownBy(() -> Job.fromJson("{\"name\":\"a\",\"command\":[\"x\"]} trailing"))
                .hasMessageStartingWith("job JSON: Unrecognized token 'trailing'");
    }

    @Test
    void whatTheFluentApiWritesReadsBackEqual() {
        Bundle b = Bundle.named("s")
                .add(Job.named("prep").command("x", "y").cpus(2).memory("1.5G").gpus(1).walltime("01:00:00")
                        .partition("p").account("acc").env("A", "1").requeue(true).directive("--foo=bar"))
                .add(Sweep.of(Job.named("t").command("x", "{lr}")).param("lr", 0.1, 0.01).dependsOn("prep"));
        assertThat(Bundle.fromJson(b.toJson())).isEqualTo(b);
    }

    @Test
    void aSweepMembersRecordKeepsItsParameterVariables() throws IOException {
        Sweep sweep = Sweep.of(Job.named("t").command("x", "{lr}").env("RUN", "r{lr}")).param("lr", 0.1, 0.01);
        Path file = dir.resolve("job.json");
        Files.writeString(file, sweep.jobs().get(1).toJson());
        Job read = Job.load(file);
        assertThat(read).isEqualTo(sweep.jobs().get(1));
        assertThat(read.env()).containsEntry("DROVER_PARAM_lr", "0.01").containsEntry("RUN", "r0.01");
    }

    @Test
    void theRunStoreIsAsStrict() throws IOException {
        Path file = dir.resolve("store.json");
        RunStore store = RunStore.json(file);
        store.save(new RunRecord("s", "local", "runs/s_1", Instant.parse("2026-12-01T00:00:00Z"),
                List.of(new TaskRecord("a", TaskState.WAITING, "", null, List.of()))));
        store.close();
        assertThat(RunStore.json(file).load()).isPresent();

        String json = Files.readString(file);
        Files.writeString(file, json.replace("\"bundle\":\"s\"", "\"bundle\":\"s\",\"bundle\":\"t\""));
        assertThatThrownBy(() -> RunStore.json(file).load())
                .isInstanceOf(RunStoreException.class)
                .hasMessageContaining(file + ": at bundle: the field \"bundle\" appears twice")
                .satisfies(JsonStrictTest::leaksNothing);
        Files.writeString(file, json.replace("\"bundle\":\"s\"", "\"bundle\":5"));
        assertThatThrownBy(() -> RunStore.json(file).load())
                .isInstanceOf(RunStoreException.class)
                .hasMessageContaining(file + ": at bundle: expected a string, got 5");
    }

    private static void leaksNothing(Throwable e) {
        assertThat(e.getMessage()).doesNotContain("REDACTED", "Source:", "org.drover", "com.fasterxml", "jackson",
                "not marked as ignorable", "`", "class ");
    }
}
