package org.drover.pbs.internal;

/**
 * The job id in {@code qsub}'s output: the first non-blank line, kept whole with its server suffix
 * ({@code 12.pbshost}, {@code 4[].pbshost}), which every later qstat and qdel needs.
 *
 * <pre>{@code
 * String id = QsubOutput.jobId("4[].pbshost\n");   // "4[].pbshost"
 * }</pre>
 */
public final class QsubOutput {
    private QsubOutput() {}

    /**
     * The job id qsub printed.
     *
     * @param stdout qsub's stdout
     * @return the id, e.g. {@code 12.pbshost}
     * @throws IllegalArgumentException if the output holds no job id
     */
    public static String jobId(String stdout) {
        for (String line : stdout.split("\n")) {
            String l = line.trim();
            if (!l.isEmpty()) {
                if (l.matches("\\d+(\\[\\d*\\])?(\\.[A-Za-z0-9._-]+)?")) {
                    return l;
                }
                break;
            }
        }
        throw new IllegalArgumentException("qsub printed no job id: '" + stdout.strip() + "'");
    }
}
