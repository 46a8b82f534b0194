package org.drover.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.drover.run.AttemptRecord;
import org.drover.run.RunRecord;
import org.drover.run.RunStore;
import org.drover.run.StateChange;
import org.drover.run.TaskRecord;
import org.drover.run.TaskState;
import org.drover.scheduler.JobState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Timelines of hand-made records: where each time comes from, escaping, links, the store. */
class TimelineTest {
    private static final Instant T = Instant.parse("2026-12-05T10:00:00Z");

    @TempDir
    Path tmp;

    private static AttemptRecord attempt(int n, JobState state, Instant submitted, Instant running, Instant ended,
                                         String dir) {
        List<StateChange> history = new java.util.ArrayList<>();
        history.add(new StateChange(submitted, JobState.PENDING, ""));
        if (running != null) {
            history.add(new StateChange(running, JobState.RUNNING, ""));
        }
        if (ended != null) {
            history.add(new StateChange(ended, state, ""));
        }
        return new AttemptRecord(n, "drv" + n, "10" + n, state, ended == null ? null : 0, "", submitted, ended, dir,
                history, null, null);
    }

    private static RunRecord run(Instant saved, TaskRecord... tasks) {
        return new RunRecord("study", "slurm", "study_1", saved, List.of(tasks));
    }

    private static JsonNode data(Timeline t, Path pageDir) throws Exception {
        return TimelineLocalTest.data(t.html(pageDir));
    }

    @Test
    void withoutTheAttemptFilesTheRecordsTimesAreUsed() throws Exception {
        TaskRecord a = new TaskRecord("a", TaskState.COMPLETED, "", null,
                List.of(attempt(1, JobState.COMPLETED, T, T.plusSeconds(2), T.plusSeconds(10), "study_1/a/1")));
        // b: its start was never seen (a job shorter than a poll), c: still running, d: still queued, e: never submitted
        TaskRecord b = new TaskRecord("b", TaskState.COMPLETED, "", null,
                List.of(attempt(1, JobState.COMPLETED, T.plusSeconds(1), null, T.plusSeconds(4), "study_1/b/1")));
        TaskRecord c = new TaskRecord("c", TaskState.RUNNING, "", null,
                List.of(attempt(1, JobState.RUNNING, T.plusSeconds(1), T.plusSeconds(3), null, "study_1/c/1")));
        TaskRecord d = new TaskRecord("d", TaskState.PENDING, "", null,
                List.of(attempt(1, JobState.PENDING, T.plusSeconds(5), null, null, "study_1/d/1")));
        TaskRecord e = new TaskRecord("e", TaskState.WAITING, "waits for d", null, List.of());
        Timeline t = Timeline.of(run(T.plusSeconds(20), a, b, c, d, e), tmp);

        assertThat(t.attempts()).isEqualTo(4);
        assertThat(t.at()).isEqualTo(T.plusSeconds(20));
        JsonNode data = data(t, tmp);
        assertThat(data.get("span").asLong()).isEqualTo(20_000);   // first submission to the record's time
        assertThat(data.get("now").asLong()).isEqualTo(20_000);
        JsonNode attempts = data.get("attempts");
        // [task, number, job id, state, exit, submitted, started, ended, submitted text, queued, ran, reason, stdout, stderr]
        assertThat(times(attempts.get(0))).containsExactly(0L, 2_000L, 10_000L);
        assertThat(attempts.get(0).get(9).asText()).isEqualTo("2.00 s");
        assertThat(attempts.get(0).get(10).asText()).isEqualTo("8.00 s");
        assertThat(times(attempts.get(1))).containsExactly(1_000L, -1L, 4_000L);
        assertThat(attempts.get(1).get(10).asText()).isEmpty();   // ran: not known
        assertThat(times(attempts.get(2))).containsExactly(1_000L, 3_000L, -1L);
        assertThat(attempts.get(2).get(10).asText()).isEqualTo("17.0 s");   // up to the record's time
        assertThat(times(attempts.get(3))).containsExactly(5_000L, -1L, -1L);
        assertThat(attempts.get(3).get(9).asText()).isEqualTo("15.0 s");
        assertThat(data.get("tasks").get(4).toString()).isEqualTo("[\"e\",\"\",\"WAITING\",\"waits for d\",4,0]");
        assertThat(t.html(tmp)).contains("<b>2 of 5 tasks</b> done")
                .contains(", 1 waiting, 1 pending, 1 running; 4 attempts, from 2026-12-05 10:00:00 UTC over 20.0 s.")
                .contains(", while it runs.");
        assertThat(t).hasToString("Timeline[study: 5 tasks, 4 attempts, as of 2026-12-05T10:00:20Z]");
    }

