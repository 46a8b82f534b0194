package org.drover.pbs.internal;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.drover.scheduler.JobStatus;

/**
 * One batched {@code qstat -x -f <ids>} call's answer, as a status for every id asked: the jobs
 * printed (read by {@link QstatFullParser}, meant by {@link PbsStates}); an id the server says it
 * does not know ({@code qstat: Unknown Job Id 9999.pbshost}, exit code 153; Torque-style wrappers
 * print nothing and exit 153) or no longer shows ({@code Job has finished, use -x}) is
 * {@code NOT_FOUND} (a run manager then reads the attempt's exitcode record); an id the answer does
 * not account for after a failed call is {@code UNKNOWN}: a failed query tells nothing, it never
 * fails a job.
 *
 * <pre>{@code
 * Map<String, JobStatus> s = QstatAnswer.statuses(ids, r.stdout(), r.stderr(), r.exitCode());
 * }</pre>
 */
public final class QstatAnswer {
    /** qstat's exit code for an unknown job id (PBS error 15001 modulo 256). */
    static final int UNKNOWN_JOB = 153;
    private static final Pattern UNKNOWN = Pattern.compile("Unknown Job Id (\\S+)");
    private static final Pattern FINISHED = Pattern.compile("qstat: (\\S+) Job has finished");

    private QstatAnswer() {}

    /**
     * A status for every id asked.
     *
     * @param asked the ids asked, as Drover keeps them ({@code 7.pbshost}, {@code 4[2].pbshost})
     * @param stdout qstat's stdout
     * @param stderr qstat's stderr
     * @param exitCode qstat's exit code, or null if unknown (killed, timed out)
     * @return the status of each id asked, in the order asked
     */
    public static Map<String, JobStatus> statuses(Collection<String> asked, String stdout, String stderr,
                                                  Integer exitCode) {
        Map<String, JobStatus> printed = new HashMap<>();
        for (PbsJob job : QstatFullParser.parse(stdout)) {
            JobStatus s = PbsStates.status(job);
            printed.put(job.id(), s);
            printed.putIfAbsent(base(job.id()), s);
        }
        Map<String, String> notFound = new HashMap<>();
        for (String line : stderr.split("\n")) {
            Matcher m = UNKNOWN.matcher(line);
            if (m.find()) {
                notFound.put(base(m.group(1)), "unknown to the PBS server");
            }
            Matcher f = FINISHED.matcher(line);
            if (f.find()) {
                notFound.put(base(f.group(1)), "finished, and the server keeps no history of it");
            }
        }
        Map<String, JobStatus> result = new LinkedHashMap<>();
        for (String id : asked) {
            JobStatus s = printed.containsKey(id) ? printed.get(id) : printed.get(base(id));
            if (s != null) {
                result.put(id, new JobStatus(id, s.state(), s.exitCode(), s.reason(), s.started(), s.ended(), s.nativeState()));
            } else if (notFound.containsKey(base(id))) {
                result.put(id, JobStatus.notFound(id, notFound.get(base(id))));
            } else if (exitCode != null && (exitCode == 0 || exitCode == UNKNOWN_JOB)) {
                // qstat answered and left this id out (a Torque-style wrapper says nothing of unknown ids).
                result.put(id, JobStatus.notFound(id, "not in qstat's answer"));
            } else {
                result.put(id, JobStatus.unknown(id, "qstat failed (exit code " + exitCode + "): "
                        + (stderr.isBlank() ? "no message" : stderr.strip())));
            }
        }
        return result;
    }

    /** The id without the server suffix: {@code 7.pbshost} gives {@code 7}, {@code 4[2].pbshost} gives {@code 4[2]}. */
    static String base(String id) {
        int dot = id.indexOf('.');
        return dot < 0 ? id : id.substring(0, dot);
    }
}
