package org.drover.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.drover.Bundle;
import org.drover.Job;
import org.drover.Sweep;
import org.drover.local.LocalScheduler;
import org.drover.run.AttemptRecord;
import org.drover.run.RetryPolicy;
import org.drover.run.RunManager;
import org.drover.run.StateChange;
import org.drover.scheduler.JobState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The timeline of a real run on the LocalScheduler (a retry, a failure, a hostile parameter):
 * written by the manager while the run goes and at the end, on demand, and from the saved store.
 */
class TimelineLocalTest {
    @TempDir
    Path tmp;

    /** prep, then train_0/1 (one with a hostile parameter value), flaky (fails once), bad (fails twice). */
    static Bundle bundle(Path marker) {
        return Bundle.named("tl")
                .add(Job.named("prep").script("sleep 0.3; echo prepared"))
                .add(Sweep.of(Job.named("train").command("echo", "lr={lr}")).param("lr", "0.1",
                        "<script>alert(1)</script>").dependsOn("prep"))
                .add(Job.named("flaky").script("if [ -e '" + marker + "' ]; then echo ok; else touch '" + marker
                        + "'; echo 'first try fails' >&2; exit 3; fi"))
                .add(Job.named("bad").script("echo 'no such input' >&2; exit 2"));
    }

    static RetryPolicy retryFailures() {
        return RetryPolicy.builder().withMaxAttempts(2).retryOn(JobState.FAILED)
                .withBackoff(Duration.ofMillis(100), Duration.ofMillis(100)).build();
    }

    /** The attempts a page draws a bar for, from its data: task, attempt and state of each, in order. */
    static List<String> bars(String html) throws Exception {
        JsonNode data = data(html);
        List<String> bars = new ArrayList<>();
        for (JsonNode a : data.get("attempts")) {
            bars.add(data.get("tasks").get(a.get(0).asInt()).get(0).asText() + "#" + a.get(1).asInt() + " "
                    + a.get(3).asText());
        }
        return bars;
    }

    /** The page's data, which its script draws the chart and the table from. */
    static JsonNode data(String html) throws Exception {
        Matcher m = Pattern.compile("<script type=\"application/json\" id=\"timeline-data\">(.*?)</script>",
                Pattern.DOTALL).matcher(html);
        assertThat(m.find()).as("the page's data").isTrue();
        return new ObjectMapper().readTree(m.group(1));
    }

    @Test
    void theManagerWritesTheTimelineAsTheRunGoesAndAtTheEnd() throws Exception {
        Path page = tmp.resolve("report/tl-timeline.html");
        try (LocalScheduler local = LocalScheduler.builder().cpus(4).build();
             RunManager run = RunManager.of(bundle(tmp.resolve("marker"))).on(local).runsRoot(tmp.resolve("runs"))
                     .store(tmp.resolve("runs/tl.json")).retry(retryFailures())
                     .pollInterval(Duration.ofMillis(100)).timeline(page, Duration.ofMillis(100)).start()) {
            // While it runs: a page exists that shows prep in progress (its bar reaches up to "now").
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(page)
                    && Files.readString(page).contains("while it runs"));
            run.awaitCompletion(Duration.ofSeconds(60));

            String html = Files.readString(page);
            assertThat(html).doesNotContain("while it runs");
            assertThat(bars(html)).containsExactly("prep#1 COMPLETED", "train_0#1 COMPLETED", "train_1#1 COMPLETED",
                    "flaky#1 FAILED", "flaky#2 COMPLETED", "bad#1 FAILED", "bad#2 FAILED");
            // The hostile parameter is text, and the links lead to the attempts' files, relative to the page.
            assertThat(html).doesNotContain("<script>alert(1)</script>")
                    .contains("\"lr=\\u003cscript\\u003ealert(1)\\u003c/script\\u003e\"");
            assertThat(data(html).get("tasks").get(2).get(1).asText()).isEqualTo("lr=<script>alert(1)</script>");
            String runDir = run.runDirectory().path().getFileName().toString();
            assertThat(html).contains("\"../runs/" + runDir + "/flaky/1/stdout\",\"../runs/" + runDir + "/flaky/1/stderr\"]")
                    .contains("\"../runs/" + runDir + "/bad/2/stdout\",\"../runs/" + runDir + "/bad/2/stderr\"]");
            assertThat(page.getParent().resolve("../runs/" + runDir + "/flaky/1/stderr"))
                    .hasContent("first try fails");
            assertThat(data(html).get("attempts").get(3).get(11).asText()).isEqualTo("exit code 3");

            // On demand, in the run directory: links are ./<task>/<attempt>/...
            Path inRunDir = run.writeTimeline(run.runDirectory().path().resolve("timeline.html"));
            assertThat(Files.readString(inRunDir)).contains("\"./bad/1/stdout\",\"./bad/1/stderr\"]");
        }

