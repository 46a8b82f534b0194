package org.drover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.drover.internal.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonTest {
    @TempDir
    Path dir;

    /** A job with every field set, hostile values included. */
    static Job everything() {
        return Job.named("train.big-1")
                .script("#!/bin/bash\nset -euo pipefail\necho \"$HOME\" '$(id)' `id` \\\n  done\n\ttabbed ✓\n")
                .cpus(8).memory("1.5GB").gpus(4).nodes(2).tasks(16).walltime("2-03:04:05")
                .partition("gpu").account("proj-7").qos("high").exclusive().constraint("intel&(v100|a100)")
                .env("PLAIN", "x")
                .env("HOSTILE", "'; touch /tmp/drover-pwned #")
                .env("SUBST", "$(id) `id` ${HOME}")
                .env("QUOTES", "\"double\" 'single' \\back\\slash\\")
                .env("NEWLINES", "a\nb\r\nc")
                .env("UNICODE", "日本語 é \uD83D\uDE80 \u0001")
                .env("EMPTY", "")
                .workingDir("/scratch/my dir/$(x)")
                .stdout("logs/out 'x'.txt")
                .stderr("logs/err \"y\".txt")
                .directive("--mail-type=END")
                .directive("--comment=\"quoted\" and 'single'")
                .dependsOn("prep")
                .afterAny("data*")
                .afterNotOk("alert")
                .requeue(true);
    }

    @Test
    void jobWithEveryFieldRoundTrips() {
        Job job = everything();
        String json = job.toJson();
        Job back = Job.fromJson(json);
        assertThat(back).isEqualTo(job);
        assertThat(back.toJson()).isEqualTo(json);
        // equals does not look at everything through the same lens; check a few fields directly too.
        assertThat(back.env()).containsExactlyEntriesOf(job.env());
        assertThat(back.directives()).containsExactlyElementsOf(job.directives());
        assertThat(back.resources().walltime()).isEqualTo(job.resources().walltime());
        assertThat(back.requeue()).isTrue();
    }

    @Test
    void commandJobWithHostileArgumentsRoundTrips() {
        Job job = Job.named("c").command(JobTest.HOSTILE.stream().map(s -> s.isEmpty() ? "x" : s)
                .collect(Collectors.toList()));
        assertThat(Job.fromJson(job.toJson())).isEqualTo(job);
    }

    @Test
    void minimalJobWritesOnlyWhatIsSet() {
        String json = Job.named("a").command("x").toJson();
        assertThat(json).contains("\"name\"").contains("\"command\"").contains("\"resources\"")
                .doesNotContain("script").doesNotContain("env").doesNotContain("requeue")
                .doesNotContain("sweep").doesNotContain("params").doesNotContain("dependencies")
                .doesNotContain("memory").doesNotContain("walltime");
        assertThat(Job.fromJson(json)).isEqualTo(Job.named("a").command("x"));
    }

    @Test
    void jobWithoutCommandRoundTrips() {
        Job job = Job.named("later").cpus(2);
        assertThat(Job.fromJson(job.toJson())).isEqualTo(job);
    }

    @Test
    void missingResourceFieldsTakeDefaults() {
        Job j = Job.fromJson("{\"name\":\"a\",\"command\":[\"x\"],\"resources\":{\"memory\":\"2G\"}}");
        assertThat(j.resources()).isEqualTo(Resources.DEFAULT.withMemory(Memory.ofGigabytes(2)));
    }

    @Test
    void sweepMembersRoundTripWithParams() {
        Sweep sweep = Sweep.of(Job.named("train").command("python", "t.py", "--lr={lr}", "--opt={opt}")
                        .env("LR", "{lr}"))
                .param("lr", 1e-5, 0.1)
                .param("opt", "adam", "sgd \"quoted\"")
                .dependsOn("prep");
        for (Job member : sweep.jobs()) {
            assertThat(Job.fromJson(member.toJson())).isEqualTo(member);
        }
        Job single = Sweep.of(Job.named("one").command("x")).jobs().get(0);
        assertThat(Job.fromJson(single.toJson())).isEqualTo(single);
    }

    static Bundle bigBundle() {
        return Bundle.named("study")
                .add(everything())
                .add(Job.named("prep").command("python", "prep.py", "--out", "data 1.csv"))
                .add(Job.named("data_a").command("x")).add(Job.named("data_b").command("y"))
                .add(Job.named("alert").command("mail", "-s", "failed"))
                .add(Sweep.of(Job.named("train").command("python", "t.py", "--lr={lr}", "--seed={seed}")
                                .gpus(1).stdout("out-{lr}-{seed}.txt"))
                        .param("lr", 0.1, 0.01).param("seed", 1, 2, 3).dependsOn("prep").asArray(2))
                .add(Sweep.of(Job.named("eval").script("echo {k}\n")).param("k", "a", "b").asArray())
                .add(Sweep.of(Job.named("plain").command("p", "{n}")).param("n", 1, 2))
                .add(Job.named("report").command("r").afterAny("train").afterNotOk("eval"));
    }

    @Test
    void bundleRoundTripsThroughJson() {
        Bundle b = bigBundle();
        String json = b.toJson();
        Bundle back = Bundle.fromJson(json);
        assertThat(back).isEqualTo(b);
        assertThat(back.toJson()).isEqualTo(json);
        assertThat(back.jobs()).containsExactlyElementsOf(b.jobs());
        assertThat(back.arrays()).containsExactly(new Bundle.ArrayOption("train", 2), new Bundle.ArrayOption("eval", 0));
        assertThat(back.sweeps()).isEqualTo(b.sweeps());
        assertThat(back.plan().order()).isEqualTo(b.plan().order());
    }

    @Test
    void arrayWithoutLimitRoundTrips() {
        // Regression: maxRunning 0 is omitted when written and reading it back used to fail.
        Bundle b = Bundle.named("s").add(Sweep.of(Job.named("t").command("x")).param("i", 1, 2).asArray());
        assertThat(b.toJson()).contains("\"sweep\" : \"t\"").doesNotContain("maxRunning");
        Bundle back = Bundle.fromJson(b.toJson());
        assertThat(back).isEqualTo(b);
        assertThat(back.arrays()).containsExactly(new Bundle.ArrayOption("t", 0));
    }

    @Test
    void memoryInBytesRoundTrips() {
        // Regression: "100B" was read as 100 KiB, so a job with a byte count changed when reloaded.
        for (long bytes : new long[] {1, 100, 1023, 1025, 1536 * 1024 + 1}) {
            Job j = Job.named("m").command("x").memory(Memory.ofBytes(bytes));
            assertThat(Job.fromJson(j.toJson()).resources().memory()).contains(Memory.ofBytes(bytes));
        }
    }

    @Test
    void emptyBundleRoundTrips() {
        Bundle b = Bundle.named("empty");
        assertThat(Bundle.fromJson(b.toJson())).isEqualTo(b);
    }

    @Test
    void saveWritesATimestampedFileThatLoadsBackEqual() throws IOException {
        Bundle b = bigBundle();
        Path file = b.save(dir.resolve("runs"));
        assertThat(file.getParent()).isEqualTo(dir.resolve("runs"));
        assertThat(file.getFileName().toString()).matches("study_\\d{8}-\\d{6}-\\d{3}\\.json");
        assertThat(Bundle.load(file)).isEqualTo(b);
        // The byte writer escapes characters outside the BMP (\uD83D\uDE80), the String writer does not:
        // the same JSON either way.
        assertThat(Json.MAPPER.readTree(file.toFile())).isEqualTo(Json.MAPPER.readTree(b.toJson()));
        try (Stream<Path> files = Files.list(dir.resolve("runs"))) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void fiftySavesInATightLoopGiveFiftyFiles() throws IOException {
        Bundle b = Bundle.named("fast").add(Job.named("a").command("x"));
        List<Path> saved = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            saved.add(b.save(dir));
        }
        assertThat(new HashSet<>(saved)).hasSize(50);
        try (Stream<Path> files = Files.list(dir)) {
            Set<Path> onDisk = files.collect(Collectors.toSet());
            assertThat(onDisk).containsExactlyInAnyOrderElementsOf(saved);   // no .tmp left behind
        }
        for (Path p : saved) {
            assertThat(Bundle.load(p)).isEqualTo(b);
        }
        Path newest = saved.stream().max(Comparator.comparing(p -> p.getFileName().toString())).orElseThrow();
        assertThat(Bundle.latestRecord(dir, "fast")).contains(newest);
        assertThat(newest).isEqualTo(saved.get(saved.size() - 1));
    }

    @Test
    void latestRecordPicksTheNewestStampIncludingRunDirectories() throws IOException {
        Files.createDirectories(dir.resolve("study_20250101-000000-000"));
        write(dir.resolve("study_20240101-120000-000.json"), "{}");
        write(dir.resolve("study_20250101-000000-000/study_20250101-000000-001.json"), "{}");
        write(dir.resolve("study_20991231-235959-999.json.tmp"), "{}");
        write(dir.resolve("study_2_20991231-235959-999.json"), "{}");
        write(dir.resolve("studyx20991231-235959-999.json"), "{}");
        write(dir.resolve("study_latest.json"), "{}");
        write(dir.resolve("other_20991231-235959-999.json"), "{}");
        Files.createDirectories(dir.resolve("a/b"));
        write(dir.resolve("a/b/study_20991231-235959-999.json"), "{}");   // too deep
        assertThat(Bundle.latestRecord(dir, "study"))
                .contains(dir.resolve("study_20250101-000000-000/study_20250101-000000-001.json"));
        assertThat(Bundle.latestRecord(dir, "other")).contains(dir.resolve("other_20991231-235959-999.json"));
        assertThat(Bundle.latestRecord(dir, "none")).isEmpty();
        assertThat(Bundle.latestRecord(dir.resolve("missing"), "study")).isEmpty();
        assertThatThrownBy(() -> Bundle.latestRecord(dir, "bad name")).isInstanceOf(IllegalArgumentException.class);
    }

    // ---- errors ----

    @Test
    void unknownFieldNamesTheFileAndTheJsonPath() throws IOException {
        Path file = bigBundle().save(dir);
        String json = Files.readString(file);
        Files.writeString(file, json.replaceFirst("\"cpus\"", "\"cpuz\""));
        assertThatThrownBy(() -> Bundle.load(file))
                .isInstanceOf(RecordFormatException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("jobs[0].resources.cpuz")
                .hasMessageContaining("line ");
    }

    @Test
    void unknownTopLevelAndNestedFields() {
        assertThatThrownBy(() -> Bundle.fromJson("{\"name\":\"s\",\"jobz\":[]}"))
                .isInstanceOf(RecordFormatException.class)
                .hasMessageContaining("bundle JSON")
                .hasMessageContaining("at jobz");
        assertThatThrownBy(() -> Job.fromJson(
                "{\"name\":\"a\",\"command\":[\"x\"],\"dependencies\":[{\"target\":\"b\",\"typo\":\"AFTER_OK\"}]}"))
                .isInstanceOf(RecordFormatException.class)
                .hasMessageContaining("job JSON")
                .hasMessageContaining("dependencies[0].typo");
    }

    @Test
    void truncatedFileNamesTheFile() throws IOException {
        Path file = bigBundle().save(dir);
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertThatThrownBy(() -> Bundle.load(file))
                .isInstanceOf(RecordFormatException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("end-of-input")
                // Jackson's own location noise is replaced by ours
                .hasMessageNotContaining("REDACTED");
    }

    @Test
    void notJsonAtAll() throws IOException {
        Path file = dir.resolve("study_20250101-000000-000.json");
        write(file, "this is not json");
        assertThatThrownBy(() -> Bundle.load(file))
                .isInstanceOf(RecordFormatException.class)
                .hasMessageContaining(file.toString());
        Path empty = dir.resolve("empty.json");
        write(empty, "");
        assertThatThrownBy(() -> Bundle.load(empty))
                .isInstanceOf(RecordFormatException.class)
                .hasMessageContaining(empty.toString());
    }

    @Test
    void trailingGarbageIsRejected() {
        String json = Bundle.named("s").toJson() + " {}";
        assertThatThrownBy(() -> Bundle.fromJson(json)).isInstanceOf(RecordFormatException.class);
    }

    @Test
    void invalidValueNamesThePathAndTheRule() throws IOException {
        Path file = dir.resolve("s.json");
        write(file, "{\"name\":\"s\",\"jobs\":[{\"name\":\"a\",\"command\":[\"x\"],\"resources\":{\"cpus\":0}}]}");
        assertThatThrownBy(() -> Bundle.load(file))
                .isInstanceOf(RecordFormatException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("at jobs[0].resources")
                .hasMessageContaining("cpus must be at least 1");
    }

    @Test
    void otherInvalidValues() {
        assertThatThrownBy(() -> Bundle.fromJson(
                "{\"name\":\"s\",\"jobs\":[{\"name\":\"a\",\"command\":[\"x\"]},"
                        + "{\"name\":\"b\",\"command\":[\"x\"],\"resources\":{\"memory\":\"16 GiB?\"}}]}"))
                .isInstanceOf(RecordFormatException.class)
                .hasMessageContaining("jobs[1].resources.memory")
                .hasMessageContaining("'16 GiB?'");
        assertThatThrownBy(() -> Bundle.fromJson(
                "{\"name\":\"s\",\"jobs\":[{\"name\":\"a\",\"command\":[\"x\"],\"resources\":{\"walltime\":\"25:61:00\"}}]}"))
                .isInstanceOf(RecordFormatException.class)
                .hasMessageContaining("jobs[0].resources")
                .hasMessageContaining("minutes 61");
        assertThatThrownBy(() -> Bundle.fromJson("{\"name\":\"s\",\"jobs\":[{\"name\":\"a b\",\"command\":[\"x\"]}]}"))
                .isInstanceOf(RecordFormatException.class)
                .hasMessageContaining("jobs[0]")
                .hasMessageContaining("job name 'a b'");
        assertThatThrownBy(() -> Bundle.fromJson(
                "{\"name\":\"s\",\"jobs\":[{\"name\":\"a\",\"command\":[\"x\"]},{\"name\":\"a\",\"command\":[\"y\"]}]}"))
                .isInstanceOf(RecordFormatException.class)
                .hasMessageContaining("already has a job named 'a'");
        assertThatThrownBy(() -> Bundle.fromJson(
                "{\"name\":\"s\",\"jobs\":[{\"name\":\"a\",\"command\":[\"x\"],\"script\":\"y\"}]}"))
                .isInstanceOf(RecordFormatException.class)
                .hasMessageContaining("both a command and a script");
        assertThatThrownBy(() -> Bundle.fromJson(
                "{\"name\":\"s\",\"jobs\":[{\"name\":\"a\",\"command\":[\"x\"],"
                        + "\"dependencies\":[{\"target\":\"b\",\"type\":\"AFTER\"}]}]}"))
                .isInstanceOf(RecordFormatException.class)
                .hasMessageContaining("jobs[0].dependencies[0].type");
        assertThatThrownBy(() -> Bundle.fromJson("{\"name\":\"s\",\"arrays\":[{\"sweep\":\"nope\",\"maxRunning\":1}]}"))
                .isInstanceOf(RecordFormatException.class)
                .hasMessageContaining("'nope'");
        assertThatThrownBy(() -> Bundle.fromJson("{\"name\":\"s\",\"jobs\":[{\"name\":\"a\",\"env\":{\"1X\":\"v\"}}]}"))
                .isInstanceOf(RecordFormatException.class)
                .hasMessageContaining("jobs[0]")
                .hasMessageContaining("'1X'");
    }

    @Test
    void missingFileIsAnIoErrorNotAFormatError() {
        Path missing = dir.resolve("nope.json");
        assertThatThrownBy(() -> Bundle.load(missing))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(missing.toString());
        assertThatThrownBy(() -> Job.load(missing)).isInstanceOf(UncheckedIOException.class);
    }

    @Test
    void jobRecordLoadsFromAFile() throws IOException {
        Path file = dir.resolve("job.json");
        Files.writeString(file, everything().toJson(), StandardCharsets.UTF_8);
        assertThat(Job.load(file)).isEqualTo(everything());
    }

    private static void write(Path file, String content) throws IOException {
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }
}
