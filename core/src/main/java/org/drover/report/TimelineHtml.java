package org.drover.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.drover.internal.Plural;
import org.drover.run.AttemptRecord;
import org.drover.run.TaskState;
import org.drover.scheduler.JobState;

/**
 * Renders a timeline as one self-contained HTML page: the header, a legend and the time axis as
 * HTML, then the run's data as JSON, from which the page's script draws the chart (one row per
 * task, one bar per attempt, its queued part light and its running part in its state's colour)
 * and the table of every attempt with links to its stdout and stderr. Everything is inline (CSS,
 * data, script); no user value reaches the page unescaped (HTML-escaped in the markup,
 * {@link ScriptData} in the data, and the script sets text, never markup). The script keeps the
 * page small and fast: 10,000 attempts are about 2 MB, where the same rows as HTML were 9 MB and
 * took Chromium several seconds to lay out.
 */
final class TimelineHtml {
    private static final DateTimeFormatter DAY_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter MONTH_DAY_TIME = DateTimeFormatter.ofPattern("MM-dd HH:mm:ss", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final String CSS = resource("timeline.css");
    private static final String ERRORS_JS = resource("timeline-errors.js");
    private static final String JS = resource("timeline.js");

    private final TimelineData data;
    private final Path pageDir;
    private final TimeAxis axis;
    private final long now;
    private final StringBuilder out;

    private TimelineHtml(TimelineData data, Path pageDir) {
        this.data = data;
        this.pageDir = pageDir;
        this.now = data.at().toEpochMilli();
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (TimelineData.TaskRow row : data.rows()) {
            for (AttemptSpan s : row.spans()) {
                first = Math.min(first, s.submitted());
                last = Math.max(last, s.endOr(now));
            }
        }
        if (first == Long.MAX_VALUE) {
            first = now;
            last = now;
        }
        this.axis = new TimeAxis(first, last);
        this.out = new StringBuilder(4096 + data.attempts() * 256);
    }

    /** The page, with links relative to {@code pageDir} (absolute), where it is to be written. */
    static String render(TimelineData data, Path pageDir) {
        return new TimelineHtml(data, pageDir).page();
    }

    private String page() {
        String bundle = data.run().bundle();
        out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<meta name=\"generator\" content=\"Drover\">\n<title>");
        Html.text(out, bundle).append(" \u2014 timeline</title>\n<style>\n").append(CSS);
        for (JobState s : JobState.values()) {
            out.append(".hide-").append(s.name()).append(" .bar.s-").append(s.name()).append(",.hide-")
                    .append(s.name()).append(" .tr[data-state=").append(s.name()).append("]{display:none}\n");
        }
        out.append("</style>\n<script>\n").append(ERRORS_JS).append("</script>\n</head>\n<body data-attempts=\"")
                .append(data.attempts()).append("\" data-tasks=\"").append(data.rows().size()).append("\">\n");
        header();
        out.append("<ul id=\"page-errors\" hidden></ul>\n");
        legend();
        chart();
        table();
        data();
        out.append("<script>\n").append(JS).append("</script>\n</body>\n</html>\n");
        return out.toString();
    }

    private void header() {
        out.append("<header>\n<h1>");
        Html.text(out, data.run().bundle()).append(" <small class=\"meta\">timeline</small></h1>\n<p class=\"meta\">");
        int[] byState = new int[TaskState.values().length];
        for (TimelineData.TaskRow row : data.rows()) {
            byState[row.task().state().ordinal()]++;
        }
        int done = byState[TaskState.COMPLETED.ordinal()] + byState[TaskState.SKIPPED.ordinal()];
        out.append("<b>").append(done).append(" of ").append(Plural.of(data.rows().size(), "task")).append("</b> done");
        for (TaskState s : TaskState.values()) {
            if (s != TaskState.COMPLETED && s != TaskState.SKIPPED && byState[s.ordinal()] > 0) {
                out.append(", ").append(byState[s.ordinal()]).append(' ').append(s.name().toLowerCase(Locale.ROOT)
                        .replace('_', ' '));
            }
        }
        out.append("; ").append(Plural.of(data.attempts(), "attempt"));
        if (data.attempts() > 0) {
            out.append(", from ").append(DAY_TIME.format(Instant.ofEpochMilli(axis.start()))).append(" UTC over ")
                    .append(TimeAxis.duration(axis.span()));
        }
        out.append(".<br>Run directory <code>");
        Html.text(out, data.runDirectory().toString()).append("</code> on ");
        Html.text(out, data.run().scheduler()).append("; written ")
                .append(DAY_TIME.format(data.at())).append(" UTC").append(data.finished() ? "" : ", while it runs")
                .append(".</p>\n</header>\n");
    }

    private void legend() {
        EnumMap<JobState, Integer> counts = new EnumMap<>(JobState.class);
        for (TimelineData.TaskRow row : data.rows()) {
            for (AttemptSpan s : row.spans()) {
                counts.merge(s.state(), 1, Integer::sum);
            }
        }
        out.append("<section class=\"legend\" aria-label=\"attempts by state\">\n")
                .append("<span><span class=\"sw q\"></span>queued, then running</span>\n");
        for (Map.Entry<JobState, Integer> e : counts.entrySet()) {
            String s = e.getKey().name();
            out.append("<label class=\"s-").append(s).append("\"><input type=\"checkbox\" checked data-state=\"")
                    .append(s).append("\"><span class=\"sw\"></span><span style=\"color:#1d2330\">")
                    .append(s.toLowerCase(Locale.ROOT).replace('_', ' ')).append(' ').append(e.getValue())
                    .append("</span></label>\n");
        }
        out.append("</section>\n");
    }

