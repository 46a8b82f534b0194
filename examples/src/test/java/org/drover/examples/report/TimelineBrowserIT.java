package org.drover.examples.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.drover.Bundle;
import org.drover.Job;
import org.drover.Sweep;
import org.drover.local.LocalScheduler;
import org.drover.report.Timeline;
import org.drover.run.AttemptRecord;
import org.drover.run.RetryPolicy;
import org.drover.run.RunManager;
import org.drover.run.RunRecord;
import org.drover.run.StateChange;
import org.drover.run.TaskRecord;
import org.drover.run.TaskState;
import org.drover.scheduler.JobState;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The timeline report in real headless Chromium: the page of a real LocalScheduler run (a retry,
 * a failure, a hostile parameter) loads with no error, shows one bar per attempt in the colour of
 * its state and a row per attempt whose links open the attempt's files; hostile task names and
 * reasons stay text; a screenshot is kept in {@code target/timeline-it/}.
 */
class TimelineBrowserIT {
    private static final Path SCREENSHOTS = Path.of("target", "timeline-it");

    @TempDir
    Path tmp;

    private HeadlessChromium chromium;

    @BeforeEach
    void chromium() {
        chromium = HeadlessChromium.in(tmp.resolve("chromium"));
    }

    /** prep, then train_0/1 (one with a hostile parameter value), flaky (fails once), bad (fails twice). */
    private Bundle bundle() {
        Path marker = tmp.resolve("marker");
        return Bundle.named("tl")
                .add(Job.named("prep").script("sleep 0.3; echo prepared"))
                .add(Sweep.of(Job.named("train").command("echo", "lr={lr}"))
                        .param("lr", "0.1", "<script>alert(1)</script>").dependsOn("prep"))
                .add(Job.named("flaky").script("if [ -e '" + marker + "' ]; then echo ok; else touch '" + marker
                        + "'; echo 'first try fails' >&2; exit 3; fi"))
                .add(Job.named("bad").script("echo 'no such input' >&2; exit 2"));
    }

    @Test
    void thePageOfARealRunShowsEveryAttemptWithItsStateAndOutput() throws Exception {
        Path page = tmp.resolve("report/tl-timeline.html");
        try (LocalScheduler local = LocalScheduler.builder().cpus(4).build();
             RunManager run = RunManager.of(bundle()).on(local).runsRoot(tmp.resolve("runs"))
                     .store(tmp.resolve("runs/tl.json")).pollInterval(Duration.ofMillis(100))
                     .retry(RetryPolicy.builder().withMaxAttempts(2).retryOn(JobState.FAILED)
                             .withBackoff(Duration.ofMillis(200), Duration.ofMillis(200)).build())
                     .timeline(page).start()) {
            run.awaitCompletion(Duration.ofSeconds(60));
        }

        HeadlessChromium.Load load = chromium.dumpDom(page);
        Document dom = Jsoup.parse(load.dom(), page.getParent().toUri().toString());
        assertNoErrors(load, dom);

        List<String> bars = dom.select("a.bar").stream()
                .map(b -> b.attr("data-task") + "#" + b.attr("data-attempt") + " " + b.attr("data-state")).toList();
        assertThat(bars).containsExactly("prep#1 COMPLETED", "train_0#1 COMPLETED", "train_1#1 COMPLETED",
                "flaky#1 FAILED", "flaky#2 COMPLETED", "bad#1 FAILED", "bad#2 FAILED");
        for (Element bar : dom.select("a.bar")) {
            assertThat(bar.classNames()).as(bar.outerHtml()).contains("s-" + bar.attr("data-state"));
            assertThat(bar.attr("style")).as(bar.outerHtml()).matches("left: [\\d.]+%; width: [\\d.]+%;");
        }
        // A retry is a second bar on its task's row, after the first.
        Element flaky = dom.selectFirst("div.row[data-task=flaky]");
        assertThat(flaky.select("a.bar")).hasSize(2);
        assertThat(left(flaky.select("a.bar").get(1))).isGreaterThan(left(flaky.select("a.bar").get(0)));
        // The legend counts attempts by state.
        assertThat(dom.select(".legend label").eachText()).containsExactly("completed 4", "failed 3");

        // One table row per attempt: state, reason, and links that open the attempt's own files.
        assertThat(dom.select(".tr[data-attempt]")).hasSize(7);
        Element flaky1 = dom.selectFirst(".tr[data-task=flaky][data-attempt=1]");
        assertThat(flaky1.select("[role=cell]").eachText()).contains("FAILED", "3", "exit code 3");
        Element stderr = flaky1.selectFirst("a:containsOwn(stderr)");
        assertThat(stderr.attr("href")).startsWith("../runs/tl_").endsWith("/flaky/1/stderr");
        assertThat(Path.of(stderr.absUrl("href").replace("file:", ""))).hasContent("first try fails");
        Element bad2 = dom.selectFirst(".tr[data-task=bad][data-attempt=2]");
        assertThat(Path.of(bad2.selectFirst("a:containsOwn(stderr)").absUrl("href").replace("file:", "")))
                .hasContent("no such input");

        // The hostile parameter value is text in the page, not an element.
        assertThat(dom.select(".tr[data-task=train_1] [role=cell]").eachText())
                .contains("lr=<script>alert(1)</script>");
        assertThat(dom.select("script")).hasSize(3);   // the page's own: error recorder, data, drawing

        Path png = SCREENSHOTS.resolve("timeline.png");
        Files.deleteIfExists(png);
        String log = chromium.screenshot(page, png, 1400, 700);
        assertThat(log.lines().filter(l -> l.contains(":CONSOLE"))).isEmpty();
        assertThat(Files.size(png)).isGreaterThan(10_000);
        assertThat(Files.readAllBytes(png)).startsWith(0x89, 'P', 'N', 'G');
    }

