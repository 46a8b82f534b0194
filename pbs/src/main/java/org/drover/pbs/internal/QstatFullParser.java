package org.drover.pbs.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses the text form of {@code qstat -f} / {@code qstat -x -f}: a {@code Job Id: <id>} line per
 * job, then {@code     key = value} lines (OpenPBS; Torque-style wrappers such as Debian's
 * {@code slurm-wlm-torque} indent them with a tab instead, which the first attribute line of each
 * job tells); with OpenPBS a long value goes on in lines that start with a tab, to be joined to it
 * as they are (it wraps at ~80 columns, even inside a path, so nothing is inserted); a blank line
 * separates jobs. The text form is the one
 * Drover polls with: {@code -F json} types values by heuristic ({@code "007"} becomes 7, a job name
 * may become a number) and the HEAD client prints only the first of several ids.
 *
 * <pre>{@code
 * List<PbsJob> jobs = QstatFullParser.parse(stdout);   // one per "Job Id:" block, in order
 * }</pre>
 */
public final class QstatFullParser {
    private QstatFullParser() {}

    /**
     * The jobs of one {@code qstat -f} output, in order.
     *
     * @param text the command's stdout
     * @return the jobs; a line that fits no form is skipped (a later block still parses)
     */
    public static List<PbsJob> parse(String text) {
        List<PbsJob> jobs = new ArrayList<>();
        String id = null;
        Map<String, String> attributes = new LinkedHashMap<>();
        String lastKey = null;
        Boolean tabIndented = null;   // per job: OpenPBS indents with 4 blanks, Torque-style wrappers with a tab
        for (String line : text.split("\r?\n", -1)) {
            if (line.startsWith("Job Id:")) {
                if (id != null) {
                    jobs.add(new PbsJob(id, attributes));
                }
                id = line.substring("Job Id:".length()).trim();
                attributes = new LinkedHashMap<>();
                lastKey = null;
                tabIndented = null;
                continue;
            }
            if (id != null && tabIndented == null && !line.isBlank()) {
                tabIndented = line.startsWith("\t");
            }
            if (Boolean.TRUE.equals(tabIndented) && line.startsWith("\t") && line.contains(" = ")) {
                int eq = line.indexOf(" = ");
                lastKey = line.substring(1, eq).trim();
                attributes.put(lastKey, line.substring(eq + 3));
            } else if (line.startsWith("\t") && lastKey != null) {
                attributes.merge(lastKey, line.substring(1), String::concat);   // a wrapped value goes on
            } else if (line.startsWith("    ") && id != null) {
                int eq = line.indexOf(" = ");
                if (eq > 0) {
                    lastKey = line.substring(4, eq).trim();
                    attributes.put(lastKey, line.substring(eq + 3));
                } else {
                    lastKey = null;
                }
            } else if (line.isBlank()) {
                lastKey = null;
            }
        }
        if (id != null) {
            jobs.add(new PbsJob(id, attributes));
        }
        return jobs;
    }
}
