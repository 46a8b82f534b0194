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
 * Renders a timeline as one self-contained HTML page: the header, a legend, the chart (one row per
 * task, one bar per attempt, its queued part light and its running part in its state's colour)
 * and the table of every attempt with links to its stdout and stderr. Everything is inline (CSS,
 * and a little script that records the page's own errors and filters by state); no user value
 * reaches the page unescaped.
 */
final class TimelineHtml {
    /** Rows of the chart laid out together: the browser skips the layout of the ones off screen. */
    private static final int CHUNK = 100;
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
        this.out = new StringBuilder(4096 + data.attempts() * 700);
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
                    .append(s.name()).append(" tr[data-state=").append(s.name()).append("]{display:none}\n");
        }
        out.append("</style>\n<script>\n").append(ERRORS_JS).append("</script>\n</head>\n<body data-attempts=\"")
                .append(data.attempts()).append("\" data-tasks=\"").append(data.rows().size()).append("\">\n");
        header();
        out.append("<ul id=\"page-errors\" hidden></ul>\n");
        legend();
        chart();
        table();
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
        out.append("</div>\n<div class=\"rows\">\n<div class=\"grid\">");
        for (long t : ticks) {
            out.append("<i style=\"left:");
            axis.appendPercent(out, axis.start() + t);
            out.append("%\"></i>");
        }
        out.append("</div>\n");
        List<TimelineData.TaskRow> rows = data.rows();
        int attemptIndex = 0;
        for (int i = 0; i < rows.size(); i++) {
            if (i % CHUNK == 0) {
                if (i > 0) {
                    out.append("</div>\n");
                }
                int n = Math.min(CHUNK, rows.size() - i);
                out.append("<div class=\"chunk\" style=\"contain-intrinsic-size:auto ").append(n * 16).append("px\">\n");
            }
            attemptIndex = row(rows.get(i), attemptIndex);
        }
        if (!rows.isEmpty()) {
            out.append("</div>\n");
        }
        out.append("</div>\n</section>\n");
    }

    /** One task's row; returns the index of the next attempt (attempts are numbered across the page). */
    private int row(TimelineData.TaskRow row, int attemptIndex) {
        String name = row.task().name();
        out.append("<div class=\"row\" data-task=\"");
        Html.text(out, name).append("\"><span class=\"name\" title=\"");
        Html.text(out, name);
        if (!row.params().isEmpty()) {
            out.append(' ');
            Html.text(out, params(row.params()));
        }
        out.append("\">");
        Html.text(out, name).append("</span><span class=\"track\">");
        List<AttemptSpan> spans = row.spans();
        for (AttemptSpan s : spans) {
            bar(name, s, attemptIndex++);
        }
        if (spans.isEmpty()) {
            out.append("<span class=\"lbl\" style=\"left:0\">");
            Html.text(out, row.task().state().name().toLowerCase(Locale.ROOT).replace('_', ' '));
            if (!row.task().reason().isEmpty()) {
                out.append(": ");
                Html.text(out, row.task().reason());
            }
            out.append("</span>");
        } else {
            AttemptSpan last = spans.get(spans.size() - 1);
            long shown = last.ranMillis(now) >= 0 ? last.ranMillis(now) : last.queuedMillis(now);
            out.append("<span class=\"lbl\" style=\"left:");
            axis.appendPercent(out, last.endOr(now));
            out.append("%\">").append(TimeAxis.duration(shown)).append("</span>");
        }
        out.append("</span></div>\n");
        return attemptIndex;
    }

    private void bar(String task, AttemptSpan s, int index) {
        AttemptRecord a = s.attempt();
        String state = a.state().name();
        long end = s.endOr(now);
        long total = end - s.submitted();
        out.append("<a class=\"bar s-").append(state);
        if (s.started() < 0) {
            out.append(" nostart");
        }
        if (s.inProgress()) {
            out.append(" now");
        }
        out.append("\" data-task=\"");
        Html.text(out, task).append("\" data-attempt=\"").append(a.number()).append("\" data-state=\"").append(state)
                .append("\" href=\"#a").append(index).append("\" style=\"left:");
        axis.appendPercent(out, s.submitted());
        out.append("%;width:");
        axis.appendWidth(out, total);
        out.append("%\" title=\"");
        Html.text(out, task).append(" #").append(a.number()).append(' ').append(state).append(": queued ")
                .append(TimeAxis.duration(s.queuedMillis(now)));
        if (s.started() >= 0) {
            out.append(", ran ").append(TimeAxis.duration(s.ranMillis(now)));
        } else if (!s.inProgress()) {
            out.append(", no start recorded");
        }
        if (a.exitCode() != null) {
            out.append(", exit ").append(a.exitCode());
        }
        if (!a.reason().isEmpty()) {
            out.append(" \u2014 ");
            Html.text(out, a.reason().length() > 200 ? a.reason().substring(0, 200) + "\u2026" : a.reason());
        }
        out.append("\">");
        long queued = s.queuedMillis(now);
        if (queued > 0 || s.started() < 0) {
            out.append("<i style=\"width:");
            if (s.started() < 0 || total <= 0) {
                out.append("100");
            } else {
                appendShare(queued, total);
            }
            out.append("%\"></i>");
        }
        out.append("</a>");
    }

    /** {@code part} of {@code whole} in percent, one decimal. */
    private void appendShare(long part, long whole) {
        long tenths = Math.round(part * 1000.0 / whole);
        out.append(tenths / 10);
        if (tenths % 10 != 0) {
            out.append('.').append(tenths % 10);
        }
    }

    private void table() {
        boolean manyDays = axis.span() >= 86_400_000L
                || !DAY_TIME.format(Instant.ofEpochMilli(axis.start())).regionMatches(0,
                        DAY_TIME.format(Instant.ofEpochMilli(axis.start() + axis.span())), 0, 10);
        DateTimeFormatter submittedFormat = manyDays ? MONTH_DAY_TIME : TIME;
        out.append("<h2>Every attempt</h2>\n<section class=\"summary\">\n<table>\n<thead><tr><th>task</th>"
                + "<th>params</th><th>attempt</th><th>job id</th><th>state</th><th>exit</th><th>submitted (UTC)</th>"
                + "<th>queued</th><th>ran</th><th>reason</th><th>output</th></tr></thead>\n<tbody>\n");
        int index = 0;
        int inBody = 0;
        for (TimelineData.TaskRow row : data.rows()) {
            String params = params(row.params());
            if (row.spans().isEmpty()) {
                out.append("<tr data-task=\"");
                Html.text(out, row.task().name()).append("\"><td class=\"c\">");
                Html.text(out, row.task().name()).append("</td><td class=\"c\">");
                Html.text(out, params).append("</td><td class=\"n\">\u2013</td><td></td><td class=\"st\">")
                        .append(row.task().state().name()).append("</td><td></td><td></td><td></td><td></td>"
                                + "<td class=\"r\">");
                Html.text(out, row.task().reason()).append("</td><td></td></tr>\n");
                inBody++;
            }
            for (AttemptSpan s : row.spans()) {
                AttemptRecord a = s.attempt();
                String state = a.state().name();
                out.append("<tr id=\"a").append(index++).append("\" data-task=\"");
                Html.text(out, row.task().name()).append("\" data-attempt=\"").append(a.number())
                        .append("\" data-state=\"").append(state).append("\"><td class=\"c\">");
                Html.text(out, row.task().name()).append("</td><td class=\"c\">");
                Html.text(out, params).append("</td><td class=\"n\">").append(a.number()).append("</td><td class=\"c\">");
                Html.text(out, a.jobId() == null ? "" : a.jobId()).append("</td><td class=\"st\"><span class=\"s-").append(state).append("\">").append(state)
                        .append("</span></td><td class=\"n\">").append(a.exitCode() == null ? "" : a.exitCode())
                        .append("</td><td class=\"t\">").append(submittedFormat.format(Instant.ofEpochMilli(s.submitted())))
                        .append("</td><td class=\"n\">").append(TimeAxis.duration(s.queuedMillis(now)))
                        .append("</td><td class=\"n\">").append(TimeAxis.duration(s.ranMillis(now)))
                        .append("</td><td class=\"r\">");
                Html.text(out, a.reason()).append("</td><td class=\"t\"><a href=\"");
                Html.text(out, Html.href(pageDir, s.stdout())).append("\">stdout</a> <a href=\"");
                Html.text(out, Html.href(pageDir, s.stderr())).append("\">stderr</a></td></tr>\n");
                inBody++;
            }
            if (inBody >= CHUNK) {
                out.append("</tbody>\n<tbody>\n");   // blocks the browser may skip laying out off screen
                inBody = 0;
            }
        }
        out.append("</tbody>\n</table>\n</section>\n");
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
