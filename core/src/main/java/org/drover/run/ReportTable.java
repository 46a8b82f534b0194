package org.drover.run;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The table of a {@link RunReport}: one line per row, columns as wide as their widest cell, the
 * reason last and whole (a reason of several lines goes on under its column). The sweep parameters'
 * column appears only when a row has some.
 */
final class ReportTable {
    private static final String GAP = "  ";

    private ReportTable() {}

    /** Appends the header and one line per row, each on a new line. */
    static void append(StringBuilder sb, List<RunReport.Row> rows) {
        boolean withParams = rows.stream().anyMatch(r -> !r.params().isEmpty());
        List<String[]> cells = new ArrayList<>(rows.size() + 1);
        cells.add(withParams ? new String[] {"task", "params", "attempt", "job id", "state", "exit", "elapsed"}
                : new String[] {"task", "attempt", "job id", "state", "exit", "elapsed"});
        List<String> reasons = new ArrayList<>(rows.size() + 1);
        reasons.add("reason");
        for (RunReport.Row r : rows) {
            List<String> c = new ArrayList<>(7);
            c.add(r.task());
            if (withParams) {
                c.add(params(r.params()));
            }
            c.add(Integer.toString(r.attempt()));
            c.add(r.jobId());
            c.add(r.state().name());
            c.add(ExitCodes.describe(r.exitCode()));
            c.add(RunReport.format(r.elapsed()));
            cells.add(c.toArray(new String[0]));
            reasons.add(r.reason());
        }
        int columns = cells.get(0).length;
        int[] width = new int[columns];
        for (String[] line : cells) {
            for (int i = 0; i < columns; i++) {
                width[i] = Math.max(width[i], line[i].length());
            }
        }
        int attemptColumn = withParams ? 2 : 1;
        int elapsedColumn = columns - 1;
        int reasonStart = 0;
        for (int w : width) {
            reasonStart += w + GAP.length();
        }
        for (int l = 0; l < cells.size(); l++) {
            String[] line = cells.get(l);
            StringBuilder out = new StringBuilder(reasonStart + 40);
            for (int i = 0; i < columns; i++) {
                boolean right = l > 0 && (i == attemptColumn || i == elapsedColumn);
                pad(out, line[i], width[i], right);
                out.append(GAP);
            }
            String[] reason = reasons.get(l).split("\n", -1);
            out.append(reason[0]);
            for (int k = 1; k < reason.length; k++) {
                out.append('\n').append(" ".repeat(reasonStart)).append(reason[k]);
            }
            sb.append('\n').append(out.toString().stripTrailing());
        }
    }

    private static void pad(StringBuilder out, String text, int width, boolean right) {
        String fill = " ".repeat(width - text.length());
        out.append(right ? fill : "").append(text).append(right ? "" : fill);
    }

    /** {@code lr=0.1 seed=1}. */
    static String params(Map<String, String> params) {
        StringBuilder sb = new StringBuilder();
        params.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : " ").append(k).append('=').append(v));
        return sb.toString();
    }
}