    private static List<Long> times(JsonNode attempt) {
        return List.of(attempt.get(5).asLong(), attempt.get(6).asLong(), attempt.get(7).asLong());
    }

    @Test
    void theJobsOwnRecordsWinOverWhenDroverSawThem() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("study_1/a/1"));
        Files.writeString(dir.resolve("started"), "1796464801 node1 123\n");
        Files.setLastModifiedTime(dir.resolve("started"), java.nio.file.attribute.FileTime.from(T.plusMillis(1_250)));
        Files.writeString(dir.resolve("exitcode"), "0\n");
        Files.setLastModifiedTime(dir.resolve("exitcode"), java.nio.file.attribute.FileTime.from(T.plusMillis(3_500)));
        TaskRecord a = new TaskRecord("a", TaskState.COMPLETED, "", null,
                List.of(attempt(1, JobState.COMPLETED, T, T.plusSeconds(2), T.plusSeconds(5), "study_1/a/1")));
        JsonNode attempt = data(Timeline.of(run(T.plusSeconds(6), a), tmp), tmp).get("attempts").get(0);
        assertThat(times(attempt)).containsExactly(0L, 1_250L, 3_500L);
        assertThat(attempt.get(10).asText()).isEqualTo("2.25 s");
    }

    @Test
    void aStartBeforeTheSubmissionIsTakenAsTheSubmission() throws Exception {
        // Another machine's clock: the job's own record says it started before Drover submitted it.
        Path dir = Files.createDirectories(tmp.resolve("study_1/a/1"));
        Files.writeString(dir.resolve("started"), "1 node1 123\n");
        Files.setLastModifiedTime(dir.resolve("started"), java.nio.file.attribute.FileTime.from(T.minusSeconds(3)));
        TaskRecord a = new TaskRecord("a", TaskState.COMPLETED, "", null,
                List.of(attempt(1, JobState.COMPLETED, T, T.plusSeconds(2), T.plusSeconds(5), "study_1/a/1")));
        JsonNode attempt = data(Timeline.of(run(T.plusSeconds(6), a), tmp), tmp).get("attempts").get(0);
        assertThat(times(attempt)).containsExactly(0L, 0L, 5_000L);
    }

    @Test
    void linksAreRelativeToThePageAndEncoded() throws Exception {
        AttemptRecord custom = new AttemptRecord(1, "drv1", "1", JobState.COMPLETED, 0, "", T, T.plusSeconds(1),
                "study_1/a/1", List.of(), "out dir/a:b#1.log", "/abs/err%.log");
        TaskRecord a = new TaskRecord("a", TaskState.COMPLETED, "", null, List.of(custom));
        JsonNode attempt = data(Timeline.of(run(T.plusSeconds(2), a), tmp), tmp.resolve("study_1")).get("attempts").get(0);
        assertThat(attempt.get(12).asText()).isEqualTo("../out%20dir/a%3Ab%231.log");
        assertThat(attempt.get(13).asText()).startsWith("../").endsWith("/abs/err%25.log");
        JsonNode inRunDir = data(Timeline.of(run(T.plusSeconds(2), new TaskRecord("b", TaskState.COMPLETED, "", null,
                List.of(attempt(1, JobState.COMPLETED, T, null, T, "study_1/b/1")))), tmp), tmp.resolve("study_1"));
        assertThat(inRunDir.get("attempts").get(0).get(12).asText()).isEqualTo("./b/1/stdout");
        assertThat(inRunDir.get("attempts").get(0).get(13).asText()).isEqualTo("./b/1/stderr");
    }

    @Test
    void userValuesCannotEndTheDataOrBecomeMarkup() {
        String evil = "</script><script>alert(1)</script><!-- & \u2028";
        AttemptRecord a = new AttemptRecord(1, "drv1", evil, JobState.FAILED, 1, evil, T, T.plusSeconds(1),
                "study_1/x/1", List.of(), null, null);
        String html = Timeline.of(new RunRecord("study", "local", "study_1", T.plusSeconds(2),
                List.of(new TaskRecord(evil, TaskState.FAILED, evil, null, List.of(a)))), tmp).html(tmp);
        assertThat(html).doesNotContain("alert(1)</script>").doesNotContain("<!--").doesNotContain("\u2028")
                .contains("\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e\\u003c!-- \\u0026 \\u2028");
        assertThat(html.split("<script", -1)).hasSize(4);   // the page's three scripts only
        assertThat(Html.text("<a href=\"x\" title='y'>&</a>"))
                .isEqualTo("&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
    }

    @Test
    void writeReplacesThePageWholeAndCreatesItsDirectory() throws Exception {
        Timeline t = Timeline.of(run(T, new TaskRecord("a", TaskState.WAITING, "", null, List.of())), tmp);
        Path page = tmp.resolve("deep/er/page.html");
        assertThat(t.write(page)).isEqualTo(page);
        assertThat(Files.readString(page)).startsWith("<!DOCTYPE html>").endsWith("</html>\n");
        Files.writeString(page, "old");
        t.write(page);
        assertThat(Files.readString(page)).startsWith("<!DOCTYPE html>");
        assertThat(Files.list(page.getParent())).containsExactly(page);   // no temporary file left

        Files.writeString(tmp.resolve("file"), "x");
        assertThatThrownBy(() -> t.write(tmp.resolve("file/page.html")))
                .isInstanceOf(java.io.UncheckedIOException.class)
                .hasMessageStartingWith("cannot write the timeline " + tmp.resolve("file/page.html"));
    }

    @Test
    void fromAStoreWithoutAScheduler() throws Exception {
        Files.createDirectories(tmp.resolve("study_1"));
        try (RunStore store = RunStore.json(tmp.resolve("study.json"))) {
            store.save(run(T.plusSeconds(9), new TaskRecord("a", TaskState.COMPLETED, "", null,
                    List.of(attempt(1, JobState.COMPLETED, T, T.plusSeconds(1), T.plusSeconds(8), "study_1/a/1")))));
        }
        Timeline t = Timeline.fromStore(tmp.resolve("study.json"));
        assertThat(t.attempts()).isEqualTo(1);
        assertThat(data(t, tmp).get("attempts").get(0).get(12).asText()).isEqualTo("./study_1/a/1/stdout");
        assertThat(Timeline.fromStore(tmp.resolve("study.json"), tmp.resolve("elsewhere")).html(tmp))
                .contains("\"./elsewhere/study_1/a/1/stdout\"");

        assertThatThrownBy(() -> Timeline.fromStore(tmp.resolve("none.json")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("store: no run store at " + tmp.resolve("none.json"));
    }

    @Test
    void ticksAreRoundAndDurationsRead() {
        assertThat(new TimeAxis(0, 2_800).ticks()).containsExactly(0L, 1_000L, 2_000L);
        assertThat(new TimeAxis(0, 3_600_000).ticks()).hasSize(7).contains(600_000L, 3_600_000L);
        assertThat(new TimeAxis(0, 30L * 86_400_000).ticks().size()).isBetween(2, 11);
        assertThat(TimeAxis.tickLabel(90_000)).isEqualTo("1:30");
        assertThat(TimeAxis.tickLabel(3_600_000)).isEqualTo("1:00:00");
        assertThat(TimeAxis.duration(250)).isEqualTo("0.25 s");
        assertThat(TimeAxis.duration(65_000)).isEqualTo("1:05");
        assertThat(TimeAxis.duration(3_723_000)).isEqualTo("1:02:03");
        assertThat(TimeAxis.duration(2 * 86_400_000L + 3_723_000)).isEqualTo("2d 01:02:03");
        assertThat(TimeAxis.duration(-1)).isEmpty();
        StringBuilder sb = new StringBuilder();
        new TimeAxis(0, 3_000).appendPercent(sb, 1_000);
        assertThat(sb).hasToString("33.333");
    }
}
