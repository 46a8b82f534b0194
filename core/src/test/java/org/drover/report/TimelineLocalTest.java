package org.drover.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.drover.Bundle;
import org.drover.Job;
import org.drover.Sweep;
import org.drover.local.LocalScheduler;
import org.drover.run.RetryPolicy;
import org.drover.run.RunManager;
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

    /** The bars of a page: task, attempt and state of each, in order. */
    static List<String> bars(String html) {
        Matcher m = Pattern.compile("<a class=\"bar [^\"]*\" data-task=\"([^\"]*)\" data-attempt=\"(\\d+)\" "
                + "data-state=\"([A-Z_]+)\"").matcher(html);
        List<String> bars = new java.util.ArrayList<>();
        while (m.find()) {
            bars.add(m.group(1) + "#" + m.group(2) + " " + m.group(3));
        }
        return bars;
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
                    .contains("lr=&lt;script&gt;alert(1)&lt;/script&gt;");
            String runDir = run.runDirectory().path().getFileName().toString();
            assertThat(html).contains("href=\"../runs/" + runDir + "/flaky/1/stderr\">stderr</a>")
                    .contains("href=\"../runs/" + runDir + "/bad/2/stdout\">stdout</a>");
            assertThat(page.getParent().resolve("../runs/" + runDir + "/flaky/1/stderr"))
                    .hasContent("first try fails");
            assertThat(html).contains("<td class=\"r\">exit code 3</td>");

            // On demand, in the run directory: links are ./<task>/<attempt>/...
            Path inRunDir = run.writeTimeline(run.runDirectory().path().resolve("timeline.html"));
            assertThat(Files.readString(inRunDir)).contains("href=\"./bad/1/stderr\"");
        }

        // From the saved store, without a scheduler: the same bars, the parameters from the bundle record.
        Timeline saved = Timeline.fromStore(tmp.resolve("runs/tl.json"));
        assertThat(saved.attempts()).isEqualTo(7);
        String again = saved.html(tmp);
        assertThat(bars(again)).containsExactly("prep#1 COMPLETED", "train_0#1 COMPLETED", "train_1#1 COMPLETED",
                "flaky#1 FAILED", "flaky#2 COMPLETED", "bad#1 FAILED", "bad#2 FAILED");
        assertThat(again).contains("lr=0.1").contains("lr=&lt;script&gt;");
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
            Matcher ran = Pattern.compile("ran (\\d+\\.\\d+) s").matcher(t.html(tmp));
            assertThat(ran.find()).isTrue();
            assertThat(Double.parseDouble(ran.group(1))).isBetween(0.9, 2.0);
        }
    }
}