    private void chart() {
        out.append("<h2>Attempts over time</h2>\n<section class=\"chart\">\n<div class=\"axis\">");
        List<Long> ticks = axis.ticks();
        for (long t : ticks) {
            out.append("<span style=\"left:");
            axis.appendPercent(out, axis.start() + t);
            out.append("%\">").append(TimeAxis.tickLabel(t)).append("</span>");
        }
        out.append("</div>\n<div class=\"rows\" id=\"rows\">\n<div class=\"grid\">");
        for (long t : ticks) {
            out.append("<i style=\"left:");
            axis.appendPercent(out, axis.start() + t);
            out.append("%\"></i>");
        }
        out.append("</div>\n<noscript><p>The chart and the table are drawn by the page's script: allow JavaScript "
                + "for this file to see them.</p></noscript>\n</div>\n</section>\n");
    }

    private void table() {
        out.append("<h2>Every attempt</h2>\n<section class=\"summary\" role=\"table\" aria-label=\"every attempt\">\n"
                + "<div class=\"tr th\" role=\"row\"><span role=\"columnheader\">task</span>"
                + "<span role=\"columnheader\">params</span><span role=\"columnheader\" class=\"n\">attempt</span>"
                + "<span role=\"columnheader\">job id</span><span role=\"columnheader\">state</span>"
                + "<span role=\"columnheader\" class=\"n\">exit</span><span role=\"columnheader\">submitted (UTC)</span>"
                + "<span role=\"columnheader\" class=\"n\">queued</span><span role=\"columnheader\" class=\"n\">ran</span>"
                + "<span role=\"columnheader\">reason</span><span role=\"columnheader\">output</span></div>\n"
                + "<div id=\"attempt-rows\"></div>\n</section>\n");
    }

    /**
     * The data the page's script draws the chart and the table from, as JSON: the time scale (ms),
     * then per task {@code [name, params, state, reason, first attempt, attempts]} and per attempt
     * {@code [task, number, job id, state, exit, submitted, started, ended, submitted as text, queued,
     * ran, reason, stdout link, stderr link]}, times in ms from the first submission (-1: not known,
     * or not ended).
     */
    private void data() {
        boolean manyDays = axis.span() >= 86_400_000L
                || !DAY_TIME.format(Instant.ofEpochMilli(axis.start())).regionMatches(0,
                        DAY_TIME.format(Instant.ofEpochMilli(axis.start() + axis.span())), 0, 10);
        DateTimeFormatter submittedFormat = manyDays ? MONTH_DAY_TIME : TIME;
        long t0 = axis.start();
        out.append("<script type=\"application/json\" id=\"timeline-data\">{\"span\":").append(axis.span())
                .append(",\"now\":").append(now - t0).append(",\"tasks\":[");
        int attemptIndex = 0;
        List<TimelineData.TaskRow> rows = data.rows();
        for (int i = 0; i < rows.size(); i++) {
            TimelineData.TaskRow row = rows.get(i);
            out.append(i == 0 ? "\n[" : ",\n[");
            ScriptData.string(out, row.task().name()).append(',');
            ScriptData.string(out, params(row.params())).append(',');
            ScriptData.string(out, row.task().state().name()).append(',');
            ScriptData.string(out, row.task().reason()).append(',').append(attemptIndex).append(',')
                    .append(row.spans().size()).append(']');
            attemptIndex += row.spans().size();
        }
        out.append("],\"attempts\":[");
        int k = 0;
        for (int i = 0; i < rows.size(); i++) {
            for (AttemptSpan s : rows.get(i).spans()) {
                AttemptRecord a = s.attempt();
                out.append(k++ == 0 ? "\n[" : ",\n[").append(i).append(',').append(a.number()).append(',');
                ScriptData.string(out, a.jobId()).append(',');
                ScriptData.string(out, a.state().name()).append(',').append(a.exitCode()).append(',')
                        .append(s.submitted() - t0).append(',').append(s.started() < 0 ? -1 : s.started() - t0)
                        .append(',').append(s.ended() < 0 ? -1 : s.ended() - t0).append(',');
                ScriptData.string(out, submittedFormat.format(Instant.ofEpochMilli(s.submitted()))).append(',');
                ScriptData.string(out, TimeAxis.duration(s.queuedMillis(now))).append(',');
                ScriptData.string(out, TimeAxis.duration(s.ranMillis(now))).append(',');
                ScriptData.string(out, a.reason()).append(',');
                ScriptData.string(out, Html.href(pageDir, s.stdout())).append(',');
                ScriptData.string(out, Html.href(pageDir, s.stderr())).append(']');
            }
        }
        out.append("]}</script>\n");
    }

    /** {@code lr=0.1 seed=2}. */
    private static String params(Map<String, String> params) {
        if (params.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        params.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : " ").append(k).append('=').append(v));
        return sb.toString();
    }

    private static String resource(String name) {
        try (InputStream in = TimelineHtml.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + name + " is missing from drover-core");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read resource " + name + ": " + e.getMessage(), e);
        }
    }
}
