package org.drover.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.drover.Bundle;
import org.drover.Job;
import org.drover.Sweep;
import org.drover.scheduler.JobState;
import org.drover.scheduler.RunDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a RunReport reads, made from rows and records (no scheduler): what a user needs to act on a failure. */
class RunReportFormatTest {
    static final Instant AT = Instant.parse("2026-12-05T06:00:00Z");

    @TempDir
    Path tmp;

    private static RunReport.Row row(String task, Map<String, String> params, TaskState state, Integer exit,
                                     String reason, Duration elapsed) {
        return new RunReport.Row(task, params, 1, "17", state, JobState.FAILED, exit, reason, elapsed);
    }

    @Test
    void exitCodesAbove128NameTheirSignal() {
        assertThat(ExitCodes.describe(137)).isEqualTo("137 (SIGKILL)");
        assertThat(ExitCodes.describe(143)).isEqualTo("143 (SIGTERM)");
        assertThat(ExitCodes.describe(139)).isEqualTo("139 (SIGSEGV)");
        assertThat(ExitCodes.describe(134)).isEqualTo("134 (SIGABRT)");
        assertThat(ExitCodes.describe(129)).isEqualTo("129 (SIGHUP)");
        assertThat(ExitCodes.describe(159)).isEqualTo("159 (SIGSYS)");
        assertThat(ExitCodes.describe(3)).isEqualTo("3");
        assertThat(ExitCodes.describe(0)).isEqualTo("0");
        assertThat(ExitCodes.describe(128)).isEqualTo("128");
        assertThat(ExitCodes.describe(160)).isEqualTo("160");
        assertThat(ExitCodes.describe(255)).isEqualTo("255");
        assertThat(ExitCodes.describe(-1)).isEqualTo("-1");
        assertThat(ExitCodes.describe(null)).isEmpty();
        assertThat(ExitCodes.signal(137)).contains("SIGKILL");
        assertThat(ExitCodes.signal(1)).isEmpty();
    }

    @Test
    void theTableGivesWholeReasonsParametersSignalsAndElapsedTimes() {
        String refused = "refused by the scheduler: sbatch: error: Batch job submission failed: "
                + "Invalid account or account/partition combination specified";
        Map<String, String> lr = new LinkedHashMap<>();
        lr.put("lr", "0.1");
        lr.put("seed", "1");
        RunReport r = new RunReport("study", AT, List.of(
                row("prep", Map.of(), TaskState.COMPLETED, 0, "", Duration.ofSeconds(3)),
                row("train_0", lr, TaskState.FAILED, 137, "FAILED: exit code 137", Duration.ofSeconds(72)),
                row("train_1", new java.util.TreeMap<>(Map.of("lr", "0.01", "seed", "1")), TaskState.FAILED, null, refused, null),
                row("long", Map.of(), TaskState.COMPLETED, 0, "", Duration.ofSeconds(3 * 3600 + 5 * 60 + 9)),
                new RunReport.Row("report", 0, "", TaskState.CANCELLED, null, null,
                        "dependency train_0 ended FAILED\nand dependency train_1 ended FAILED", null)));
        assertThat(r.toString()).isEqualTo("""
                study: 2 of 5 done, 2 failed, 1 cancelled
                task     params          attempt  job id  state      exit           elapsed  reason
                prep                           1  17      COMPLETED  0                 0:03
                train_0  lr=0.1 seed=1         1  17      FAILED     137 (SIGKILL)     1:12  FAILED: exit code 137
                train_1  lr=0.01 seed=1        1  17      FAILED                             %s
                long                           1  17      COMPLETED  0              3:05:09
                report                         0          CANCELLED                          dependency train_0 ended FAILED
                                                                                             and dependency train_1 ended FAILED"""
                .formatted(refused));
    }

    @Test
    void withoutSweepParametersThereIsNoParamsColumn() {
        RunReport r = new RunReport("one", AT, List.of(row("a", Map.of(), TaskState.COMPLETED, 0, "", Duration.ZERO)));
        assertThat(r.toString()).isEqualTo("""
                one: 1 of 1 done
                task  attempt  job id  state      exit  elapsed  reason
                a           1  17      COMPLETED  0        0:00""");
    }