        // From the saved store, without a scheduler: the same bars, the parameters from the bundle record.
        Timeline saved = Timeline.fromStore(tmp.resolve("runs/tl.json"));
        assertThat(saved.attempts()).isEqualTo(7);
        String again = saved.html(tmp);
        assertThat(bars(again)).containsExactly("prep#1 COMPLETED", "train_0#1 COMPLETED", "train_1#1 COMPLETED",
                "flaky#1 FAILED", "flaky#2 COMPLETED", "bad#1 FAILED", "bad#2 FAILED");
        assertThat(data(again).get("tasks").get(1).get(1).asText()).isEqualTo("lr=0.1");
    }

    @Test
    void barsUseTheJobsOwnStartAndEndRecords() throws Exception {
        Bundle b = Bundle.named("slow").add(Job.named("wait").script("sleep 1"));
        try (LocalScheduler local = LocalScheduler.builder().cpus(1).build();
             RunManager run = RunManager.of(b).on(local).runsRoot(tmp.resolve("runs"))
                     .pollInterval(Duration.ofSeconds(3)).start()) {
            run.awaitCompletion(Duration.ofSeconds(30));
            Timeline t = Timeline.of(run.record(), tmp.resolve("runs"));
            // The job ran about 1 s (its own records), though the manager saw its start and end 3 s apart at most.
            JsonNode a = data(t.html(tmp)).get("attempts").get(0);
            assertThat(a.get(7).asLong() - a.get(6).asLong()).as("ran, ms").isBetween(900L, 2000L);
            assertThat(a.get(10).asText()).matches("1\\.\\d\\d s");
        }
    }

    @Test
    void aTimelineThatCannotBeWrittenNeverFailsTheRun() throws Exception {
        Files.writeString(tmp.resolve("file"), "x");
        Bundle b = Bundle.named("one").add(Job.named("hi").command("echo", "hi"));
        try (LocalScheduler local = LocalScheduler.builder().cpus(1).build();
             RunManager run = RunManager.of(b).on(local).runsRoot(tmp.resolve("runs"))
                     .pollInterval(Duration.ofMillis(100)).timeline(tmp.resolve("file/page.html")).start()) {
            assertThat(run.awaitCompletion(Duration.ofSeconds(30)).isSuccess()).isTrue();
        }
    }

    @Test
    void theBuilderChecksHowOften() {
        RunManager.Builder b = RunManager.of(Job.named("hi").command("true"));
        assertThatThrownBy(() -> b.timeline(tmp.resolve("t.html"), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("timeline: every must be positive, got PT0S");
        assertThatThrownBy(() -> b.timeline(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("timeline file");
    }

    @Test
    void writeTimelineBeforeTheFirstStepShowsTheTasksWaiting() throws Exception {
        Bundle b = Bundle.named("two").add(Job.named("a").command("true")).add(Job.named("b").command("true"));
        try (LocalScheduler local = LocalScheduler.builder().cpus(1).build();
             RunManager run = RunManager.of(b).on(local).runsRoot(tmp.resolve("runs")).build()) {
            String html = Files.readString(run.writeTimeline(tmp.resolve("t.html")));
            assertThat(bars(html)).isEmpty();
            assertThat(data(html).get("tasks")).hasSize(2);
            assertThat(html).contains("<b>0 of 2 tasks</b> done, 2 waiting; 0 attempts.");
        }
    }

    @Test
    void aJobThatEndedBetweenTwoPollsKeepsItsStartInTheStore() throws Exception {
        Bundle b = Bundle.named("quick").add(Job.named("q").command("true"));
        try (LocalScheduler local = LocalScheduler.builder().cpus(1).build();
             RunManager run = RunManager.of(b).on(local).runsRoot(tmp.resolve("runs"))
                     .store(tmp.resolve("runs/quick.json")).pollInterval(Duration.ofSeconds(2)).start()) {
            run.awaitCompletion(Duration.ofSeconds(30));
            AttemptRecord a = run.record().tasks().get(0).lastAttempt();
            assertThat(a.history()).extracting(StateChange::state).doesNotContain(JobState.RUNNING);
            assertThat(a.started()).isNotNull().isBetween(a.submitted().minusSeconds(1), a.ended());
        }
        // The store copied away from its run directory (no record files to look at): the start is still known.
        Files.copy(tmp.resolve("runs/quick.json"), tmp.resolve("copy.json"));
        JsonNode attempt = data(Timeline.fromStore(tmp.resolve("copy.json"), tmp.resolve("nowhere")).html(tmp))
                .get("attempts").get(0);
        assertThat(attempt.get(6).asLong()).as("started").isNotNegative();
        assertThat(Files.readString(tmp.resolve("copy.json"))).contains("\"started\":\"");
    }
}
