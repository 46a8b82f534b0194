package org.drover.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.drover.Bundle;
import org.drover.Job;
import org.drover.Sweep;
import org.drover.local.LocalScheduler;
import org.drover.testing.InMemoryScheduler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProgressBarTest {
    private static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");

    @TempDir
    Path dir;

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private String written() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** A report of 4 tasks at {@code T0 + seconds}: {@code done} completed, {@code running} running, the rest waiting. */
    private static RunReport report(double seconds, int done, int running) {
        List<RunReport.Row> rows = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            TaskState s = i < done ? TaskState.COMPLETED : i < done + running ? TaskState.RUNNING : TaskState.WAITING;
            rows.add(new RunReport.Row("t" + i, 1, "", s, null, null, "", null));
        }
        return new RunReport("study", T0.plusMillis((long) (seconds * 1000)), rows);
    }

    @Test
    void plainLinesSayTheCountsTheRateAndTheTimeLeftAtMostOnceAPeriod() {
        ProgressBar bar = ProgressBar.lines(out, Duration.ofSeconds(1));
        bar.progressed(report(0, 0, 2));
        bar.progressed(report(0.5, 1, 2));   // changed, but within the second: no line
        bar.progressed(report(2, 2, 2));
        bar.progressed(report(3, 2, 2));     // a second later, but nothing changed: no line
        bar.progressed(report(4, 4, 0));     // the end: always
        bar.progressed(report(5, 4, 0));     // after the end: nothing
        assertThat(written()).isEqualTo("""
                [  0.0s] study: 0 of 4 done, 2 running, 2 waiting
                [  2.0s] study: 2 of 4 done, 2 running | 1.0 tasks/s, ETA 0:02
                [  4.0s] study: 4 of 4 done | 1.0 tasks/s, took 0:04
                """);
    }

    @Test
    void slowRunsCountTasksPerMinute() {
        ProgressBar bar = ProgressBar.lines(out, Duration.ZERO);
        bar.progressed(report(0, 0, 1));
        bar.progressed(report(60, 1, 1));
        assertThat(written().lines().toList()).last().isEqualTo("[ 60.0s] study: 1 of 4 done, 1 running, 2 waiting | 1.0 tasks/min, ETA 3:00");
    }

    @Test
    void tasksThatHadEndedBeforeTheBarHeardOfTheRunDoNotCountInTheRate() {
        ProgressBar bar = ProgressBar.lines(out, Duration.ZERO);
        bar.progressed(report(0, 2, 1));     // a re-attached run: 2 done already
        bar.progressed(report(10, 3, 1));
        assertThat(written().lines().toList()).last().asString().endsWith("| 0.1 tasks/s, ETA 0:10");
    }

    @Test
    void onATerminalTheLineIsRedrawnInPlaceAndEndsWithANewline() {
        ProgressBar bar = ProgressBar.inPlace(out);
        bar.progressed(report(0, 0, 2));
        bar.progressed(report(2, 2, 2));
        bar.progressed(report(4, 4, 0));
        assertThat(written()).isEqualTo(
                "\r[....................]   0% study: 0 of 4 done, 2 running, 2 waiting\u001b[K"
                + "\r[##########..........]  50% study: 2 of 4 done, 2 running | 1.0 tasks/s, ETA 0:02\u001b[K"
                // shorter than the line before: blanks over its end, for consoles that strip ANSI codes
                + "\r[####################] 100% study: 4 of 4 done | 1.0 tasks/s, took 0:04" + " ".repeat(10) + "\u001b[K\n");
        assertThat(bar).hasToString("ProgressBar[in place]");
        assertThat(ProgressBar.lines(out, Duration.ofSeconds(5))).hasToString("ProgressBar[lines, at most one per PT5S]");
    }

    @Test
    void aNegativePeriodIsRefusedByName() {
        assertThatThrownBy(() -> ProgressBar.lines(out, Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("every must be 0 or more, got PT-1S");
    }

    @Test
    void testsHaveNoTerminalSoCreateWritesLines() {
        // Surefire's forked JVM has no console: the bar a user attaches with create() writes plain lines.
        assertThat(ProgressBar.isTerminal()).isFalse();
        assertThat(ProgressBar.create().toString()).startsWith("ProgressBar[lines");
    }

    @Test
    void aManagerTellsTheBarAfterEveryStepAndAtTheEnd() {
        InMemoryScheduler sim = new InMemoryScheduler(1, 1);
        Bundle b = Bundle.named("three").add(Sweep.of(Job.named("t").command("true")).param("i", 1, 2, 3));
        List<RunReport> heard = new ArrayList<>();
        try (RunManager run = RunManager.of(b).on(sim).runsRoot(dir).listener(new RunListener() {
            @Override
            public void progressed(RunReport report) {
                heard.add(report);
            }
        }).build()) {
            int steps = 0;
            while (!run.step()) {
                steps++;
            }
            assertThat(heard).hasSize(steps + 1);
            assertThat(heard.get(0).summary()).isEqualTo("three: 0 of 3 done, 3 queued");
            assertThat(heard.get(heard.size() - 1).isFinished()).isTrue();
            run.step();   // after the end: nothing more
            assertThat(heard).hasSize(steps + 1);
        }
    }

    @Test
    void aBarOnARealLocalRunShowsItFromStartToEnd() {
        Bundle b = Bundle.named("sleepy").add(Sweep.of(Job.named("nap").command("sleep", "{s}")).param("s", 0.3, 0.3, 0.3, 0.3));
        try (LocalScheduler local = LocalScheduler.builder().cpus(2).build();
             RunManager run = RunManager.of(b).on(local).runsRoot(dir).pollInterval(Duration.ofMillis(20))
                     .listener(ProgressBar.lines(out, Duration.ZERO)).start()) {
            RunReport end = run.awaitCompletion(Duration.ofMinutes(1));
            assertThat(end.isSuccess()).isTrue();
        }
        List<String> lines = written().lines().toList();
        assertThat(lines.get(0)).matches("\\[  0\\.0s\\] sleepy: 0 of 4 done, .*");
        assertThat(lines).anyMatch(l -> l.contains("running"));
        assertThat(lines.get(lines.size() - 1)).matches("\\[ *\\d+\\.\\ds\\] sleepy: 4 of 4 done \\| \\d+\\.\\d tasks/s, took \\d:\\d\\d");
        assertThat(lines).allMatch(l -> l.matches("\\[ *\\d+\\.\\ds\\] sleepy: .*"));
    }
}