    @Test
    void hostileNamesReasonsAndIdsStayText() throws Exception {
        String name = "<script>alert(1)</script>";
        String reason = "\"><img src=x onerror=alert(2)>";
        String jobId = "</script><script>alert(3)</script>";
        Instant t = Instant.parse("2026-12-05T10:00:00Z");
        AttemptRecord a = new AttemptRecord(1, "drv1", jobId, JobState.FAILED, 1, reason, t, t.plusSeconds(5),
                "x_1/evil/1", List.of(new StateChange(t.plusSeconds(1), JobState.RUNNING, ""),
                        new StateChange(t.plusSeconds(5), JobState.FAILED, reason)), null, null);
        RunRecord run = new RunRecord("</title><script>alert(4)</script>", "local", "x_1",
                t.plusSeconds(6), List.of(new TaskRecord(name, TaskState.FAILED, reason, null, List.of(a))));
        Path page = Timeline.of(run, tmp).write(tmp.resolve("evil.html"));

        HeadlessChromium.Load load = chromium.dumpDom(page);
        Document dom = Jsoup.parse(load.dom());
        assertNoErrors(load, dom);
        assertThat(dom.select("img")).isEmpty();
        assertThat(dom.select("script")).hasSize(3);
        assertThat(dom.title()).isEqualTo("</title><script>alert(4)</script> \u2014 timeline");
        assertThat(dom.selectFirst("a.bar").attr("data-task")).isEqualTo(name);
        assertThat(dom.selectFirst("div.row .name").text()).isEqualTo(name);
        assertThat(dom.select(".tr[data-attempt] [role=cell]").eachText()).contains(name, jobId, reason);
        chromium.screenshot(page, SCREENSHOTS.resolve("timeline-hostile.png"), 1200, 400);
    }

    @Test
    void anErrorInAPageIsSeen() throws Exception {
        // The checks above can fail: a page whose script throws is caught by both observers.
        Path page = tmp.resolve("broken.html");
        String html = Timeline.of(new RunRecord("b", "local", "b_1", Instant.now(), List.of()), tmp).html(tmp)
                .replace("(function () {\n  'use strict';\n  var root", "(function () {\n  'use strict';\n  noSuchFunction();\n  var root");
        assertThat(html).contains("noSuchFunction();");
        Files.writeString(page, html);
        HeadlessChromium.Load load = chromium.dumpDom(page);
        Document dom = Jsoup.parse(load.dom());
        assertThat(dom.selectFirst("html").attr("data-errors")).isEqualTo("1");
        assertThat(dom.select("#page-errors li").eachText()).singleElement().asString().contains("noSuchFunction");
        assertThat(load.consoleLines()).anyMatch(l -> l.contains("noSuchFunction is not defined"));
        assertThat(dom.selectFirst("html").hasAttr("data-ready")).isFalse();
    }

    private static void assertNoErrors(HeadlessChromium.Load load, Document dom) {
        Element html = dom.selectFirst("html");
        assertThat(html.attr("data-ready")).as("the page's script ran to its end").isEqualTo("1");
        assertThat(html.hasAttr("data-errors")).as("errors the page recorded: %s", dom.select("#page-errors li").eachText())
                .isFalse();
        assertThat(html.hasAttr("data-alerted")).as("alert() was called").isFalse();
        assertThat(load.consoleLines()).as("the page's console messages and uncaught errors").isEmpty();
    }

    private static double left(Element bar) {
        return Double.parseDouble(bar.attr("style").replaceAll(".*left: ([\\d.]+)%.*", "$1"));
    }
}