    @Test
    void elapsedTimesReadMinutesAndSecondsThenHours() {
        assertThat(RunReport.format(null)).isEmpty();
        assertThat(RunReport.format(Duration.ofMillis(50))).isEqualTo("0:00");
        assertThat(RunReport.format(Duration.ofSeconds(59))).isEqualTo("0:59");
        assertThat(RunReport.format(Duration.ofSeconds(3599))).isEqualTo("59:59");
        assertThat(RunReport.format(Duration.ofSeconds(3600))).isEqualTo("1:00:00");
        assertThat(RunReport.format(Duration.ofHours(50).plusSeconds(7))).isEqualTo("50:00:07");
    }

    @Test
    void aLargeRunShowsAScreenfulWithTheTasksToActOnFirst() {
        List<RunReport.Row> rows = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            TaskState s = i == 70_000 || i == 99_999 ? TaskState.FAILED : i == 5 ? TaskState.RUNNING
                    : i % 10_000 == 3 ? TaskState.WAITING : TaskState.COMPLETED;
            rows.add(row("t" + i, Map.of("x", Integer.toString(i)), s, s == TaskState.FAILED ? 1 : 0, "", null));
        }
        String text = new RunReport("big", AT, rows).toString();
        List<String> lines = text.lines().toList();
        assertThat(lines).hasSize(1 + 1 + 20 + 1);
        // Every task to act on (failed, running, waiting), the first done ones after them, in submission order.
        assertThat(lines.subList(2, 22)).extracting(l -> l.substring(0, l.indexOf(' '))).containsExactly(
                "t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t10003", "t20003", "t30003", "t40003", "t50003",
                "t60003", "t70000", "t70003", "t80003", "t90003", "t99999");
        assertThat(lines.get(22)).isEqualTo("... 99,980 more (99,980 completed)");
        assertThat(lines.stream().filter(l -> l.contains("WAITING"))).hasSize(10);
    }

    @Test
    void failedTasksAreFollowedByTheEndOfTheirStderr() throws IOException {
        Path runs = tmp.resolve("runs");
        Bundle b = Bundle.named("tails").add(Sweep.of(Job.named("f").command("false")).param("n", 0, 1, 2, 3, 4))
                .add(Job.named("ok").command("true"));
        List<TaskRecord> records = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Path dir = Files.createDirectories(runs.resolve("tails_1/f_" + i + "/1"));
            if (i == 0) {
                StringBuilder err = new StringBuilder();
                for (int k = 1; k <= 12; k++) {
                    err.append("problem ").append(k).append('\n');
                }
                err.append("x".repeat(400)).append('\n');
                Files.writeString(dir.resolve("stderr"), err);
            } else if (i == 1) {
                Files.writeString(dir.resolve("stderr"), "");
            }
            records.add(new TaskRecord("f_" + i, TaskState.FAILED, "FAILED: exit code 1", null,
                    List.of(attempt(runs.relativize(dir).toString(), JobState.FAILED, 1))));
        }
        records.add(new TaskRecord("ok", TaskState.COMPLETED, "", null,
                List.of(attempt(runs.resolve("tails_1/ok/1").toString(), JobState.COMPLETED, 0))));
        RunSettings settings = new RunSettings(b, null, null, runs, null, 1, Duration.ofSeconds(1), Duration.ZERO,
                Duration.ofMinutes(1), null, null);
        String text = RunReport.of(settings, AT, records.toArray(new TaskRecord[0])).toString();

        Path f0 = runs.resolve("tails_1/f_0/1/stderr");
        assertThat(text).contains("\nf_0   n=0           1  17      FAILED     1              FAILED: exit code 1\n")
                .contains("\nok                  1  17      COMPLETED  0\n");
        assertThat(text).contains("\n\nf_0, attempt 1: the last 10 lines of " + f0 + "\n  | problem 4\n");
        assertThat(text).contains("  | problem 12\n  | " + "x".repeat(300) + "… (100 more characters)\n\n")
                .doesNotContain("problem 3\n");
        assertThat(text).contains("\nf_1, attempt 1: " + runs.resolve("tails_1/f_1/1/stderr") + " is empty\n\n")
                .contains("\nf_2, attempt 1: no file " + runs.resolve("tails_1/f_2/1/stderr") + "\n\n")
                .endsWith("\n\nstderr of 2 more failed tasks: run.task(name).stderrTail(10)")
                .doesNotContain("f_3, attempt");
    }

    private static AttemptRecord attempt(String dir, JobState state, int exit) {
        return new AttemptRecord(1, "drv1", "17", state, exit, "", AT, AT, dir, List.of(), null, null);
    }

    @Test
    void aTailReadsOnlyTheEndOfAHugeFile() throws IOException {
        Path big = tmp.resolve("stderr");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(1L << 30);   // 1 GB of holes: reading it all would take seconds and the heap
        }
        Files.writeString(big, "\nalmost\nlast\n", StandardOpenOption.APPEND);
        assertThat(AttemptFiles.tail(big, 2)).containsExactly("almost", "last");
        // The line cut by the byte bound is marked.
        List<String> one = AttemptFiles.tail(big, 3);
        assertThat(one).hasSize(3);
        assertThat(one.get(0)).startsWith("…").hasSize(1 + AttemptFiles.TAIL_BYTES - "\nalmost\nlast\n".length());
        assertThatThrownBy(() -> AttemptFiles.tail(tmp.resolve("none"), 3)).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void aTailShowsLinesAsATerminalDoes() throws IOException {
        Path f = tmp.resolve("out");
        Files.write(f, "a\r\n 10%\r 50%\r100%\nbad \u00ff\nno newline at the end".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(AttemptFiles.tail(f, 10)).containsExactly("a", "100%", "bad \ufffd", "no newline at the end");
        assertThat(AttemptFiles.tail(f, 0)).isEmpty();
        Files.writeString(f, "");
        assertThat(AttemptFiles.tail(f, 10)).isEmpty();
    }

    @Test
    void theStartedRecordGivesTheStartHostAndPidAndItsLaterFieldsAreIgnored() {
        Instant written = Instant.parse("2026-12-05T06:00:00.123Z");
        AttemptFiles.Start s = AttemptFiles.Start.parse("1796450400 node07 4242 1796450399 more fields\n", written);
        assertThat(s).isEqualTo(new AttemptFiles.Start(written, "node07", 4242));
        assertThat(AttemptFiles.Start.parse("1796450400 node07 4242", null).at()).isEqualTo(Instant.ofEpochSecond(1796450400));
        assertThat(AttemptFiles.Start.parse("1796450400", written)).isEqualTo(new AttemptFiles.Start(written, "", -1));
        assertThat(AttemptFiles.Start.parse("1796450400 node07 x", written).pid()).isEqualTo(-1);
        assertThat(AttemptFiles.Start.parse("", written)).isNull();
        assertThat(AttemptFiles.Start.parse("yesterday node07 4242", written)).isNull();
    }

    @Test
    void theElapsedTimeRunsFromTheStartedFileToTheExitCodeFile() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("runs/s_1/a/1"));
        Instant start = Instant.parse("2026-12-05T05:00:00.250Z");
        Path started = dir.resolve(RunDirectory.STARTED);
        Files.writeString(started, start.getEpochSecond() + " node07 4242\n");
        Files.setLastModifiedTime(started, FileTime.from(start));
        AttemptRecord running = new AttemptRecord(1, "drv1", "17", JobState.RUNNING, null, "", AT.minusSeconds(9000),
                null, "s_1/a/1", List.of(), null, null);
        AttemptFiles files = new AttemptFiles(running, tmp.resolve("runs"));
        assertThat(files.dir()).isEqualTo(dir);
        assertThat(files.stderr()).isEqualTo(dir.resolve("stderr"));
        assertThat(files.elapsed(AT)).isEqualTo(Duration.between(start, AT));   // running: to now

        AttemptRecord ended = running.endedAs(AT, JobState.COMPLETED, "", 0);
        assertThat(new AttemptFiles(ended, tmp.resolve("runs")).elapsed(AT.plusSeconds(60)))
                .as("no exitcode file: to when the manager saw it end").isEqualTo(Duration.between(start, AT));
        Path exit = dir.resolve(RunDirectory.EXIT_CODE);
        Files.writeString(exit, "0\n");
        Files.setLastModifiedTime(exit, FileTime.from(start.plusMillis(50)));
        assertThat(new AttemptFiles(ended, tmp.resolve("runs")).elapsed(AT)).isEqualTo(Duration.ofMillis(50));

        Files.delete(started);
        assertThat(new AttemptFiles(ended, tmp.resolve("runs")).elapsed(AT)).as("never started").isNull();
    }
}
